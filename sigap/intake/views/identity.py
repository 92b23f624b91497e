"""How the report detail shows who reported: masked by default, revealed only through the vault.

The pseudonym is derived from the identity record's random id, so it says
nothing about the person; the phone number shows only its first and last
digits. Showing the full identity is the vault's reveal action (permission,
stated reason, audit); ``reveal_available`` says whether that screen exists.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from sigap.accounts.roles import Perm, has_permission
from sigap.intake.models import Report

REVEAL_TEMPLATE = "vault/reveal_form.html"


def pseudonym(identity_id: str) -> str:
    digest = hashlib.sha256(f"pseudonym|{identity_id}".encode()).hexdigest()[:6].upper()
    return f"Pelapor-{digest}"


def mask_phone(phone: str | None) -> str:
    """``+6281200001111`` -> ``0812••••••11``: enough to recognise, not to dial."""
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    if len(digits) < 7:
        return "•" * len(digits)
    return f"{digits[:4]}{'•' * (len(digits) - 6)}{digits[-2:]}"


def reveal_available() -> bool:
    try:
        get_template(REVEAL_TEMPLATE)
    except TemplateDoesNotExist:
        return False
    return True


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
        "may_reveal": identity is not None and has_permission(user, Perm.REVEAL_IDENTITY) and reveal_available(),
        "never_call_back": report.never_call_back,
    }
    if identity is not None:
        info["pseudonym"] = pseudonym(identity.pk)
        info["masked_phone"] = mask_phone(identity.phone)
    return info
