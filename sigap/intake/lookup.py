"""Finding reports by a phone number or a NIK, for the staff report list.

Like ``queries.py``: narrow with the blind index, confirm every candidate by
decrypting (a shared index value is not a match), and return only reports the
user may see. The typed value arrives by POST and is never logged or stored;
the search itself is audited (who searched and how many matched, not for what)
and limited per user (``lookup_limit``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sigap.intake.lookup_limit import audit_lookup, guard_lookup
from sigap.intake.models import Contact, Report, ReporterIdentity, Victim
from sigap.intake.validation import canonical_nik
from sigap.vault.blind import NotNormalisable, nik_index, normalise_phone, phone_index

MAX_RESULTS = 100


def _same_phone(stored: str | None, canonical: str) -> bool:
    if not stored:
        return False
    try:
        return normalise_phone(stored) == canonical
    except NotNormalisable:
        return False


def report_ids_by_phone(value: str) -> set[int]:
    try:
        canonical = normalise_phone(value)
    except NotNormalisable:
        return set()
    index = phone_index(canonical)
    if not index:
        return set()
    ids: set[int] = set()
    identities = [
        i.pk for i in ReporterIdentity.objects.filter(phone_index=index).only("pk", "phone")
        if _same_phone(i.phone, canonical)
    ]
    if identities:
        ids.update(Report.objects.filter(reporter_id__in=identities).values_list("pk", flat=True))
    for contact in Contact.objects.filter(caller_phone_index=index, report__isnull=False).only(
        "report_id", "caller_phone"
    ):
        if _same_phone(contact.caller_phone, canonical) and contact.report_id:
            ids.add(contact.report_id)
    return ids


def report_ids_by_nik(value: str) -> set[int]:
    canonical = canonical_nik(value or "")
    index = nik_index(canonical)
    if not index:
        return set()
    ids: set[int] = {
        v.report_id for v in Victim.objects.filter(nik_index=index).only("report_id", "nik") if v.nik == canonical
    }
    identities = [i.pk for i in ReporterIdentity.objects.filter(nik_index=index).only("pk", "nik") if i.nik == canonical]
    if identities:
        ids.update(Report.objects.filter(reporter_id__in=identities).values_list("pk", flat=True))
    return ids


def find_reports(kind: str, value: str, user: Any, request: HttpRequest | None = None) -> list[Report] | None:
    """Reports ``user`` may see whose reporter or victim has this phone number (kind "phone") or NIK.

    None when the user has reached the lookup limit (``lookup_limit.guard_lookup``).
    """
    kind = "phone" if kind == "phone" else "nik"
    if not guard_lookup(user, kind, request):
        return None
    ids = report_ids_by_phone(value) if kind == "phone" else report_ids_by_nik(value)
    found = (
        list(Report.objects.visible_to(user).filter(pk__in=ids).order_by("-created_at", "-id")[:MAX_RESULTS])
        if ids else []
    )
    audit_lookup(f"intake.report.lookup_{kind}", user, kind, len(found), request)
    return found
