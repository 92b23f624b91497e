"""Fetching a message's media from the provider into sealed storage (background worker)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from sigap.intake.channels.conversations.codes import MediaState
from sigap.intake.channels.conversations.models import MediaBlob, Message
from sigap.intake.channels.conversations.providers import SendError, provider_for

logger = logging.getLogger(__name__)

MAX_MEDIA_ATTEMPTS = 5


def max_bytes() -> int:
    return int(settings.SIGAP_WHATSAPP_MEDIA_MAX_MB) * 1024 * 1024


def fetch(message_id: int) -> str:
    message = Message.objects.filter(pk=message_id).only("pk", "channel", "media_id", "media_state").first()
    if message is None or message.media_state != MediaState.PENDING or not message.media_id:
        return "skipped"
    Message.objects.filter(pk=message_id).update(media_attempts=F("media_attempts") + 1)
    attempts = Message.objects.filter(pk=message_id).values_list("media_attempts", flat=True).get()
    try:
        media = provider_for(message.channel).fetch_media(message.media_id, max_bytes=max_bytes())
    except SendError as error:
        logger.warning("media of message %s: %s (attempt %s)", message_id, error.code, attempts)
        if error.code == "too_large":
            state = MediaState.TOO_LARGE
        elif not error.retryable or attempts >= MAX_MEDIA_ATTEMPTS:
            state = MediaState.FAILED
        else:
            return "retry"
        Message.objects.filter(pk=message_id, media_state=MediaState.PENDING).update(media_state=state)
        return str(state)
    try:
        with transaction.atomic():
            locked = Message.objects.select_for_update().get(pk=message_id)
            if locked.media_state != MediaState.PENDING:
                return "skipped"
            MediaBlob.objects.create(
                message=locked, data=media.data, mime_type=media.mime_type, size=len(media.data), sha256=media.sha256
            )
            locked.media_state = MediaState.STORED
            locked.media_mime = locked.media_mime or media.mime_type
            locked.save(update_fields=["media_state", "media_mime"])
    except IntegrityError:
        return "skipped"  # fetched twice at once; the other copy is kept
    return MediaState.STORED


def due_media(now: datetime.datetime, *, grace: datetime.timedelta, limit: int) -> list[int]:
    """Media still pending after the first task had its chance."""
    return list(
        Message.objects.filter(
            media_state=MediaState.PENDING, created_at__lt=now - grace, media_attempts__lt=MAX_MEDIA_ATTEMPTS
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def mark_exhausted() -> int:
    return Message.objects.filter(media_state=MediaState.PENDING, media_attempts__gte=MAX_MEDIA_ATTEMPTS).update(
        media_state=MediaState.FAILED
    )


def stored_media(message: Message) -> MediaBlob | None:
    return MediaBlob.objects.filter(message=message).first()
