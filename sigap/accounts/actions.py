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
