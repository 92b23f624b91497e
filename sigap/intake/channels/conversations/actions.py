"""Every change to conversations, each one transaction with its audit entries.

* ``receive(channel, delivery)``: a webhook delivery (messages and status updates)
* ``take`` / ``assign`` / ``set_never_contact`` / ``close``
* ``start_report``: record the intake contact, for the report form
* ``queue_reply`` / ``resend``: an operator's message, sent by the worker
* ``queue_notification``: a staff notification by WhatsApp or SMS

Inbound messages and provider status updates are not audited one by one (the
message rows are the record and they carry no staff action); a new conversation
and every operator action are. Side effects (tasks) run after commit.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from sigap.accounts.roles import Perm, has_permission
from sigap.intake.actions import record_contact
from sigap.intake.channels.conversations.access import can_use_inbox
from sigap.intake.channels.conversations.codes import (
    STATUS_RANK,
    ConversationState,
    Direction,
    MediaState,
    MessageKind,
    MessageStatus,
    OutboundPurpose,
    OutboundState,
)
from sigap.intake.channels.conversations.inbound import (
    BadSender,
    Delivery,
    InboundMessage,
    StatusUpdate,
    canonical_sender,
    sender_index,
)
from sigap.intake.channels.conversations.models import (
    Conversation,
    Message,
    OutboundMessage,
    SenderBucket,
    StaffPhone,
)
from sigap.intake.channels.conversations.safety import Refusal, send_refusal
from sigap.intake.codes import Channel, ContactOutcome
from sigap.intake.models import Contact
from sigap.intake.signals import conversation_started, send_on_commit
from sigap.intake.validation import ContactInput
from sigap.vault.audit import record

logger = logging.getLogger(__name__)

# A provider clock ahead of ours by more than this is not trusted for the window.
CLOCK_SKEW = datetime.timedelta(minutes=10)


# --- receiving ------------------------------------------------------------------


@dataclass
class ReceiveResult:
    new_messages: list[Message] = field(default_factory=list)
    duplicates: int = 0
    statuses_applied: int = 0
    rejected: int = 0


def receive(channel: str, delivery: Delivery, *, now: datetime.datetime | None = None) -> ReceiveResult:
    """Store a delivery's new messages and apply its status updates, in one transaction.

    A message whose provider id is already stored is skipped (providers retry
    and duplicate deliveries). Media fetches and automatic replies are queued
    after commit.
    """
    now = now or timezone.now()
    result = ReceiveResult()
    started: list[Conversation] = []
    with transaction.atomic():
        for item in delivery.messages:
            try:
                message = _store_inbound(channel, item, now, started)
            except BadSender:
                result.rejected += 1
                continue
            if message is None:
                result.duplicates += 1
            else:
                result.new_messages.append(message)
        for status in delivery.statuses:
            result.statuses_applied += _apply_status(channel, status, now)
        # Audited last: the chain's head lock is taken after every conversation
        # lock, in the same order as operator actions take them (no deadlock).
        for conversation in started:
            record("conversations.conversation_started", obj=conversation)
            send_on_commit(conversation_started, sender=Conversation, conversation=conversation)
        if result.new_messages:
            new = list(result.new_messages)
            transaction.on_commit(lambda: _after_receive(new))
    return result


def _open_conversation(channel: str, sender: str, index: str) -> Conversation | None:
    """The sender's open conversation, row-locked (a concurrent close waits, or wins and is seen)."""
    for candidate in (
        Conversation.objects.select_for_update()
        .filter(channel=channel, sender_index=index, state=ConversationState.OPEN)
        .order_by("-last_message_at")
    ):
        if candidate.sender == sender:  # the index collides on purpose; confirm
            return candidate
    return None


