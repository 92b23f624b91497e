"""Test helpers: a fake WhatsApp Graph API and SMS gateway on 127.0.0.1, and
webhook payloads in the providers' documented shapes.

``FakeProvider`` is a real HTTP server in a thread. It answers like the Graph
API (message sends, media lookups and downloads) and like an Android SMS
gateway's send endpoint, records every request, and can be told to fail the
next requests (``fail_next(500)``) to exercise retries.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

APP_SECRET = "uji-rahasia-aplikasi"  # noqa: S105 - test credentials only
VERIFY_TOKEN = "uji-token-verifikasi"  # noqa: S105
ACCESS_TOKEN = "uji-token-akses"  # noqa: S105
PHONE_NUMBER_ID = "106540352242922"
DISPLAY_NUMBER = "6281271857372"
SMS_SECRET = "uji-rahasia-gateway-sms"  # noqa: S105
API_VERSION = "v21.0"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class _Media:
    data: bytes
    mime_type: str


@dataclass
class FakeProvider:
    requests: list[Recorded] = field(default_factory=list)
    media: dict[str, _Media] = field(default_factory=dict)
    failures: list[tuple[int, dict[str, Any] | None]] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    # -- control -------------------------------------------------------------

    def start(self) -> FakeProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                record = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with provider._lock:
                    provider.requests.append(record)
                    failure = provider.failures.pop(0) if provider.failures and self.command == "POST" else None
                if failure is not None:
                    status, payload = failure
                    self._answer(status, payload or {"error": {"message": "Service temporarily unavailable",
                                                               "type": "OAuthException", "code": 2,
                                                               "fbtrace_id": "AbCdEf"}})
                    return
                status, answer, content_type = provider.route(record)
                self._answer(status, answer, content_type)

            do_GET = _handle
            do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def settings(self, **extra: Any) -> dict[str, Any]:
        """Settings that point both channels at this server."""
        values: dict[str, Any] = {
            "SIGAP_WHATSAPP_API_BASE": self.base_url,
            "SIGAP_WHATSAPP_API_VERSION": API_VERSION,
            "SIGAP_WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "SIGAP_WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
            "SIGAP_WHATSAPP_APP_SECRET": APP_SECRET,
            "SIGAP_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "SIGAP_SMS_GATEWAY_URL": self.base_url + "/sms/message",
            "SIGAP_SMS_GATEWAY_SECRET": SMS_SECRET,
            # Always open unless a test says otherwise: no automatic replies.
            "SIGAP_OFFICE_HOURS": "mon-sun 00:00-24:00",
        }
        values.update(extra)
        return values

    def add_media(self, media_id: str, data: bytes, mime_type: str) -> None:
        self.media[media_id] = _Media(data, mime_type)

    def fail_next(self, status: int, payload: dict[str, Any] | None = None, times: int = 1) -> None:
        with self._lock:
            self.failures.extend([(status, payload)] * times)

    def sent_messages(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/messages")]

    def sms_sent(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path.startswith("/sms/")]

    # -- the provider's answers ------------------------------------------------

    def route(self, record: Recorded) -> tuple[int, Any, str]:
        authorised = record.headers.get("authorization") == f"Bearer {ACCESS_TOKEN}"
        parts = record.path.strip("/").split("/")
        if record.method == "POST" and record.path == f"/{API_VERSION}/{PHONE_NUMBER_ID}/messages":
            if not authorised:
                return 401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
                                       "code": 190}}, "application/json"
            to = record.json.get("to", "")
            return 200, {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": f"wamid.FAKE{next(self._ids):06d}"}],
            }, "application/json"
        if record.method == "GET" and len(parts) == 2 and parts[0] == API_VERSION and parts[1] in self.media:
            if not authorised:
                return 401, {"error": {"message": "Invalid OAuth access token.", "code": 190}}, "application/json"
            media = self.media[parts[1]]
            return 200, {
                "messaging_product": "whatsapp",
                "url": f"{self.base_url}/whatsapp_business/attachments/?mid={parts[1]}",
                "mime_type": media.mime_type,
                "sha256": hashlib.sha256(media.data).hexdigest(),
                "file_size": len(media.data),
                "id": parts[1],
            }, "application/json"
        if record.method == "GET" and record.path.startswith("/whatsapp_business/attachments/?mid="):
            media_id = record.path.split("mid=", 1)[1]
            if not authorised or media_id not in self.media:
                return 404, b"", "text/plain"
            return 200, self.media[media_id].data, self.media[media_id].mime_type
        if record.method == "POST" and record.path.startswith("/sms/"):
            body = record.json
            return 202, {"id": body.get("id"), "state": "Pending",
                         "recipients": [{"phoneNumber": n, "state": "Pending"} for n in body.get("phoneNumbers", [])]}, \
                "application/json"
        return 404, {"error": {"message": "Unknown path", "code": 100}}, "application/json"


# --- webhook payloads ---------------------------------------------------------------


def _value(**fields: Any) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": PHONE_NUMBER_ID},
                            **fields,
                        },
                    }
                ],
            }
        ],
    }


def wa_message(
    wa_id: str, message_id: str, kind: str = "text", *, name: str = "Pelapor Uji", timestamp: int | None = None,
    **content: Any,
) -> dict[str, Any]:
    """A webhook delivery with one message; ``content`` is the type's object (``text={"body": ...}``)."""
    message: dict[str, Any] = {
        "from": wa_id,
        "id": message_id,
        "timestamp": str(timestamp or int(time.time())),
        "type": kind,
    }
    message.update(content)
    return _value(contacts=[{"profile": {"name": name}, "wa_id": wa_id}], messages=[message])


def wa_text(wa_id: str, message_id: str, body: str, **kwargs: Any) -> dict[str, Any]:
    return wa_message(wa_id, message_id, "text", text={"body": body}, **kwargs)


def wa_status(message_id: str, status: str, recipient: str, *, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient,
    }
    if status in ("sent", "delivered"):
        item["conversation"] = {"id": "CONVERSATION_ID", "origin": {"type": "service"}}
        item["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "service"}
    if errors:
        item["errors"] = errors
    return _value(statuses=[item])


def wa_signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def wa_post(client: Any, payload: Any, *, secret: str = APP_SECRET, signature: str | None = None) -> Any:
    """POST a delivery to /webhooks/whatsapp signed as Meta signs it (the raw body's HMAC)."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {}
    sig = wa_signature(body, secret) if signature is None else signature
    if sig:
        headers["HTTP_X_HUB_SIGNATURE_256"] = sig
    return client.post("/webhooks/whatsapp", data=body, content_type="application/json", **headers)


def sms_event(event: str, event_id: str, **payload: Any) -> dict[str, Any]:
    return {
        "deviceId": "ffffffffceb0b1db00000193991c27e5",
        "event": event,
        "id": event_id,
        "payload": payload,
        "webhookId": "LreFUt-Z3sSq0JufY9uWB",
    }


def sms_post(client: Any, payload: Any, *, secret: str = SMS_SECRET, timestamp: int | None = None,
             signature: str | None = None) -> Any:
    body = json.dumps(payload, separators=(",", ":")).encode()
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    sig = hmac.new(secret.encode(), body + stamp.encode(), hashlib.sha256).hexdigest() if signature is None else signature
    return client.post(
        "/webhooks/sms", data=body, content_type="application/json", HTTP_X_TIMESTAMP=stamp, HTTP_X_SIGNATURE=sig
    )
