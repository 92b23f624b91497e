"""Read-only lookups over sealed data: caller history and possible duplicates.

Both narrow with blind indexes (which collide on purpose) and confirm every
candidate by decrypting, so a shared index value never produces a false match.
Neither returns personal content: only counts, times, registration numbers and
flags.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from sigap.intake.access import can_record_contact
from sigap.intake.codes import OPEN_STATUSES
from sigap.intake.models import Contact, Report, ReporterIdentity, Victim
from sigap.vault.blind import NotNormalisable, normalise_phone, phone_index


@dataclass
class CallerHistory:
    """What an operator may know about a number while the phone rings."""

    contact_count: int = 0
    first_contact_at: datetime.datetime | None = None
    last_contact_at: datetime.datetime | None = None
    registration_numbers: list[str] = field(default_factory=list)
    # Those of ``registration_numbers`` whose report is closed (selesai), shown as such.
    closed_registration_numbers: list[str] = field(default_factory=list)
    do_not_call_back: bool = False

    @property
    def known(self) -> bool:
        return bool(self.contact_count or self.registration_numbers)


def _same_phone(stored: str | None, canonical: str) -> bool:
    if not stored:
        return False
    try:
        return normalise_phone(stored) == canonical
    except NotNormalisable:
        return False


def caller_history(phone: str, user: Any) -> CallerHistory:
    """How often ``phone`` contacted the unit, when, the reports it is tied to, and do-not-call flags.

    Reports are those tied to the number through a recorded contact or as the
    reporter's phone, limited to what ``user`` may see. Needs record_contact.
    """
    if not can_record_contact(user):
        raise PermissionDenied
    try:
        canonical = normalise_phone(phone)
    except NotNormalisable:
        return CallerHistory()
    index = phone_index(canonical)
    history = CallerHistory()
    report_ids: set[int] = set()

    contacts = Contact.objects.filter(caller_phone_index=index).only(
        "pk", "caller_phone", "started_at", "do_not_call_back", "report_id"
    )
    for contact in contacts:
        if not _same_phone(contact.caller_phone, canonical):
            continue
        history.contact_count += 1
        if history.first_contact_at is None or contact.started_at < history.first_contact_at:
            history.first_contact_at = contact.started_at
        if history.last_contact_at is None or contact.started_at > history.last_contact_at:
            history.last_contact_at = contact.started_at
        history.do_not_call_back |= contact.do_not_call_back
        if contact.report_id:
            report_ids.add(contact.report_id)

    identities = ReporterIdentity.objects.filter(phone_index=index).only("pk", "phone")
    identity_ids = [i.pk for i in identities if _same_phone(i.phone, canonical)]
    if identity_ids:
        for report_id, never in Report.objects.filter(reporter_id__in=identity_ids).values_list(
            "pk", "never_call_back"
        ):
            report_ids.add(report_id)
            history.do_not_call_back |= never
    if report_ids:
        # Every tied report counts for the flag, even one this user may not open.
        history.do_not_call_back |= Report.objects.filter(pk__in=report_ids, never_call_back=True).exists()
        rows = list(
            Report.objects.visible_to(user)
            .filter(pk__in=report_ids)
            .order_by("created_at")
            .values_list("registration_number", "status")
        )
        history.registration_numbers = [number for number, _status in rows]
        history.closed_registration_numbers = [number for number, status in rows if status not in OPEN_STATUSES]
    return history


@dataclass
class DuplicateCandidate:
    report: Report
    reasons: list[str]  # "victim_nik", "reporter_phone", "victim_name_desa_birth"
    already_linked: bool = False

    @property
    def closed(self) -> bool:
        """The earlier report is closed (selesai): its case, if any, is closed too."""
        return self.report.status not in OPEN_STATUSES

    @property
    def returning_victim(self) -> bool:
        """The same victim (same NIK, or same name + birth date + desa) was recorded before."""
        return "victim_nik" in self.reasons or "victim_name_desa_birth" in self.reasons


def _fold(name: str | None) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", (name or "").casefold()).split())


def find_duplicates(report: Report, user: Any = None) -> list[DuplicateCandidate]:
    """Reports, open or closed, that may be the same matter or the same victim as ``report``.

    Matches: a victim's NIK, the reporter's phone, or a victim's name + desa +
    date of birth. Only confirmed (decrypted) matches count. Closed reports are
    included (``DuplicateCandidate.closed``), so a victim who comes back is
    recognised. With ``user``, only reports that user may see are returned.
    """
    found: dict[int, set[str]] = {}
    scope = Report.objects.visible_to(user) if user is not None else Report.objects.all()
    open_ids = scope.exclude(pk=report.pk).values("pk")

    victims = list(report.victims.all())
    for victim in victims:
        if victim.nik_index and victim.nik:
            for other in Victim.objects.filter(nik_index=victim.nik_index, report_id__in=open_ids).only(
                "report_id", "nik"
            ):
                if other.nik == victim.nik:
                    found.setdefault(other.report_id, set()).add("victim_nik")
        if victim.name_index and victim.name and victim.birth_date:
            for other in Victim.objects.filter(
                desa_id=victim.desa_id, name_index=victim.name_index, report_id__in=open_ids
            ).only("report_id", "name", "birth_date"):
                if _fold(other.name) == _fold(victim.name) and other.birth_date == victim.birth_date:
                    found.setdefault(other.report_id, set()).add("victim_name_desa_birth")

    reporter = report.reporter
    if reporter is not None and reporter.phone and reporter.phone_index:
        try:
            canonical = normalise_phone(reporter.phone)
        except NotNormalisable:
            canonical = ""
        if canonical:
            same = [
                i.pk
                for i in ReporterIdentity.objects.filter(phone_index=reporter.phone_index).only("pk", "phone")
                if _same_phone(i.phone, canonical)
            ]
            for other_id in Report.objects.filter(reporter_id__in=same, pk__in=open_ids).values_list("pk", flat=True):
                found.setdefault(other_id, set()).add("reporter_phone")

    if not found:
        return []
    linked = set()
    for a, b in report.links_out.values_list("report_id", "other_id"):
        linked.update({a, b})
    for a, b in report.links_in.values_list("report_id", "other_id"):
        linked.update({a, b})
    order = ("victim_nik", "reporter_phone", "victim_name_desa_birth")
    reports = Report.objects.in_bulk(list(found))
    return [
        DuplicateCandidate(
            report=reports[pk],
            reasons=[r for r in order if r in found[pk]],
            already_linked=pk in linked,
        )
        for pk in sorted(found, key=lambda pk: reports[pk].created_at, reverse=True)
    ]


def contacts_since_filing(report: Report) -> Any:
    """Contacts recorded against ``report`` after it was filed: its first contact and later ones.

    The contact the report was filed from does not count. The alerts app reads this to
    end a report's escalation chain ("kontak pertama").
    """
    return Contact.objects.filter(report=report, created_at__gt=report.created_at)
