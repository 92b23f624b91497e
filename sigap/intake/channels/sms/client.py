"""Outbound SMS through a configurable HTTP gateway.

Many offices use an Android phone running an SMS gateway app ("SMS Gateway for
Android" and the like); its local API takes exactly this request, and any other
gateway can be put behind a small adapter. ``SIGAP_SMS_GATEWAY_URL`` is the
send endpoint (basic-auth credentials may be in the URL:
``http://user:pass@192.168.1.20:8080/message``)::

    POST <url>
    Content-Type: application/json
    X-Timestamp: <unix seconds>
    X-Signature: hex HMAC-SHA256(SIGAP_SMS_GATEWAY_SECRET, body + timestamp)

    {"id": "sigap-<n>", "message": "<text>", "phoneNumbers": ["+62..."]}

Any 2xx is success; the answer's ``id`` (or ours) is the message id that the
gateway's sent/delivered/failed events name. Transport errors, 5xx and 429 are
retried; other answers are final.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
from django.conf import settings

from sigap.intake.channels.conversations.providers import FetchedMedia, SendError
from sigap.intake.codes import Channel

TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def config_ready() -> bool:
    return bool(settings.SIGAP_SMS_GATEWAY_URL and settings.SIGAP_SMS_GATEWAY_SECRET)


def sign(body: bytes, timestamp: str, secret: str) -> str:
    return hmac.new(secret.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


class SmsProvider:
    channel = Channel.SMS
    supports_templates = False
    window_hours: int | None = None

    def enabled(self) -> bool:
        # A training deployment never messages anyone (sigap/lib/training.py).
        return config_ready() and not settings.SIGAP_TRAINING

    def send_text(self, to: str, text: str, *, reference: str) -> str:
        if not self.enabled():
            raise SendError("channel_off", "SMS gateway is not configured", retryable=False)
        body = json.dumps(
            {"id": reference, "message": text, "phoneNumbers": [to]}, ensure_ascii=False, separators=(",", ":")
        ).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Timestamp": timestamp,
            "X-Signature": sign(body, timestamp, settings.SIGAP_SMS_GATEWAY_SECRET),
        }
        try:
            with httpx.Client(timeout=TIMEOUT) as client:
                response = client.post(settings.SIGAP_SMS_GATEWAY_URL, content=body, headers=headers)
        except httpx.TransportError as error:
            raise SendError("transport", type(error).__name__, retryable=True) from None
        if not 200 <= response.status_code < 300:
            retryable = response.status_code >= 500 or response.status_code == 429
            raise SendError(str(response.status_code), f"HTTP {response.status_code}", retryable=retryable)
        try:
            answer = response.json()
            provider_id = str(answer.get("id") or reference) if isinstance(answer, dict) else reference
        except ValueError:
            provider_id = reference
        return provider_id[:128]

    def send_template(self, to: str, name: str, parameters: list[str], *, reference: str) -> str:
        raise SendError("no_templates", "SMS has no templates", retryable=False)

    def fetch_media(self, media_id: str, *, max_bytes: int) -> FetchedMedia:
        raise SendError("no_media", "SMS carries no media", retryable=False)