def _store_inbound(
    channel: str, item: InboundMessage, now: datetime.datetime, started: list[Conversation]
) -> Message | None:
    if Message.objects.filter(channel=channel, provider_id=item.provider_id).exists():
        return None
    sender = canonical_sender(item.sender)
    index = sender_index(sender)
    conversation = _open_conversation(channel, sender, index)
    if conversation is None:
        # Creating: serialise on the sender's bucket row so two deliveries from a
        # new sender make one conversation, then look again under that lock.
        bucket, _created = SenderBucket.objects.get_or_create(channel=channel, sender_index=index)
        SenderBucket.objects.select_for_update().filter(pk=bucket.pk).first()
        conversation = _open_conversation(channel, sender, index)
    if conversation is None:
        conversation = Conversation.objects.create(
            channel=channel,
            sender=sender,
            sender_index=index,
            profile_name=item.profile_name,
            started_at=now,
            last_message_at=now,
        )
        started.append(conversation)
    written_at = item.timestamp if item.timestamp and item.timestamp <= now + CLOCK_SKEW else now
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                channel=channel,
                direction=Direction.INBOUND,
                provider_id=item.provider_id,
                kind=item.kind,
                body=item.body,
                media_id=item.media_id,
                media_mime=item.media_mime,
                media_sha256=item.media_sha256,
                media_state=MediaState.PENDING if item.media_id else MediaState.NONE,
                voice=item.voice,
                status=MessageStatus.RECEIVED,
                provider_timestamp=item.timestamp,
                created_at=now,
            )
    except IntegrityError:
        return None  # a concurrent twin of this delivery stored it first
    changed = ["last_message_at"]
    conversation.last_message_at = now
    if conversation.last_inbound_at is None or written_at > conversation.last_inbound_at:
        conversation.last_inbound_at = written_at
        changed.append("last_inbound_at")
    if conversation.waiting_since is None:
        conversation.waiting_since = now
        changed.append("waiting_since")
    if item.profile_name and item.profile_name != conversation.profile_name:
        conversation.profile_name = item.profile_name
        changed.append("profile_name")
    conversation.save(update_fields=changed)
    return message


def _climbs(current: str, new: str) -> bool:
    if current in (MessageStatus.REFUSED, MessageStatus.RECEIVED):
        return False
    return STATUS_RANK.get(new, -1) > STATUS_RANK.get(current, -1)


def _apply_status(channel: str, status: StatusUpdate, now: datetime.datetime) -> int:
    applied = 0
    message = Message.objects.select_for_update().filter(channel=channel, provider_id=status.provider_id).first()
    if message is not None and _climbs(message.status, status.status):
        message.status = status.status
        message.status_at = status.timestamp or now
        fields = ["status", "status_at"]
        if status.status == MessageStatus.FAILED:
            message.error_code, message.error_title = status.error_code, status.error_title
            fields += ["error_code", "error_title"]
        message.save(update_fields=fields)
        applied = 1
    if status.status == MessageStatus.FAILED:
        # A notification has no message row; its send record shows the failure.
        updated = OutboundMessage.objects.filter(
            channel=channel, provider_id=status.provider_id, message__isnull=True
        ).update(state=OutboundState.FAILED, last_error=f"{status.error_code}: {status.error_title}"[:200])
        applied = applied or updated
    return applied


def _after_receive(messages: list[Message]) -> None:
    from sigap.intake.channels.conversations import tasks

    for message in messages:
        if message.media_state == MediaState.PENDING:
            tasks.enqueue(tasks.fetch_media, message.pk)
    for conversation_id in sorted({m.conversation_id for m in messages}):
        if tasks.auto_reply_may_be_due():
            tasks.enqueue(tasks.auto_reply, conversation_id)


# --- operator actions --------------------------------------------------------------


def _check(by: Any) -> None:
    if not can_use_inbox(by):
        raise PermissionDenied


