"""Sending queued messages, run by the background worker.

One attempt per call of ``deliver``. A retryable failure (timeout, 5xx, rate
limit) schedules the next attempt after a growing pause (``BACKOFF``); after
``MAX_ATTEMPTS`` or a final error the message is ``failed`` and the operator
sees why. Before every attempt the safety rule is asked again: a "never
contact" flag set meanwhile, or the safe time passing, stops the send.

Retries are picked up by the worker itself when the task backend can defer
(the database backend), and in any case by the periodic ``sweep``.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from sigap.intake.channels.conversations.codes import MessageStatus, OutboundPurpose, OutboundState
from sigap.intake.channels.conversations.models import Message, OutboundMessage
from sigap.intake.channels.conversations.providers import SendError, provider_for
from sigap.intake.channels.conversations.safety import send_refusal

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF = (
    datetime.timedelta(seconds=30),
    datetime.timedelta(minutes=2),
    datetime.timedelta(minutes=10),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=1),
)
# A send marked "sending" this long ago died with its worker; it is tried again
# (which may, rarely, send it twice: better than never).
STUCK_AFTER = datetime.timedelta(minutes=10)


def backoff(attempts: int) -> datetime.timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def _claim(outbound_id: int, now: datetime.datetime) -> OutboundMessage | None:
    with transaction.atomic():
        outbound = OutboundMessage.objects.select_for_update().filter(pk=outbound_id).first()
        if outbound is None or outbound.state not in (OutboundState.QUEUED, OutboundState.RETRY):
            return None
        if outbound.next_attempt_at is not None and outbound.next_attempt_at > now:
            return None
        outbound.state = OutboundState.SENDING
        outbound.attempts += 1
        outbound.last_attempt_at = now
        outbound.save(update_fields=["state", "attempts", "last_attempt_at"])
    return outbound


def _finish(
    outbound: OutboundMessage,
    *,
    state: str,
    now: datetime.datetime,
    provider_id: str = "",
    error_code: str = "",
    error_title: str = "",
    next_attempt_at: datetime.datetime | None = None,
) -> None:
    with transaction.atomic():
        outbound.state = state
        outbound.next_attempt_at = next_attempt_at
        outbound.last_error = f"{error_code}: {error_title}"[:200] if error_code else ""
        fields = ["state", "next_attempt_at", "last_error"]
        if provider_id:
            outbound.provider_id = provider_id
            outbound.sent_at = now
            fields += ["provider_id", "sent_at"]
        outbound.save(update_fields=fields)
        if outbound.message_id is None:
            return
        update: dict[str, object] = {"status_at": now}
        if state == OutboundState.SENT:
            update.update(status=MessageStatus.SENT, provider_id=provider_id, error_code="", error_title="")
        elif state == OutboundState.RETRY:
            # Still queued for the operator, with the reason of the last try.
            update.update(status=MessageStatus.QUEUED, error_code=error_code, error_title=error_title)
        elif state == OutboundState.REFUSED:
            update.update(status=MessageStatus.REFUSED, error_code=error_code, error_title="")
        else:
            update.update(status=MessageStatus.FAILED, error_code=error_code, error_title=error_title)
        # Only move a message that is still ours to move (a status webhook may have come first).
        Message.objects.filter(
            pk=outbound.message_id, status__in=[MessageStatus.QUEUED, MessageStatus.FAILED, MessageStatus.REFUSED]
        ).update(**update)


def deliver(outbound_id: int, *, now: datetime.datetime | None = None) -> str:
    """Make one attempt at sending; returns the resulting state (or why nothing was done)."""
    now = now or timezone.now()
    outbound = _claim(outbound_id, now)
    if outbound is None:
        return "skipped"
    provider = provider_for(outbound.channel)
    conversation = outbound.conversation
    if conversation is not None:
        refusal = send_refusal(
            conversation,
            template=bool(outbound.template_name),
            safe_time_confirmed=outbound.safe_time_confirmed,
            automatic=outbound.purpose == OutboundPurpose.AUTO_REPLY,
            now=now,
        )
        if refusal is not None:
            _finish(outbound, state=OutboundState.REFUSED, now=now, error_code=refusal.code)
            return OutboundState.REFUSED
        to = conversation.sender
        text = outbound.message.body if outbound.message is not None else outbound.body
    else:
        if not provider.enabled():
            _finish(outbound, state=OutboundState.REFUSED, now=now, error_code="channel_off")
            return OutboundState.REFUSED
        to = outbound.recipient or ""
        text = outbound.body
    reference = f"sigap-{outbound.pk}"
    try:
        if outbound.template_name:
            parameters = [text or ""] if outbound.purpose == OutboundPurpose.NOTIFICATION else []
            provider_id = provider.send_template(to, outbound.template_name, parameters, reference=reference)
        else:
            provider_id = provider.send_text(to, text or "", reference=reference)
    except SendError as error:
        logger.warning(
            "outbound %s attempt %s failed: %s (retryable: %s)", outbound.pk, outbound.attempts, error.code,
            error.retryable,
        )
        if error.retryable and outbound.attempts < MAX_ATTEMPTS:
            due = now + backoff(outbound.attempts)
            _finish(outbound, state=OutboundState.RETRY, now=now, error_code=error.code, error_title=error.title,
                    next_attempt_at=due)
            _schedule_retry(outbound.pk, due)
            return OutboundState.RETRY
        _finish(outbound, state=OutboundState.FAILED, now=now, error_code=error.code, error_title=error.title)
        return OutboundState.FAILED
    _finish(outbound, state=OutboundState.SENT, now=now, provider_id=provider_id)
    return OutboundState.SENT


def _schedule_retry(outbound_id: int, due: datetime.datetime) -> None:
    from sigap.intake.channels.conversations import tasks

    tasks.enqueue_at(tasks.deliver_outbound, due, outbound_id)


def due_outbound(now: datetime.datetime, *, grace: datetime.timedelta, limit: int) -> list[int]:
    """Sends the sweep should try: retries that are due, and queued ones whose task got lost.

    Also puts back sends left "sending" by a worker that died.
    """
    OutboundMessage.objects.filter(state=OutboundState.SENDING, last_attempt_at__lt=now - STUCK_AFTER).update(
        state=OutboundState.RETRY, next_attempt_at=now
    )
    retries = OutboundMessage.objects.filter(state=OutboundState.RETRY, next_attempt_at__lte=now)
    lost = OutboundMessage.objects.filter(state=OutboundState.QUEUED, created_at__lt=now - grace)
    ids = list(retries.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    ids += list(lost.order_by("created_at").values_list("pk", flat=True)[: max(0, limit - len(ids))])
    return ids
