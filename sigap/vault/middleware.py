"""A sealed value that cannot be read fails its page clearly, not with a 500.

Only the page (or API call) that reads the value fails; every other page keeps
working. The message names the field and the key version, never a value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sigap.vault.keyring import VaultError

logger = logging.getLogger("sigap.vault")


def log_vault_error(exception: VaultError, where: str) -> None:
    # The message holds app.model.field and key versions only, by construction.
    logger.error("vault: %s in %s: %s", type(exception).__name__, where, exception)


class VaultErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, VaultError):
            return None
        match = getattr(request, "resolver_match", None)
        log_vault_error(exception, match.view_name if match is not None else "an unnamed view")
        user = getattr(request, "user", None)
        is_staff = user is not None and user.is_authenticated
        return render(
            request,
            "vault/unavailable.html",
            {"vault_message": str(exception) if is_staff else ""},
            status=503,
        )
