"""The WhatsApp Business Cloud API (Graph API) as SIGAP uses it.

* send: ``POST {base}/{version}/{phone-number-id}/messages`` with a text or a
  template; the answer names the message id (``wamid...``);
* media: ``GET {base}/{version}/{media-id}`` answers a short-lived URL, which is
  fetched with the same bearer token.

Errors come back as ``{"error": {"code", "message", "type", ...}}``. Transport
failures, 5xx, 429 and the codes Meta documents as temporary are retryable;
every other error is final (a wrong number, an expired token, the 24-hour window).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings

from sigap.intake.channels.conversations.providers import FetchedMedia, SendError
from sigap.intake.codes import Channel

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# Meta's error codes that mean "try again later": temporary/unknown errors,
# service unavailable, throughput and pair rate limits.
RETRYABLE_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131056})


def config_ready() -> bool:
    return all(
        (
            settings.SIGAP_WHATSAPP_PHONE_NUMBER_ID,
            settings.SIGAP_WHATSAPP_ACCESS_TOKEN,
            settings.SIGAP_WHATSAPP_APP_SECRET,
            settings.SIGAP_WHATSAPP_VERIFY_TOKEN,
        )
    )


# What a Graph API id looks like (media ids and phone-number ids are digits; versions "v21.0").
GRAPH_ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")


def _graph_url(*parts: str) -> str:
    """The Graph API URL of ``parts``; each is checked and percent-encoded, so an id taken from a
    webhook (a media id) can never add a path, a query or another host to the request."""
    for part in (settings.SIGAP_WHATSAPP_API_VERSION, *parts):
        if not GRAPH_ID.fullmatch(str(part)) or part in (".", ".."):
            raise SendError("bad_id", "an id for the Graph API URL is malformed", retryable=False)
    encoded = [quote(str(part), safe="") for part in (settings.SIGAP_WHATSAPP_API_VERSION, *parts)]
    return "/".join([settings.SIGAP_WHATSAPP_API_BASE.rstrip("/"), *encoded])


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.SIGAP_WHATSAPP_ACCESS_TOKEN}"}


def _error_of(response: httpx.Response) -> SendError:
    code: Any = response.status_code
    title = f"HTTP {response.status_code}"
    try:
        error = response.json().get("error") or {}
        code = error.get("code", code)
        title = str(error.get("message") or error.get("type") or title)
    except (ValueError, AttributeError):
        pass
    try:
        numeric = int(code)
    except (TypeError, ValueError):
        numeric = 0
    retryable = response.status_code >= 500 or response.status_code == 429 or numeric in RETRYABLE_CODES
    return SendError(str(code), title, retryable=retryable)


def _request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        with httpx.Client(timeout=TIMEOUT) as client:
            return client.request(method, url, headers=_headers(), **kwargs)
    except httpx.TransportError as error:
        raise SendError("transport", type(error).__name__, retryable=True) from None


class WhatsAppProvider:
    channel = Channel.WHATSAPP
    supports_templates = True
    window_hours: int | None = 24

    def enabled(self) -> bool:
        # A training deployment never messages anyone (sigap/lib/training.py).
        return config_ready() and not settings.SIGAP_TRAINING

    def _send(self, payload: dict[str, Any]) -> str:
        if not self.enabled():
            raise SendError("channel_off", "WhatsApp is not configured", retryable=False)
        response = _request("POST", _graph_url(settings.SIGAP_WHATSAPP_PHONE_NUMBER_ID, "messages"), json=payload)
        if response.status_code != 200:
            raise _error_of(response)
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError):
            raise SendError("bad_answer", "unexpected answer from the Graph API", retryable=False) from None

    def send_text(self, to: str, text: str, *, reference: str) -> str:
        return self._send(
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to.lstrip("+"),
                "type": "text",
                "text": {"preview_url": False, "body": text},
            }
        )

    def send_template(self, to: str, name: str, parameters: list[str], *, reference: str) -> str:
        template: dict[str, Any] = {"name": name, "language": {"code": settings.SIGAP_WHATSAPP_TEMPLATE_LANGUAGE}}
        if parameters:
            template["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}
            ]
        return self._send(
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to.lstrip("+"),
                "type": "template",
                "template": template,
            }
        )

    def fetch_media(self, media_id: str, *, max_bytes: int) -> FetchedMedia:
        if not self.enabled():
            raise SendError("channel_off", "WhatsApp is not configured", retryable=False)
        response = _request("GET", _graph_url(media_id))
        if response.status_code != 200:
            raise _error_of(response)
        try:
            info = response.json()
            url = str(info["url"])
            mime_type = str(info.get("mime_type") or "application/octet-stream")
            expected = str(info.get("sha256") or "")
            size = int(info.get("file_size") or 0)
        except (ValueError, KeyError, TypeError):
            raise SendError("bad_answer", "unexpected media answer from the Graph API", retryable=False) from None
        if size > max_bytes:
            raise SendError("too_large", "media larger than the limit", retryable=False)
        data = self._download(url, max_bytes)
        digest = hashlib.sha256(data).hexdigest()
        if expected and expected.lower() != digest:
            raise SendError("sha256", "media checksum does not match", retryable=True)
        return FetchedMedia(data=data, mime_type=mime_type[:100], sha256=digest)

    def _download(self, url: str, max_bytes: int) -> bytes:
        if not url.startswith(("https://", "http://")):
            raise SendError("bad_answer", "media URL is not http(s)", retryable=False)
        chunks: list[bytes] = []
        total = 0
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0)) as client,
                client.stream("GET", url, headers=_headers()) as response,
            ):
                if response.status_code != 200:
                    response.read()
                    raise _error_of(response)
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise SendError("too_large", "media larger than the limit", retryable=False)
                    chunks.append(chunk)
        except httpx.TransportError as error:
            raise SendError("transport", type(error).__name__, retryable=True) from None
        return b"".join(chunks)
