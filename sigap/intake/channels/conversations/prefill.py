"""``/pengaduan/laporan/baru/?conversation=<id>``: the report form pre-filled from a chat.

The reporter's phone is the sender's number; the chronology draft is the sender's messages in order, each with its local
time, for the operator to edit into a chronology; media are named, not
described. The contact is the one recorded when the operator pressed
"Buat laporan" (``actions.start_report``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.intake.channels.conversations.access import conversations_for
from sigap.intake.channels.conversations.codes import Direction, MessageKind
from sigap.intake.channels.conversations.models import Message
from sigap.lib.params import parse_id

MAX_MESSAGES = 200


def _media_label(message: Message) -> str:
    if message.kind == MessageKind.AUDIO:
        return _("[pesan suara]") if message.voice else _("[audio]")
    labels: dict[str, str] = {
        MessageKind.IMAGE: _("[gambar]"),
        MessageKind.VIDEO: _("[video]"),
        MessageKind.DOCUMENT: _("[dokumen]"),
        MessageKind.STICKER: _("[stiker]"),
        MessageKind.LOCATION: _("[lokasi]"),
        MessageKind.CONTACTS: _("[kontak]"),
        MessageKind.REACTION: _("[reaksi]"),
        MessageKind.UNSUPPORTED: _("[pesan tidak didukung]"),
    }
    return labels.get(message.kind, "")


def chronology_draft(messages: list[Message]) -> str:
    lines = []
    for message in messages:
        when = timezone.localtime(message.provider_timestamp or message.created_at)
        parts = [p for p in (_media_label(message), (message.body or "").strip()) if p]
        if parts:
            lines.append(f"[{when:%d-%m-%Y %H:%M}] " + " ".join(parts))
    return "\n".join(lines)


def conversation_prefill(object_id: str, user: Any) -> Mapping[str, Any] | None:
    pk = parse_id(object_id)
    if pk is None:
        return None
    conversation = conversations_for(user).filter(pk=pk).first()
    if conversation is None:
        return None
    messages = list(
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND).order_by(
            "created_at", "id"
        )[:MAX_MESSAGES]
    )
    # Providers retry deliveries, so arrival order is not always writing order.
    messages.sort(key=lambda m: (m.provider_timestamp or m.created_at, m.pk))
    # The sender's number becomes the reporter's phone (read here, never put in a URL).
    data: dict[str, Any] = {"channel": conversation.channel, "description": chronology_draft(messages),
                            "reporter_phone": conversation.sender}
    if conversation.contact_id:
        data["contact"] = conversation.contact_id
    return data


def register() -> None:
    from sigap.intake.prefill import register_prefill

    register_prefill("conversation", conversation_prefill)
