"""Sign-in throttling: an account locks after repeated failures; an IP is limited too."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from sigap.accounts.models import LoginFailure, User, keyed_digest
from sigap.lib.clientip import client_ip


def ip_is_blocked(request: HttpRequest) -> bool:
    since = timezone.now() - timedelta(hours=1)
    count = LoginFailure.objects.filter(ip_digest=keyed_digest(client_ip(request)), at__gte=since).count()
    return count >= settings.SIGAP_IP_FAILURES_PER_HOUR


def _window_start(user: User | None = None) -> datetime:
    start = timezone.now() - timedelta(minutes=settings.SIGAP_LOCKOUT_MINUTES)
    if user is not None and user.last_login and user.last_login > start:
        return user.last_login  # a success since then starts the count again
    return start


def pair_is_locked(request: HttpRequest, user: User) -> bool:
    """True when this client address failed this account's password too often lately.

    The lock is per (address, account): someone elsewhere typing a manager's name
    with wrong passwords locks only themselves out of that account.
    """
    return LoginFailure.objects.filter(
        user=user, ip_digest=keyed_digest(client_ip(request)), reason="password", at__gte=_window_start(user)
    ).count() >= settings.SIGAP_LOCKOUT_FAILURES


def record_failure(request: HttpRequest, username: str, user: User | None, reason: str) -> None:
    """Record a failed attempt; lock the pair, and the whole account once failures come from many addresses.

    The account's owner is told (in-app notification, no address) when a lock starts.
    """
    now = timezone.now()
    ip_digest = keyed_digest(client_ip(request))
    with transaction.atomic():
        LoginFailure.objects.create(
            at=now,
            user=user,
            ip_digest=ip_digest,
            username_digest=keyed_digest(username or ""),
            reason=reason,
        )
        if user is not None and reason == "password":
            since = _window_start(user)
            failures = LoginFailure.objects.filter(user=user, reason="password", at__gte=since)
            pair_count = failures.filter(ip_digest=ip_digest).count()
            addresses = failures.values("ip_digest").distinct().count()
            User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
            account_wide = (
                addresses >= settings.SIGAP_LOCKOUT_ADDRESSES
                and failures.count() >= settings.SIGAP_LOCKOUT_FAILURES
                and not user.is_locked()
            )
            if account_wide:
                user.locked_until = now + timedelta(minutes=settings.SIGAP_LOCKOUT_MINUTES)
                user.failed_login_count = 0
                user.save(update_fields=["locked_until", "failed_login_count"])
            if account_wide or pair_count == settings.SIGAP_LOCKOUT_FAILURES:
                _tell_owner(user, account_wide)
    from sigap.accounts import audit

    audit.login_failed(request, user, reason)


def _tell_owner(user: User, account_wide: bool) -> None:
    from django.utils.translation import gettext as _

    from sigap.core.notify import notify

    if account_wide:
        text = _("Akun Anda dikunci sementara: ada banyak percobaan masuk dengan kata sandi salah dari beberapa "
                 "alamat. Jika itu bukan Anda, beri tahu administrator.")
    else:
        text = _("Ada beberapa percobaan masuk ke akun Anda dengan kata sandi salah; alamat itu dikunci "
                 "sementara. Jika itu bukan Anda, beri tahu administrator.")
    notify([user], "accounts.lockout", text)


def record_success(user: User) -> None:
    if user.failed_login_count or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        user.failed_login_count = 0
        user.locked_until = None
