"""Reading WhatsApp Cloud API webhook payloads.

Shape (``object: whatsapp_business_account``)::

    entry[].changes[] with field "messages" and value:
      messaging_product, metadata {display_phone_number, phone_number_id},
      contacts [{profile {name}, wa_id}],
      messages [{from, id, timestamp, type, text {body} | image {id, mime_type,
                 sha256, caption} | audio {id, mime_type, voice} | document |
                 video | sticker | location {latitude, longitude, name, address} |
                 interactive {type, button_reply {id, title} | list_reply {id,
                 title, description}} | button {text, payload} | reaction |
                 contacts}],
      statuses [{id, status, timestamp, recipient_id, errors [{code, title}]}]

Changes for another phone number id (several numbers on one app) are skipped.
Malformed items are counted and skipped, never fatal: the provider would only
retry the same delivery.
"""

from __future__ import annotations

from typing import Any

from sigap.intake.channels.conversations.codes import MessageKind, MessageStatus
from sigap.intake.channels.conversations.inbound import (
    Delivery,
    InboundMessage,
    StatusUpdate,
    from_unix,
)

STATUS_MAP = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "failed": MessageStatus.FAILED,
}
MEDIA_TYPES = {
    "image": MessageKind.IMAGE,
    "audio": MessageKind.AUDIO,
    "video": MessageKind.VIDEO,
    "document": MessageKind.DOCUMENT,
    "sticker": MessageKind.STICKER,
}
MAX_TEXT = 8000


def _text(value: Any) -> str | None:
    if isinstance(value, str | int | float) and str(value).strip():
        return str(value)[:MAX_TEXT]
    return None


def _join(*parts: Any) -> str | None:
    texts = [t for t in (_text(p) for p in parts) if t]
    return "\n".join(texts) or None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _message(raw: dict[str, Any], names: dict[str, str]) -> InboundMessage | None:
    provider_id, sender, kind = raw.get("id"), raw.get("from"), raw.get("type")
    if not isinstance(provider_id, str) or not provider_id or len(provider_id) > 128:
        return None
    if not isinstance(sender, str | int) or not str(sender).strip():
        return None
    wa_id = str(sender).strip()
    common: dict[str, Any] = {
        "provider_id": provider_id,
        # wa_id is always international without "+"; read it as such, never as a
        # national number (a foreign "1415..." is not an Indonesian number).
        "sender": "+" + wa_id.lstrip("+"),
        "profile_name": names.get(wa_id),
        "timestamp": from_unix(raw.get("timestamp")),
    }
    if kind == "text":
        return InboundMessage(kind=MessageKind.TEXT, body=_text(_dict(raw.get("text")).get("body")), **common)
    if kind in MEDIA_TYPES:
        media = _dict(raw.get(kind))
        media_id = media.get("id")
        body = _join(media.get("caption"), media.get("filename")) if kind == "document" else _text(media.get("caption"))
        return InboundMessage(
            kind=MEDIA_TYPES[kind],
            body=body,
            media_id=str(media_id)[:128] if isinstance(media_id, str | int) else "",
            media_mime=str(media.get("mime_type") or "")[:100],
            media_sha256=str(media.get("sha256") or "")[:64],
            voice=bool(media.get("voice")),
            **common,
        )
    if kind == "location":
        loc = _dict(raw.get("location"))
        coordinates = None
        if loc.get("latitude") is not None and loc.get("longitude") is not None:
            coordinates = f"{loc.get('latitude')}, {loc.get('longitude')}"
        return InboundMessage(
            kind=MessageKind.LOCATION, body=_join(loc.get("name"), loc.get("address"), coordinates), **common
        )
    if kind == "interactive":
        interactive = _dict(raw.get("interactive"))
        reply = _dict(interactive.get("button_reply") or interactive.get("list_reply"))
        return InboundMessage(
            kind=MessageKind.INTERACTIVE, body=_join(reply.get("title"), reply.get("description")), **common
        )
    if kind == "button":
        return InboundMessage(kind=MessageKind.BUTTON, body=_text(_dict(raw.get("button")).get("text")), **common)
    if kind == "reaction":
        return InboundMessage(kind=MessageKind.REACTION, body=_text(_dict(raw.get("reaction")).get("emoji")), **common)
    if kind == "contacts":
        shared = []
        for card in _list(raw.get("contacts")):
            card = _dict(card)
            name = _dict(card.get("name")).get("formatted_name")
            phones = ", ".join(str(_dict(p).get("phone", "")) for p in _list(card.get("phones")))
            shared.append(" ".join(t for t in (_text(name), phones) if t))
        return InboundMessage(kind=MessageKind.CONTACTS, body=_join(*shared), **common)
    # "unsupported", "system", "order" and anything newer: kept so the operator
    # sees that something arrived.
    return InboundMessage(kind=MessageKind.UNSUPPORTED, **common)


def _status(raw: dict[str, Any]) -> StatusUpdate | None:
    provider_id, status = raw.get("id"), STATUS_MAP.get(str(raw.get("status")))
    if not isinstance(provider_id, str) or not provider_id or status is None:
        return None
    code = title = ""
    errors = _list(raw.get("errors"))
    if errors:
        first = _dict(errors[0])
        code = str(first.get("code", ""))[:20]
        title = str(first.get("title") or first.get("message") or "")[:200]
    return StatusUpdate(
        provider_id=provider_id[:128],
        status=status,
        timestamp=from_unix(raw.get("timestamp")),
        error_code=code,
        error_title=title,
    )


def parse(payload: Any, *, phone_number_id: str) -> Delivery:
    delivery = Delivery()
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        delivery.skipped += 1
        return delivery
    for entry in _list(payload.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            change = _dict(change)
            if change.get("field") != "messages":
                delivery.skipped += 1
                continue
            value = _dict(change.get("value"))
            metadata_id = str(_dict(value.get("metadata")).get("phone_number_id", ""))
            if phone_number_id and metadata_id and metadata_id != phone_number_id:
                delivery.skipped += 1
                continue
            names = {}
            for contact in _list(value.get("contacts")):
                contact = _dict(contact)
                name = _text(_dict(contact.get("profile")).get("name"))
                if contact.get("wa_id") and name:
                    names[str(contact["wa_id"])] = name[:200]
            for raw in _list(value.get("messages")):
                message = _message(_dict(raw), names)
                if message is None:
                    delivery.skipped += 1
                else:
                    delivery.messages.append(message)
            for raw in _list(value.get("statuses")):
                status = _status(_dict(raw))
                if status is None:
                    delivery.skipped += 1
                else:
                    delivery.statuses.append(status)
    return delivery
