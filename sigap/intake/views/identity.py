"""How the report detail shows who reported: masked by default, revealed only through the vault.

The pseudonym and the masked phone come from ``sigap.vault.masking``; showing
the full identity is the vault's reveal (``sigap.vault.reveal``: permission,
stated reason, audit entry, managers told), for that one response only.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from sigap.intake.models import Report
from sigap.vault.masking import mask_phone, pseudonym
from sigap.vault.reveal import RevealOutcome, handle_reveal

IDENTITY_FIELDS = ("name", "phone", "nik", "address")


def reveal_for(request: HttpRequest, report: Report) -> RevealOutcome | None:
    """The reveal form (and, after a valid POST, the plaintext) for this report's reporter, if any."""
    if report.reporter is not None:
        return handle_reveal(request, report.reporter, IDENTITY_FIELDS)
    if report.reporter_declined_identity and report.reporter_declined_reason:
        # The reason a reporter gave for staying anonymous may itself identify them.
        return handle_reveal(request, report, ("reporter_declined_reason",))
    return None


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
