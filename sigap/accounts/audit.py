"""Accounts' events in the hash-chained audit log (sigap.vault.audit)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sigap.vault import audit


def login_failed(request: HttpRequest, user: Any, reason: str) -> None:
    # The typed username is not recorded: it may be a mistyped password.
    audit.record("auth.login_failed", obj=user, reason=reason, request=request)


def logged_in(request: HttpRequest, user: Any) -> None:
    audit.record("auth.login", actor=user, obj=user, request=request)


def logged_out(request: HttpRequest | None, user: Any) -> None:
    audit.record("auth.logout", actor=user, obj=user, request=request)


def two_factor_changed(request: HttpRequest, user: Any, change: str) -> None:
    audit.record(f"auth.2fa_{change}", actor=user, obj=user, request=request)


def user_changed(request: HttpRequest | None, by: Any, user: Any, change: str, reason: str = "") -> None:
    # Role and activation changes are permission changes: who may see what.
    audit.record(f"accounts.user_{change}", actor=by, obj=user, reason=reason, request=request)
