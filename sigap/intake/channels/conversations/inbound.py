"""What a channel's webhook hands to the conversations app, whatever its wire format."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from sigap.vault.blind import NotNormalisable, blind_index, normalise_phone


@dataclass(frozen=True)
class InboundMessage:
    provider_id: str
    sender: str
    kind: str
    body: str | None = None
    profile_name: str | None = None
    timestamp: datetime.datetime | None = None
    media_id: str = ""
    media_mime: str = ""
    media_sha256: str = ""
    voice: bool = False


@dataclass(frozen=True)
class StatusUpdate:
    provider_id: str
    status: str  # a codes.MessageStatus value
    timestamp: datetime.datetime | None = None
    error_code: str = ""
    error_title: str = ""


@dataclass
class Delivery:
    """One webhook delivery, parsed. ``skipped``: items that were malformed or of no interest."""

    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    skipped: int = 0


class BadSender(ValueError):
    """The sender is not a phone number we could reply to."""


def canonical_sender(raw: str) -> str:
    """E.164: WhatsApp's ``wa_id`` ("6281234567890") and an SMS gateway's "0812..." agree."""
    try:
        return normalise_phone(raw)
    except NotNormalisable:
        digits = re.sub(r"\D", "", raw or "")
        if not 6 <= len(digits) <= 15:
            raise BadSender("not a phone number") from None
        return "+" + digits


def sender_index(canonical: str) -> str:
    return blind_index("phone", canonical)


def from_unix(value: object) -> datetime.datetime | None:
    try:
        seconds = int(str(value))
    except (TypeError, ValueError):
        return None
    if not 0 < seconds < 2**33:
        return None
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
