"""The SMS gateway's webhook: received messages and the fate of ours.

The format is the webhook of "SMS Gateway for Android" (a common choice when an
office turns an Android phone into its gateway); another gateway can post the
same shape::

    POST /webhooks/sms
    X-Timestamp: <unix seconds>
    X-Signature: hex HMAC-SHA256(SIGAP_SMS_GATEWAY_SECRET, raw body + timestamp)

    {"id": "<event id, unique per event>", "event": "sms:received",
     "payload": {"messageId": "...", "message": "<text>", "phoneNumber": "+62...",
                 "receivedAt": "2026-03-14T07:29:55.000+07:00"}}

``sms:sent`` / ``sms:delivered`` / ``sms:failed`` (payload ``messageId``, and
``reason`` when failed) update the status of our messages; ``system:ping`` is
answered 200. A received message is stored once per event id (the gateway's
``messageId`` is derived from the content and not unique). A bad signature, or a
timestamp more than ``MAX_SKEW`` away from our clock (a replay), gets 401.
"""

from __future__ import annotations

import datetime
import hmac
import logging
import re
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sigap.intake.channels.conversations.actions import receive
from sigap.intake.channels.conversations.codes import MessageKind, MessageStatus
from sigap.intake.channels.conversations.inbound import Delivery, InboundMessage, StatusUpdate
from sigap.intake.channels.sms.client import config_ready, sign
from sigap.intake.codes import Channel
from sigap.lib.params import loads

logger = logging.getLogger(__name__)

MAX_SKEW = datetime.timedelta(minutes=15)
SANE_YEARS = (2000, 2100)
MAX_TEXT = 4000
STATUS_EVENTS = {
    "sms:sent": MessageStatus.SENT,
    "sms:delivered": MessageStatus.DELIVERED,
    "sms:failed": MessageStatus.FAILED,
}


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


TIMESTAMP = re.compile(r"[0-9]{1,12}")


def signature_valid(body: bytes, timestamp: str, signature: str, secret: str) -> bool:
    # The timestamp is checked as ASCII digits of a sane length before any arithmetic: 400
    # nines would overflow the float comparison (a 500 for an unsigned request).
    if not secret or not TIMESTAMP.fullmatch(timestamp or "") or not signature:
        return False
    moment = int(timestamp)
    if abs(time.time() - moment) > MAX_SKEW.total_seconds():
        return False
    return hmac.compare_digest(sign(body, timestamp, secret), signature.strip().lower())


def _when(value: Any) -> datetime.datetime | None:
    """The gateway's time, or None (the message is kept with the time it arrived) when it is not a
    sane date: out of range, without a zone, or beyond what the database can store."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is None or parsed.tzinfo is None:
            return None
        parsed = parsed.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        return None
    return parsed if SANE_YEARS[0] <= parsed.year <= SANE_YEARS[1] else None


def parse(payload: Any) -> Delivery:
    delivery = Delivery()
    if not isinstance(payload, dict):
        delivery.skipped += 1
        return delivery
    event, event_id = payload.get("event"), payload.get("id")
    raw_body = payload.get("payload")
    body: dict[str, Any] = raw_body if isinstance(raw_body, dict) else {}
    if event == "sms:received":
        sender, text = body.get("phoneNumber"), body.get("message")
        if not isinstance(event_id, str) or not event_id or len(event_id) > 120 or not isinstance(sender, str):
            delivery.skipped += 1
            return delivery
        delivery.messages.append(
            InboundMessage(
                provider_id=f"in:{event_id}",
                sender=sender,
                kind=MessageKind.TEXT,
                body=text[:MAX_TEXT] if isinstance(text, str) and text.strip() else None,
                timestamp=_when(body.get("receivedAt")),
            )
        )
    elif event in STATUS_EVENTS:
        message_id = body.get("messageId")
        if not isinstance(message_id, str) or not message_id:
            delivery.skipped += 1
            return delivery
        failed = event == "sms:failed"
        delivery.statuses.append(
            StatusUpdate(
                provider_id=message_id[:128],
                status=STATUS_EVENTS[event],
                error_code="gateway" if failed else "",
                # The gateway's reason is a device error ("RESULT_ERROR_NO_SERVICE"), not content.
                error_title=str(body.get("reason") or "")[:200] if failed else "",
            )
        )
    else:
        delivery.skipped += 1
    return delivery


@csrf_exempt
@never_cache
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    if not config_ready():
        return _plain("SMS channel is not configured", 404)
    body = request.body
    if not signature_valid(
        body,
        request.headers.get("X-Timestamp", ""),
        request.headers.get("X-Signature", ""),
        settings.SIGAP_SMS_GATEWAY_SECRET,
    ):
        logger.warning("SMS delivery refused: bad or missing signature or timestamp")
        return _plain("invalid signature", 401)
    try:
        payload = loads(body)
    except (ValueError, UnicodeDecodeError):
        return _plain("body is not JSON (or nested too deep)", 400)
    delivery = parse(payload)
    try:
        result = receive(Channel.SMS, delivery)
    except DatabaseError as error:
        logger.error("SMS delivery not stored (%s); asking the gateway to retry", type(error).__name__)
        return _plain("temporarily unavailable", 503)
    logger.info(
        "SMS delivery: %s new, %s duplicate, %s statuses, %s skipped",
        len(result.new_messages), result.duplicates, result.statuses_applied, delivery.skipped + result.rejected,
    )
    return _plain("ok", 200)
