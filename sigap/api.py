"""The integration API, version 1 (contract: docs/API.md).

Every error leaves as ``{"error": {"message", "fields"}}`` with a 4xx status;
an unexpected exception is logged (without request data) and answered 500 in the
same shape, never with a traceback.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from sigap.intake.api import router as intake_router
from sigap.lib.api_errors import ApiError
from sigap.lib.params import loads
from sigap.lib.pydantic_errors import fields_from_errors
from sigap.regions.api import router as regions_router
from sigap.stats.api import router as stats_router
from sigap.vault.keyring import VaultError
from sigap.vault.middleware import log_vault_error

logger = logging.getLogger("sigap.api")


class SafeJsonParser(Parser):
    """JSON bodies read like every untrusted body (``sigap.lib.params.loads``): nesting beyond a sane
    depth refused (422 through the validation error), lone surrogates replaced."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(dict[str, Any], loads(request.body))


api = NinjaAPI(
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
        # ninja's "Cannot parse request body": the body is not JSON.
        return _error(request, 400, _("Isi permintaan harus JSON yang sah."))
    return _error(request, exc.status_code, str(exc))


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
