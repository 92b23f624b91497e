"""Sign-in throttling: an account locks after repeated failures; an IP is limited too."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from sigap.accounts.models import LoginFailure, User, keyed_digest


def client_ip(request: HttpRequest) -> str:
    # Behind the reverse proxy (docs/OPERATIONS.md) nginx sets X-Real-IP; gunicorn
    # is bound to loopback, so the header cannot come from outside.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or "unknown"


def ip_is_blocked(request: HttpRequest) -> bool:
    since = timezone.now() - timedelta(hours=1)
    count = LoginFailure.objects.filter(ip_digest=keyed_digest(client_ip(request)), at__gte=since).count()
    return count >= settings.SIGAP_IP_FAILURES_PER_HOUR


def record_failure(request: HttpRequest, username: str, user: User | None, reason: str) -> None:
    """Record a failed attempt and lock the account once it reaches the limit."""
    now = timezone.now()
    with transaction.atomic():
        LoginFailure.objects.create(
            at=now,
            user=user,
            ip_digest=keyed_digest(client_ip(request)),
            username_digest=keyed_digest(username or ""),
            reason=reason,
        )
        if user is not None and reason == "password":
            User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
            user.refresh_from_db(fields=["failed_login_count"])
            if user.failed_login_count >= settings.SIGAP_LOCKOUT_FAILURES:
                user.locked_until = now + timedelta(minutes=settings.SIGAP_LOCKOUT_MINUTES)
                user.failed_login_count = 0
                user.save(update_fields=["locked_until", "failed_login_count"])
    from sigap.accounts import audit

    audit.login_failed(request, user, reason)


def record_success(user: User) -> None:
    if user.failed_login_count or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        user.failed_login_count = 0
        user.locked_until = None
