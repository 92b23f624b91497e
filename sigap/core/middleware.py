from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from sigap.core.logging import request_id_var

# Every asset is served by the app itself; nothing may load from elsewhere.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class RequestIdMiddleware:
    """Gives each request a random id, used in logs and audit entries."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = secrets.token_hex(8)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-Id"] = request_id
        return response


class SecurityHeadersMiddleware:
    """CSP, permissions policy, and no caching of anything a signed-in user sees."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or not request.path.startswith("/static/"):
            # Public pages of a hotline site are also kept out of shared caches
            # and the browser history cache: a visit should leave no trace.
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class HostileInputMiddleware:
    """Crafted input that no page can use is refused at the edge (docs/SECURITY.md, finding 9).

    * A NUL character in the path, a query parameter or a posted form field gets
      400 before any view runs: PostgreSQL refuses NUL in text, so such a value
      would otherwise fail deep inside a query (and SQLite would store it).
    * An id in the path beyond 2⁶³−1 (``<int:pk>`` accepts any length of digits)
      gets 404: no row has it, and the database driver cannot even send it.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            from django.utils.translation import gettext as _
            from django.utils.translation import gettext_lazy

            from sigap.lib.api_errors import error_response, is_api_request

            if is_api_request(request):
                return error_response(request, 400, gettext_lazy("Permintaan tidak sah."))
            return HttpResponse(_("Permintaan tidak sah."), status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def _has_nul(self, request: HttpRequest) -> bool:
        if "\x00" in request.path_info:
            return True
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return True
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
        return False

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        from django.http import Http404

        from sigap.lib.params import MAX_ID

        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and not -MAX_ID <= value <= MAX_ID:
                raise Http404
