"""Intake endpoints of the integration API (docs/API.md): reports and tracking."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status
from ninja.security import HttpBearer

from sigap.intake.access import can_file_report
from sigap.intake.actions import (
    Idempotency,
    IdempotencyConflict,
    TrackingLocked,
    submit_report,
    track,
)
from sigap.intake.codes import CaseType, Risk
from sigap.intake.models import ApiToken
from sigap.intake.validation import ReportInput, ReportInvalid
from sigap.lib.api_errors import ApiError, ErrorOut
from sigap.lib.clientip import client_key
from sigap.lib.params import loads
from sigap.lib.ratelimit import SharedWindowLimiter
from sigap.vault.audit import record

router = Router(tags=["reports"])

# --- tokens -----------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue_token(user: Any) -> str:
    """A new bearer token for ``user``; only its digest is stored. Returned this once."""
    return issue_token_entry(user)[1]


def issue_token_entry(user: Any) -> tuple[ApiToken, str]:
    """``issue_token`` with the stored row, whose id names the token from then on (``revoke_api_token``)."""
    token = secrets.token_urlsafe(32)
    return ApiToken.objects.create(user=user, digest=token_digest(token)), token


def revoke_tokens(tokens: Iterable[ApiToken]) -> list[ApiToken]:
    """Revoke each of ``tokens`` not yet revoked, one audit entry each; the ones revoked now.

    The next call with a revoked token is 401 (``user_for_token``). Revoking again changes nothing.
    """
    now = timezone.now()
    revoked = []
    with transaction.atomic():
        for entry in tokens:
            if ApiToken.objects.filter(pk=entry.pk, revoked_at__isnull=True).update(revoked_at=now):
                entry.revoked_at = now
                record("intake.api_token_revoked", obj=entry)
                revoked.append(entry)
    return revoked


def user_for_token(token: str) -> Any:
    if not token or len(token) > 200:
        return None
    entry = (
        ApiToken.objects.filter(digest=token_digest(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if entry is None or not entry.user.is_active:
        return None
    return entry.user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return user_for_token(token)


class ReportFilerToken(BearerToken):
    """A valid token of a role that may file reports; other roles get 403 before the body is read."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None and not can_file_report(user):
            raise ApiError(403, _("Peran Anda tidak boleh mengirim laporan."))
        return user


# --- POST /reports ------------------------------------------------------------


class ReportCreated(Schema):
    registration_number: str
    tracking_code: str
    pin: str
    risk: Risk
    case_type: CaseType = Field(
        description="The report's case type: AMPK when any victim was a child at the incident, "
        "else KtP when any victim is an adult woman, else Lainnya (adult man)."
    )
    victim_case_types: list[CaseType] = Field(
        default_factory=list, description="Each victim's own case type, in the order submitted."
    )


_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,128}")


@router.post(
    "/reports",
    auth=ReportFilerToken(),
    response={
        201: ReportCreated,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
        503: ErrorOut,
    },
    summary="File a report (pengaduan)",
)
def create_report(
    request: HttpRequest,
    payload: ReportInput,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    idempotency = None
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        if not _IDEMPOTENCY_KEY.fullmatch(key):
            raise ApiError(
                422,
                _("Data tidak valid."),
                {"Idempotency-Key": _("Kunci harus 1-128 karakter ASCII yang terlihat.")},
            )
        idempotency = Idempotency(key=key, request_digest=Idempotency.digest_of(loads(request.body)))
    try:
        submitted = submit_report(payload, by=user, request=request, idempotency=idempotency)
    except ReportInvalid as error:
        raise ApiError(422, error.message, error.fields) from None
    except IdempotencyConflict:
        raise ApiError(
            409, _("Idempotency-Key ini sudah dipakai untuk laporan dengan isi yang berbeda.")
        ) from None
    except PermissionDenied:
        raise ApiError(403, _("Peran Anda tidak boleh mengirim laporan.")) from None
    return Status(201, submitted.as_response())


# --- GET /track/{code} ----------------------------------------------------------


class TrackOut(Schema):
    status: str
    hotline: str


# Shared by every server process through the database (sigap.lib.ratelimit), keyed
# by a keyed digest of the client address; /lacak uses the same two.
lookup_limiter = SharedWindowLimiter("lacak-lookup", settings.SIGAP_TRACKING_LOOKUPS_PER_MINUTE, 60)
failure_limiter = SharedWindowLimiter("lacak-failure", settings.SIGAP_TRACKING_FAILURES_PER_HOUR, 3600)


def _client_key(request: HttpRequest) -> str:
    # The client behind the proxy, as every public limit sees it (sigap.lib.clientip): keyed by
    # the socket address, every reporter behind nginx would share one budget.
    return client_key(request, "track")


def _quiet_error(status: int, message: str) -> JsonResponse:
    """An API error that Django's request logger skips: the URL holds a tracking code."""
    response = JsonResponse({"error": {"message": message, "fields": {}}}, status=status)
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _too_many() -> JsonResponse:
    return _quiet_error(429, _("Terlalu banyak percobaan. Silakan coba lagi nanti."))


@router.get(
    "/track/{tracking_code}",
    auth=None,
    response={200: TrackOut, 404: ErrorOut, 429: ErrorOut},
    summary="Coarse status of a report, by tracking code and PIN (header X-Tracking-Pin)",
)
def track_report(
    request: HttpRequest,
    tracking_code: str,
    x_tracking_pin: str | None = Header(None, alias="X-Tracking-Pin"),
) -> Any:
    """Only ``{"status", "hotline"}`` ever leaves here. Failures are not logged with their URL."""
    client = _client_key(request)
    if failure_limiter.exceeded(client) or not lookup_limiter.hit(client):
        return _too_many()
    pin = request.headers.get("X-Tracking-Pin", "")
    try:
        status = track(tracking_code, pin, now=timezone.now())
    except TrackingLocked:
        return _too_many()
    if status is None:
        failure_limiter.record(client)
        return _quiet_error(404, _("Kode pelacakan atau PIN tidak cocok."))
    return {"status": status, "hotline": settings.SIGAP_HOTLINE}
