"""Seam between accounts and the audit log.

Until the vault's hash-chained audit log exists these write to the application
log without personal data; the vault replaces the bodies with audit entries.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

logger = logging.getLogger("sigap.audit")


def _actor(user: Any) -> str:
    return f"user:{user.pk}" if user is not None and getattr(user, "pk", None) else "anonymous"


def login_failed(request: HttpRequest, user: Any, reason: str) -> None:
    logger.info("auth.login_failed actor=%s reason=%s", _actor(user), reason)


def logged_in(request: HttpRequest, user: Any) -> None:
    logger.info("auth.login actor=%s", _actor(user))


def logged_out(request: HttpRequest | None, user: Any) -> None:
    logger.info("auth.logout actor=%s", _actor(user))


def two_factor_changed(request: HttpRequest, user: Any, change: str) -> None:
    logger.info("auth.2fa_%s actor=%s", change, _actor(user))


def user_changed(request: HttpRequest | None, by: Any, user: Any, change: str) -> None:
    logger.info("accounts.user_%s actor=%s object=user:%s", change, _actor(by), user.pk)
