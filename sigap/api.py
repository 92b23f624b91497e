"""The integration API, version 1 (contract: docs/API.md).

Every error under ``/api/v1/`` leaves as ``{"error": {"message", "fields"}}``
(``sigap.lib.api_errors``): those of the operations through the exception
handlers below; an unknown path, a wrong method and django-ninja's own root
through ``SigapNinjaAPI.urls``; faults outside any view through the site's error
handlers (``handler400`` ... in ``sigap/urls.py``). An unexpected exception is
logged (without request data) and answered 500 in the same shape, never with a
traceback.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from sigap.intake.api import router as intake_router
from sigap.lib.api_errors import ApiError, error_response, is_api_request, status_message
from sigap.lib.params import MAX_JSON_DEPTH, JsonTooDeep, loads
from sigap.lib.pydantic_errors import fields_from_errors
from sigap.regions.api import router as regions_router
from sigap.stats.api import router as stats_router
from sigap.vault.keyring import VaultError
from sigap.vault.middleware import log_vault_error

logger = logging.getLogger("sigap.api")

View = Callable[..., HttpResponseBase]


class SafeJsonParser(Parser):
    """JSON bodies read like every untrusted body (``sigap.lib.params.loads``), lone surrogates replaced.

    A body nested deeper than ``MAX_JSON_DEPTH`` is not parsed at all: like a body that is not JSON,
    it cannot be read, so it is ``400`` (django-ninja turns every exception raised here into
    ``HttpError(400)``, and ``_http_error`` words the message), not ``422``: nothing was validated.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(dict[str, Any], loads(request.body))


def _answers_errors_as_json(view: View) -> View:
    """``view`` with django-ninja's plain-text 405 and its root's 404 turned into the API's error shape.

    CSRF-exempt like every django-ninja view: the API knows no cookie sign-in, only bearer tokens,
    and a refusal by ``CsrfViewMiddleware`` would be the site's HTML page.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Http404:  # raised by django-ninja's root view (/api/v1/ itself) for every request
            return error_response(request, 404)
        if isinstance(response, HttpResponseNotAllowed):
            return error_response(request, 405, allow=response["Allow"].split(","))
        return response

    return csrf_exempt(wrapper)


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Every path under /api/v1/ that is not an endpoint."""
    return error_response(request, 404)


class SigapNinjaAPI(NinjaAPI):
    """django-ninja's API whose every URL answers errors in the API's shape, ending in a catch-all 404."""

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        shaped: list[URLResolver | URLPattern] = []
        for entry in patterns:
            if isinstance(entry, URLPattern):
                view = entry.callback
                if entry.name == "openapi-json":
                    view = require_safe(view)  # django-ninja serves the schema to any method
                entry = URLPattern(entry.pattern, _answers_errors_as_json(view), entry.default_args, entry.name)
            shaped.append(entry)
        shaped.append(path("<path:rest>", not_found, name="not_found"))
        return shaped, app_name, namespace


api = SigapNinjaAPI(
    parser=SafeJsonParser(),
    title="SIGAP API",
    version="1",
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
)


def _error(request: HttpRequest, status: int, message: str, fields: dict[str, str] | None = None) -> HttpResponse:
    return api.create_response(request, {"error": {"message": message, "fields": fields or {}}}, status=status)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _error(request, exc.status, exc.message, exc.fields)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, _("Data tidak valid."), fields_from_errors(exc.errors))


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("Token tidak valid atau tidak ada."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # django-ninja's "Cannot parse request body", raised from the parser's exception.
        if isinstance(exc.__cause__, JsonTooDeep):
            message = _("Isi permintaan bersarang terlalu dalam (paling banyak %(depth)d tingkat).")
            return _error(request, 400, message % {"depth": MAX_JSON_DEPTH})
        return _error(request, 400, _("Isi permintaan harus JSON yang sah."))
    # django-ninja's own messages are English and untranslated: say it by status instead.
    return _error(request, exc.status_code, status_message(exc.status_code))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, status_message(404))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, status_message(403))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, _("Isi permintaan terlalu besar."))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return _error(request, 400, _("Permintaan tidak dapat diproses."))


@api.exception_handler(VaultError)
def _vault_error(request: HttpRequest, exc: VaultError) -> HttpResponse:
    # Names the field and key version only (sigap.vault.middleware); other calls keep working.
    log_vault_error(exc, request.path)
    return _error(request, 503, _("Data terenkripsi tidak dapat dibuka: %(detail)s") % {"detail": exc})


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error (%s)", type(exc).__name__)
    return _error(request, 500, _("Terjadi kesalahan pada server."))


api.add_router("/regions", regions_router)
api.add_router("/public", stats_router)
api.add_router("/", intake_router)


# --- the site's error handlers (sigap/urls.py) ----------------------------------
# For what goes wrong outside any view: a middleware's refusal or fault, Django's
# own checks (a disallowed Host, a form body over the size limit). Under /api/v1/
# in the API's shape; elsewhere the site's pages, as Django's defaults render them.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_response(request, 413 if isinstance(exception, RequestDataTooBig) else 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_response(request, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_response(request, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return error_response(request, 500)
    return defaults.server_error(request)