def _locked(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def take(conversation: Conversation, *, by: Any, request: HttpRequest | None = None) -> Conversation:
    return assign(conversation, to=by, by=by, request=request)


def assign(conversation: Conversation, *, to: Any, by: Any, request: HttpRequest | None = None) -> Conversation:
    """Give the conversation to ``to`` (someone who works the inbox), or to nobody (None)."""
    _check(by)
    if to is not None and not has_permission(to, Perm.RECORD_CONTACT):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(conversation)
        locked.assigned_to = to
        locked.save(update_fields=["assigned_to"])
        record("conversations.assigned", actor=by, obj=locked, request=request)
    conversation.assigned_to = to
    return locked


def set_never_contact(
    conversation: Conversation, value: bool, *, by: Any, request: HttpRequest | None = None
) -> Conversation:
    _check(by)
    with transaction.atomic():
        locked = _locked(conversation)
        locked.never_contact = value
        locked.save(update_fields=["never_contact"])
        record(
            "conversations.never_contact_set" if value else "conversations.never_contact_cleared",
            actor=by,
            obj=locked,
            request=request,
        )
        if value:
            # Queued messages must not go out once the flag is set.
            OutboundMessage.objects.filter(
                conversation=locked, state__in=[OutboundState.QUEUED, OutboundState.RETRY]
            ).update(state=OutboundState.REFUSED, last_error="never_contact")
            Message.objects.filter(conversation=locked, status=MessageStatus.QUEUED).update(
                status=MessageStatus.REFUSED, error_code="never_contact"
            )
    conversation.never_contact = value
    return locked


def _ensure_contact(
    conversation: Conversation, outcome: str, *, by: Any, request: HttpRequest | None
) -> Contact:
    if conversation.contact_id:
        contact = Contact.objects.get(pk=conversation.contact_id)
        return contact
    contact = record_contact(
        ContactInput(
            channel=Channel(conversation.channel),
            outcome=ContactOutcome(outcome),
            started_at=conversation.started_at,
            caller_phone=conversation.sender,
            do_not_call_back=conversation.never_contact,
        ),
        by=by,
        request=request,
    )
    conversation.contact = contact
    conversation.save(update_fields=["contact"])
    return contact


def start_report(conversation: Conversation, *, by: Any, request: HttpRequest | None = None) -> Contact:
    """Record the conversation as an intake contact (outcome: new report) for the report form."""
    _check(by)
    with transaction.atomic():
        locked = _locked(conversation)
        contact = _ensure_contact(locked, ContactOutcome.NEW_REPORT, by=by, request=request)
        if locked.assigned_to_id is None:
            locked.assigned_to = by
            locked.save(update_fields=["assigned_to"])
        record("conversations.report_started", actor=by, obj=locked, request=request)
    conversation.contact = contact
    return contact


def close(
    conversation: Conversation, outcome: str, *, by: Any, request: HttpRequest | None = None
) -> Conversation:
    """End the conversation; its contact is recorded with ``outcome`` if not recorded yet.

    The sender's next message starts a new conversation.
    """
    _check(by)
    with transaction.atomic():
        locked = _locked(conversation)
        if locked.state == ConversationState.CLOSED:
            return locked
        _ensure_contact(locked, outcome, by=by, request=request)
        locked.state = ConversationState.CLOSED
        locked.closed_at = timezone.now()
        locked.waiting_since = None
        locked.save(update_fields=["state", "closed_at", "waiting_since"])
        record("conversations.closed", actor=by, obj=locked, request=request)
    return locked


# --- sending -----------------------------------------------------------------------


class SendRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.code)
        self.refusal = refusal


def _queue(
    conversation: Conversation,
    *,
    body: str,
    purpose: str,
    by: Any,
    template_name: str = "",
    safe_time_confirmed: bool = False,
    now: datetime.datetime,
) -> OutboundMessage:
    message = Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.OUTBOUND,
        kind=MessageKind.TEMPLATE if template_name else MessageKind.TEXT,
        body=body,
        status=MessageStatus.QUEUED,
        status_at=now,
        sent_by=by,
        created_at=now,
    )
    return OutboundMessage.objects.create(
        channel=conversation.channel,
        purpose=purpose,
        conversation=conversation,
        message=message,
        template_name=template_name,
        safe_time_confirmed=safe_time_confirmed,
        created_by=by,
        created_at=now,
    )


def _deliver_after_commit(outbound_id: int) -> None:
    from sigap.intake.channels.conversations import tasks

    transaction.on_commit(lambda: tasks.enqueue(tasks.deliver_outbound, outbound_id))


