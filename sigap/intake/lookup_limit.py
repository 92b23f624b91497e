"""Looking a person up by an identifier (phone number, NIK): limited per user, every lookup audited.

A lookup answers "which reports is this number tied to?". Repeated with guessed
numbers it becomes an oracle that rebuilds a masked number digit by digit
(docs/SECURITY.md, "Identifier lookups"). So every screen that looks up by a
typed phone number or NIK (the caller check on the contact screen, the report
list's lookup, the case list's search) goes through ``guard_lookup`` first and
``audit_lookup`` after:

* at most ``SIGAP_IDENTIFIER_LOOKUPS_PER_HOUR`` and ``SIGAP_IDENTIFIER_LOOKUPS_PER_DAY``
  per user, counted in the database (``SharedWindowLimiter``, so across every
  server process); a busy operator takes about a hundred calls a day, a burst of
  hundreds is someone walking through numbers;
* every lookup is one audit entry: who, which kind, how many reports matched,
  never the value;
* a refused lookup is audited too, and the managers are told once an hour per
  user that this user reached the limit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from sigap.accounts.models import keyed_digest
from sigap.accounts.roles import Role
from sigap.core.notify import notify
from sigap.lib.ratelimit import SharedWindowLimiter
from sigap.vault.audit import record

hourly_limiter = SharedWindowLimiter("id-lookup-hour", settings.SIGAP_IDENTIFIER_LOOKUPS_PER_HOUR, 3600)
daily_limiter = SharedWindowLimiter("id-lookup-day", settings.SIGAP_IDENTIFIER_LOOKUPS_PER_DAY, 86400)
# One notice to the managers per user and hour, however many lookups are refused.
notice_limiter = SharedWindowLimiter("id-lookup-notice", 1, 3600)
ALL_LIMITERS = (hourly_limiter, daily_limiter, notice_limiter)


def limit_message() -> str:
    return _(
        "Batas pencarian menurut nomor telepon atau NIK untuk akun Anda sudah tercapai. "
        "Coba lagi nanti; manajer sudah diberi tahu."
    )


def _key(user: Any) -> str:
    return keyed_digest(f"identifier-lookup|{getattr(user, 'pk', '')}")


def guard_lookup(user: Any, kind: str, request: HttpRequest | None = None) -> bool:
    """Count one lookup of ``kind`` ("phone", "nik") by ``user``; False (audited, managers told) when over the limit."""
    hourly_limiter.limit = settings.SIGAP_IDENTIFIER_LOOKUPS_PER_HOUR
    daily_limiter.limit = settings.SIGAP_IDENTIFIER_LOOKUPS_PER_DAY
    key = _key(user)
    if not daily_limiter.exceeded(key) and hourly_limiter.hit(key) and daily_limiter.hit(key):
        return True
    with transaction.atomic():
        record("intake.identifier_lookup.refused", actor=user, object_type="intake.report", reason=kind,
               request=request)
        if notice_limiter.hit(key):
            from sigap.accounts.models import User

            record("intake.identifier_lookup.limit_reached", actor=user, object_type="intake.report",
                   request=request)
            notify(
                User.objects.filter(role=Role.MANAGER, is_active=True).exclude(pk=getattr(user, "pk", 0) or 0),
                "intake.identifier_lookup_limit",
                _("%(user)s mencapai batas pencarian menurut nomor telepon/NIK. Periksa log audit.")
                % {"user": getattr(user, "username", "?")},
                link=reverse("vault:audit_log"),
            )
    return False


def audit_lookup(action: str, user: Any, kind: str, matched: int, request: HttpRequest | None = None) -> None:
    """One audit entry for a lookup that ran: the kind and how many reports matched, never the value."""
    with transaction.atomic():
        record(action, actor=user, object_type="intake.report", reason=f"{kind}; matched={matched}",
               request=request)
