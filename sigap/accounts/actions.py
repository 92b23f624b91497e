"""Every change to accounts goes through these functions."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sigap.accounts import audit
from sigap.accounts.models import SetupToken, User, UserSession
from sigap.accounts.roles import Role


def create_user(
    *,
    username: str,
    password: str | None,
    role: str,
    by: Any = None,
    request: HttpRequest | None = None,
    desa_id: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    user = User(
        username=username,
        role=role,
        desa_id=desa_id,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=False,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        audit.user_changed(request, by, user, "created")
    return user


def end_sessions(user: User) -> int:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return deleted


def deactivate_user(user: User, *, by: Any, request: HttpRequest | None = None) -> None:
    """Stop a user signing in and end every session they have open."""
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        end_sessions(user)
        audit.user_changed(request, by, user, "deactivated")


def reactivate_user(user: User, *, by: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        user.is_active = True
        user.locked_until = None
        user.failed_login_count = 0
        user.save(update_fields=["is_active", "locked_until", "failed_login_count"])
        audit.user_changed(request, by, user, "reactivated")


def change_role(user: User, role: str, *, by: Any, request: HttpRequest | None = None) -> None:
    """Give a user another role (and so other permissions); their sessions end."""
    old = user.role
    if role == old:
        return
    user.role = role
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save(update_fields=["role"])
        end_sessions(user)
        audit.user_changed(request, by, user, "role_changed", reason=f"{old} -> {role}")


def issue_setup_token() -> str | None:
    """A new one-time setup token while nobody has an account yet, else None."""
    if User.objects.exists():
        return None
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        SetupToken.objects.filter(used_at__isnull=True).update(used_at=timezone.now())
        SetupToken.objects.create(token_digest=SetupToken.digest(token))
    return token


def setup_token_is_valid(token: str) -> bool:
    if User.objects.exists():
        return False
    return SetupToken.objects.filter(token_digest=SetupToken.digest(token), used_at__isnull=True).exists()


def complete_setup(token: str, *, username: str, password: str, first_name: str, request: HttpRequest) -> User | None:
    """Create the first administrator and spend the token; None if it was already spent."""
    with transaction.atomic():
        # IMMEDIATE transactions (SQLite) and the row lock (PostgreSQL) make two
        # simultaneous submissions of the same link create one admin.
        spent = SetupToken.objects.select_for_update().filter(
            token_digest=SetupToken.digest(token), used_at__isnull=True
        ).update(used_at=timezone.now())
        if not spent or User.objects.exists():
            transaction.set_rollback(True)
            return None
        return create_user(
            username=username, password=password, role=Role.ADMIN, first_name=first_name, request=request
        )


# Managing accounts: passwords, second factor, recovery codes, profile ------------

RECOVERY_CODE_COUNT = 10


def _clear_lockout(user: User) -> None:
    user.locked_until = None
    user.failed_login_count = 0


def change_own_password(user: User, password: str, *, request: HttpRequest) -> None:
    """The signed-in user sets a new password; their other sessions end, this one stays."""
    from django.contrib.auth import update_session_auth_hash

    current = request.session.session_key
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        others = UserSession.objects.filter(user=user).exclude(session_key=current)
        Session.objects.filter(session_key__in=list(others.values_list("session_key", flat=True))).delete()
        others.delete()
        audit.user_changed(request, user, user, "password_changed")
        # The session gets a new key and the new password's hash; keep it linked to the user.
        update_session_auth_hash(request, user)
        UserSession.objects.filter(user=user, session_key=current).update(session_key=request.session.session_key)


def password_reset_link(user: User, *, by: Any, request: HttpRequest) -> str:
    """A one-time link for ``user`` to choose a new password (valid SIGAP_PASSWORD_RESET_HOURS).

    The token is Django's: it covers the password hash and the last sign-in, so it
    stops working once used (the password changed) or once the user signs in.
    Nothing is stored; the administrator hands the link to the person directly.
    """
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    with transaction.atomic():
        audit.user_changed(request, by, user, "password_reset_link")
    return request.build_absolute_uri(reverse("accounts:password_reset", args=[uid, token]))


def reset_password_with_link(user: User, password: str, *, request: HttpRequest) -> None:
    """Spend a reset link: the new password, the lockout lifted, every session ended."""
    with transaction.atomic():
        user.set_password(password)
        _clear_lockout(user)
        user.save(update_fields=["password", "locked_until", "failed_login_count"])
        end_sessions(user)
        audit.user_changed(request, user, user, "password_reset")


def reset_two_factor(user: User, *, by: Any, request: HttpRequest) -> None:
    """A lost phone: remove the authenticator and recovery codes; the user enrols again at sign-in."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        end_sessions(user)
        audit.user_changed(request, by, user, "2fa_reset")


def issue_recovery_codes(user: User, *, request: HttpRequest) -> list[str]:
    """New one-time recovery codes (the old ones stop working); returned once to be printed."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="kode-pemulihan", confirmed=True)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
        audit.two_factor_changed(request, user, "recovery_codes_issued")
    return codes


def update_user(user: User, *, by: Any, request: HttpRequest, **changes: Any) -> list[str]:
    """Change a user's name, e-mail, role or desa; returns the names of the fields changed.

    A new role or desa changes what the user may see, so their sessions end.
    """
    changed = [name for name, value in changes.items() if getattr(user, name) != value]
    if not changed:
        return []
    old_role = user.role
    for name in changed:
        setattr(user, name, changes[name])
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save(update_fields=changed)
        if {"role", "desa_id"} & set(changed):
            end_sessions(user)
        reason = ",".join(sorted(changed))
        if "role" in changed:
            reason += f"; {old_role} -> {user.role}"
        audit.user_changed(request, by, user, "updated", reason=reason)
    return changed