def queue_reply(
    conversation: Conversation,
    text: str,
    *,
    by: Any,
    template_name: str = "",
    safe_time_confirmed: bool = False,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> Message:
    """An operator's message (text, or an approved template outside the 24-hour window).

    Raises ``SendRefused`` (nothing stored) when the safety rule says no.
    """
    from django.conf import settings

    _check(by)
    now = now or timezone.now()
    if template_name and template_name not in settings.SIGAP_WHATSAPP_TEMPLATES:
        raise SendRefused(Refusal("no_template"))
    with transaction.atomic():
        locked = _locked(conversation)
        refusal = send_refusal(
            locked, template=bool(template_name), safe_time_confirmed=safe_time_confirmed, now=now
        )
        if refusal is not None:
            raise SendRefused(refusal)
        body = text if not template_name else f"[{template_name}]"
        outbound = _queue(
            locked,
            body=body,
            purpose=OutboundPurpose.REPLY,
            by=by,
            template_name=template_name,
            safe_time_confirmed=safe_time_confirmed,
            now=now,
        )
        changed = ["waiting_since"]
        locked.waiting_since = None
        if locked.assigned_to_id is None:
            locked.assigned_to = by
            changed.append("assigned_to")
        locked.save(update_fields=changed)
        assert outbound.message is not None
        record("conversations.reply_queued", actor=by, obj=outbound.message, request=request)
        _deliver_after_commit(outbound.pk)
    return outbound.message


def resend(message: Message, *, by: Any, request: HttpRequest | None = None) -> Message:
    """Try a failed or refused operator message again (the safety rule is asked again)."""
    _check(by)
    with transaction.atomic():
        outbound = OutboundMessage.objects.select_for_update().filter(message=message).first()
        if outbound is None or outbound.state not in (OutboundState.FAILED, OutboundState.REFUSED):
            return message
        conversation = _locked(message.conversation)
        refusal = send_refusal(
            conversation,
            template=bool(outbound.template_name),
            safe_time_confirmed=outbound.safe_time_confirmed,
        )
        if refusal is not None:
            raise SendRefused(refusal)
        outbound.state = OutboundState.QUEUED
        outbound.attempts = 0
        outbound.next_attempt_at = None
        outbound.last_error = ""
        outbound.save(update_fields=["state", "attempts", "next_attempt_at", "last_error"])
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.QUEUED, status_at=timezone.now(), error_code="", error_title=""
        )
        record("conversations.reply_resent", actor=by, obj=message, request=request)
        _deliver_after_commit(outbound.pk)
    message.refresh_from_db()
    return message


def queue_auto_reply(conversation: Conversation, text: str, *, now: datetime.datetime) -> OutboundMessage | None:
    """The out-of-hours answer (caller holds the conversation's lock). None when refused."""
    refusal = send_refusal(conversation, automatic=True, now=now)
    if refusal is not None:
        logger.info("automatic reply for conversation %s not sent: %s", conversation.pk, refusal.code)
        return None
    outbound = _queue(conversation, body=text, purpose=OutboundPurpose.AUTO_REPLY, by=None, now=now)
    conversation.auto_reply_at = now
    conversation.save(update_fields=["auto_reply_at"])
    return outbound


# --- staff settings and notifications -------------------------------------------------


def save_staff_phone(
    user: Any, phone: str, enabled: bool, *, sms: bool = False, request: HttpRequest | None = None
) -> StaffPhone | None:
    """Set (or with an empty ``phone`` remove) the user's own number for notifications.

    ``enabled``: notifications by WhatsApp; ``sms``: by SMS to the same number.
    """
    with transaction.atomic():
        existing = StaffPhone.objects.select_for_update().filter(user=user).first()
        if not phone:
            if existing is not None:
                existing.delete()
                record("conversations.staff_phone_removed", actor=user, object_type="accounts.user", object_id=user.pk,
                       request=request)
            return None
        canonical = canonical_sender(phone)
        if existing is None:
            existing = StaffPhone(user=user)
        existing.phone = canonical
        existing.whatsapp_notifications = enabled
        existing.sms_notifications = sms
        existing.updated_at = timezone.now()
        existing.save()
        record("conversations.staff_phone_saved", actor=user, obj=existing, request=request)
    return existing


def queue_notification(user: Any, text: str, *, channel: str = Channel.WHATSAPP) -> OutboundMessage | None:
    """A notice by WhatsApp or SMS to a staff member who opted in for that channel.

    ``text`` must be generic (no personal data). Nothing is queued while the channel is off.
    """
    from django.conf import settings

    from sigap.intake.channels.sms.client import config_ready as sms_ready
    from sigap.intake.channels.whatsapp.client import config_ready as whatsapp_ready

    if channel == Channel.SMS:
        if not sms_ready():
            return None
        setting = StaffPhone.objects.filter(user=user, sms_notifications=True).first()
        template = ""
    else:
        if not whatsapp_ready():
            return None
        setting = StaffPhone.objects.filter(user=user, whatsapp_notifications=True).first()
        template = settings.SIGAP_WHATSAPP_NOTIFY_TEMPLATE
    if setting is None or not getattr(user, "is_active", False):
        return None
    with transaction.atomic():
        outbound = OutboundMessage.objects.create(
            channel=channel,
            purpose=OutboundPurpose.NOTIFICATION,
            recipient=setting.phone,
            recipient_user=user,
            body=text,
            template_name=template,
        )
        _deliver_after_commit(outbound.pk)
    return outbound
