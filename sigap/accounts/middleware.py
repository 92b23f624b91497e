from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# Refresh the "last seen" stamp at most this often, to avoid a session write per request.
SEEN_RESOLUTION_SECONDS = 60


class SessionLimitsMiddleware:
    """Ends a session after the idle timeout or the absolute lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            auth_at = int(session.get("sigap_auth_at", 0))
            seen_at = int(session.get("sigap_seen_at", 0))
            idle_limit = settings.SIGAP_SESSION_IDLE_MINUTES * 60
            absolute_limit = settings.SIGAP_SESSION_ABSOLUTE_HOURS * 3600
            if now - seen_at > idle_limit or now - auth_at > absolute_limit:
                logout(request)
                messages.info(request, _("Sesi Anda berakhir. Silakan masuk kembali."))
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(settings.LOGIN_URL)
            if now - seen_at >= SEEN_RESOLUTION_SECONDS:
                session["sigap_seen_at"] = now
        return self.get_response(request)


# Paths an authenticated but not yet second-factor-verified user may reach.
TWO_FACTOR_OPEN_PREFIXES = (
    "/akun/2fa/",
    "/akun/keluar/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/api/",
)


class RequireTwoFactorMiddleware:
    """Staff must enrol and pass TOTP before reaching any staff page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified():  # type: ignore[attr-defined]
            from django_otp import user_has_device

            must = user.needs_two_factor or user_has_device(user)
            if must and not request.path.startswith(TWO_FACTOR_OPEN_PREFIXES):
                if user_has_device(user):
                    return redirect("accounts:verify_2fa")
                return redirect("accounts:enroll_2fa")
        return self.get_response(request)
