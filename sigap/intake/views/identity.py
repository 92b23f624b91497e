"""How the report detail shows who reported: masked by default, revealed only through the vault.

The pseudonym and the masked phone come from ``sigap.vault.masking``; showing
the full identity is the vault's reveal (``sigap.vault.reveal``: permission,
stated reason, audit entry, managers told), for that one response only.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from sigap.intake import access
from sigap.intake.models import Report, Victim
from sigap.vault.masking import mask_nik, mask_phone, mask_text, pseudonym
from sigap.vault.reveal import RevealOutcome, can_reveal, handle_reveal

IDENTITY_FIELDS = ("name", "phone", "nik", "address")
CONTACT_FIELDS = ("phone",)
VICTIM_FIELDS = ("address", "nik")


def reveal_for(request: HttpRequest, report: Report) -> RevealOutcome | None:
    """The reveal form (and, after a valid POST, the plaintext) for this report's reporter, if any.

    Whoever may reveal (``SIGAP_REVEAL_ROLES``) reveals the whole identity; the case worker
    of the report's case may reveal the reporter's phone number for their own case (they
    need to call the family), with a reason, audited and the managers told the same way.
    """
    if report.reporter is not None:
        if not can_reveal(request.user) and access.is_assigned_case_worker(request.user, report):
            return handle_reveal(request, report.reporter, CONTACT_FIELDS, allowed=True)
        return handle_reveal(request, report.reporter, IDENTITY_FIELDS)
    if report.reporter_declined_identity and report.reporter_declined_reason:
        # The reason a reporter gave for staying anonymous may itself identify them.
        return handle_reveal(request, report, ("reporter_declined_reason",))
    return None


def victim_rows(request: HttpRequest, report: Report, victims: list[Victim]) -> tuple[list[dict[str, Any]], Any, int]:
    """Each victim with what the user may see of their address and NIK, and the safe-contact reveal.

    Need to know (security review finding 3): the manager and the case worker of the
    report's case see address, NIK and safe-contact times in full (audited as part of
    opening the report); anyone else who may open the report sees them masked, with a
    reveal form (a reason, an audit entry, the managers told). Returns (rows, the
    safe-contact reveal or None, status).
    """
    full = access.sees_victim_details(request.user, report)
    rows: list[dict[str, Any]] = []
    status = 200
    for victim in victims:
        row: dict[str, Any] = {"victim": victim, "full": full, "reveal": None, "revealed": {}}
        if not full and (victim.address or victim.nik):
            outcome = handle_reveal(request, victim, VICTIM_FIELDS, allowed=True, what=f"korban-{victim.pk}")
            row["reveal"], row["revealed"] = outcome, outcome.revealed
            status = max(status, outcome.status)
        row["masked_address"] = mask_text(victim.address) if victim.address else ""
        row["masked_nik"] = mask_nik(victim.nik) if victim.nik else ""
        rows.append(row)
    safe = None
    if not full and report.safe_times:
        safe = handle_reveal(request, report, ("safe_times",), allowed=True, what="kontak-aman")
        status = max(status, safe.status)
    return rows, safe, status


def revealed_rows(outcome: RevealOutcome | None) -> list[tuple[str, str]]:
    if outcome is None or not outcome.shown:
        return []
    labels = {
        "name": _("Nama"),
        "phone": _("Telepon"),
        "nik": _("NIK"),
        "address": _("Alamat"),
        "reporter_declined_reason": _("Alasan menolak memberi identitas"),
    }
    return [(str(labels.get(name, name)), value) for name, value in outcome.revealed.items() if value]


def reporter_display(report: Report, user: Any) -> dict[str, Any]:
    """What the detail page may show of the reporter without a reveal."""
    identity = report.reporter
    info: dict[str, Any] = {
        "declined": report.reporter_declined_identity,
        "needs_follow_up": report.needs_follow_up,
        "relation": report.get_reporter_relation_display() if report.reporter_relation else "",
        "pseudonym": "",
        "masked_phone": "",
        "has_identity": identity is not None,
        "never_call_back": report.never_call_back,
    }
    if identity is not None:
        info["pseudonym"] = pseudonym(identity.pk)
        info["masked_phone"] = mask_phone(identity.phone)
    return info
