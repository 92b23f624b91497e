"""The API's single error shape: {"error": {"message": ..., "fields": {...}}}.

Every answer under ``/api/v1/`` that is an error has this shape (docs/API.md,
"Errors"): those of the API's own operations (``sigap.api``'s exception
handlers), and those produced before or beside them, by Django or a middleware,
through ``error_response``: an unknown path, a wrong method, a NUL in the URL, a
fault outside an operation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Schema

API_PREFIX = "/api/v1/"

# The message of an error that no code path words more precisely, by status.
STATUS_MESSAGES: dict[int, Promise] = {
    400: _("Permintaan tidak dapat diproses."),
    401: _("Token tidak valid atau tidak ada."),
    403: _("Akses ditolak."),
    404: _("Alamat ini tidak ada di API."),
    405: _("Metode permintaan ini tidak diizinkan untuk alamat ini."),
    413: _("Isi permintaan terlalu besar."),
    429: _("Terlalu banyak percobaan. Silakan coba lagi nanti."),
    500: _("Terjadi kesalahan pada server."),
}


class ErrorBody(Schema):
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    """The body of every error answer; declared for each status an operation answers."""

    error: ErrorBody


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}

    def body(self) -> dict[str, object]:
        return {"error": {"message": self.message, "fields": self.fields}}


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def status_message(status: int) -> str:
    return str(STATUS_MESSAGES.get(status, STATUS_MESSAGES[500 if status >= 500 else 400]))


def error_response(
    request: HttpRequest,
    status: int,
    message: str | Promise | None = None,
    *,
    allow: Iterable[str] = (),
) -> JsonResponse:
    """An error in the API's shape for an answer made outside the API's operations.

    The message is rendered in the client's language as ``LocaleMiddleware`` would choose it,
    since some callers run before that middleware. ``allow`` fills the ``Allow`` header of a 405.
    """
    with translation.override(translation.get_language_from_request(request)):
        text = str(message) if message is not None else status_message(status)
    response = JsonResponse({"error": {"message": text, "fields": {}}}, status=status)
    methods = sorted({method.strip().upper() for method in allow if method.strip()})
    if methods:
        response["Allow"] = ", ".join(methods)
    return response
