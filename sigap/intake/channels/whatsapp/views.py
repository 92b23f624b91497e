"""The WhatsApp webhook: ``GET`` verification handshake, ``POST`` deliveries.

A delivery is checked against ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw
body with the app secret) before anything is parsed: a missing or wrong
signature gets 401 and nothing is stored. The answer 200 is given only after
the delivery's transaction has committed, so a delivery Meta considers
acknowledged is never lost; on a database error the answer is 503 and Meta
retries (duplicates are skipped by message id).

Nothing from the body (text, numbers) is ever logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sigap.intake.channels.conversations.actions import receive
from sigap.intake.channels.whatsapp.client import config_ready
from sigap.intake.channels.whatsapp.payloads import parse
from sigap.intake.codes import Channel
from sigap.lib.params import loads

logger = logging.getLogger(__name__)


def signature_valid(body: bytes, header: str, secret: str) -> bool:
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):].strip().lower())


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _verify(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if mode == "subscribe" and challenge and hmac.compare_digest(
        token.encode(), settings.SIGAP_WHATSAPP_VERIFY_TOKEN.encode()
    ):
        return _plain(challenge[:200], 200)
    return _plain("verification failed", 403)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    if not config_ready():
        return _plain("WhatsApp channel is not configured", 404)
    if request.method == "GET":
        return _verify(request)
    body = request.body
    if not signature_valid(body, request.headers.get("X-Hub-Signature-256", ""), settings.SIGAP_WHATSAPP_APP_SECRET):
        logger.warning("WhatsApp delivery refused: bad or missing signature")
        return _plain("invalid signature", 401)
    try:
        payload = loads(body)
    except (ValueError, UnicodeDecodeError):
        return _plain("body is not JSON (or nested too deep)", 400)
    delivery = parse(payload, phone_number_id=settings.SIGAP_WHATSAPP_PHONE_NUMBER_ID)
    try:
        result = receive(Channel.WHATSAPP, delivery)
    except DatabaseError as error:
        # The error text may quote stored values; its type is enough here.
        logger.error("WhatsApp delivery not stored (%s); asking the provider to retry", type(error).__name__)
        return _plain("temporarily unavailable", 503)
    logger.info(
        "WhatsApp delivery: %s new, %s duplicate, %s statuses, %s skipped",
        len(result.new_messages), result.duplicates, result.statuses_applied, delivery.skipped + result.rejected,
    )
    return _plain("ok", 200)
