"""The seam between the shared conversation code and each channel's provider.

A provider sends a text or an approved template and fetches media. It reads its
credentials from settings at call time (tests point them at a local fake) and
says whether it is configured: a channel with an empty credential is off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.utils.module_loading import import_string

from sigap.intake.codes import Channel

# Channel -> the provider class, one plug-in per channel package.
PROVIDERS: dict[str, str] = {
    Channel.WHATSAPP: "sigap.intake.channels.whatsapp.client.WhatsAppProvider",
    Channel.SMS: "sigap.intake.channels.sms.client.SmsProvider",
}


class SendError(Exception):
    """A send or fetch that did not work. ``code`` and ``title`` are generic, never content.

    ``retryable``: the same request may work later (timeouts, 5xx, rate limits).
    """

    def __init__(self, code: str, title: str, *, retryable: bool) -> None:
        super().__init__(f"{code}: {title}")
        self.code = code[:20]
        self.title = title[:200]
        self.retryable = retryable


@dataclass(frozen=True)
class FetchedMedia:
    data: bytes
    mime_type: str
    sha256: str


class Provider(Protocol):
    channel: str
    supports_templates: bool
    # WhatsApp's customer-service window; None where the channel has none (SMS).
    window_hours: int | None

    def enabled(self) -> bool: ...

    def send_text(self, to: str, text: str, *, reference: str) -> str:
        """Send and return the provider's message id. ``reference``: our id for the send."""
        ...

    def send_template(self, to: str, name: str, parameters: list[str], *, reference: str) -> str: ...

    def fetch_media(self, media_id: str, *, max_bytes: int) -> FetchedMedia: ...


def provider_for(channel: str) -> Provider:
    try:
        path = PROVIDERS[channel]
    except KeyError:
        raise ValueError(f"no provider for channel {channel!r}") from None
    provider: Provider = import_string(path)()
    return provider
