"""Conversations by WhatsApp and SMS: who wrote, what was said, what we sent.

Sealed (``sigap.vault``): the sender's number and profile name (``identity``
key), every message text (``content``), media bytes (``attachment``), the
recipient and text of staff notifications. Plain: channel, direction, kinds,
statuses, times, provider message ids (opaque), counts.

A sender's conversations are found through ``sender_index`` (the vault's blind
index of the normalised number, which collides on purpose) and confirmed by
decrypting. ``SenderBucket`` is the row locked while a sender's conversation is
looked up or created, so two deliveries for a new sender make one conversation
on PostgreSQL as on SQLite.

Reads go through ``Conversation.objects.visible_to(user)`` (``access.py``);
changes through ``actions.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.accounts.roles import Perm, has_permission
from sigap.intake.channels.conversations.codes import (
    ConversationState,
    Direction,
    MediaState,
    MessageKind,
    MessageStatus,
    OutboundPurpose,
    OutboundState,
)
from sigap.intake.channels.conversations.fields import SealedBytesField
from sigap.intake.codes import Channel
from sigap.vault.fields import EncryptedCharField, EncryptedTextField

USER = settings.AUTH_USER_MODEL

MESSAGING_CHANNELS = (Channel.WHATSAPP, Channel.SMS)
CHANNEL_CHOICES = [(c.value, c.label) for c in MESSAGING_CHANNELS]


class SenderBucket(models.Model):
    """A lock row per (channel, blind index of the sender). Holds nothing personal."""

    channel = models.CharField(max_length=20, choices=CHANNEL_CHOICES)
    sender_index = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "sender_index"], name="sender_bucket_unique"),
        ]

    def __str__(self) -> str:
        return f"sender bucket {self.pk}"


# Conditions on ``Conversation`` rows a user on duty now may open and take because the alerts
# sent them (security review, issue 15): ``sigap.alerts`` registers one. They widen ``visible_to``
# only when the caller asks (``on_duty=True``: the conversation page, its media, "Ambil").
ConversationGrant = Callable[[Any], Q]
_DUTY_GRANTS: list[ConversationGrant] = []


def register_duty_grant(grant: ConversationGrant) -> None:
    """Add ``grant(user) -> Q``: conversations ``user`` may open and take while on duty (idempotent)."""
    if grant not in _DUTY_GRANTS:
        _DUTY_GRANTS.append(grant)


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def visible_to(self, user: Any, *, on_duty: bool = False) -> ConversationQuerySet:
        """The one access rule, the same need-to-know as reports. Fails closed.

        * view_reports with record_contact (operator, manager): every conversation;
        * record_contact alone (case worker): the conversations assigned to them and
          those recorded as a contact of a report they may see (their cases' reports,
          the reports they filed), never a colleague's chat;
        * everyone else: nothing.

        ``on_duty=True`` (the conversation page, its media and "Ambil" only): also what the
        registered duty grants allow: with the alerts app, while ``user`` is the duty person
        or backup of the running shift, the open conversations nobody has taken that the
        alerts sent them (``sigap.alerts.duty``). Once taken, the first rule applies.
        """
        if not has_permission(user, Perm.RECORD_CONTACT):
            return self.none()
        if has_permission(user, Perm.VIEW_REPORTS):
            return self.all()
        from sigap.intake.models import Report

        condition = Q(assigned_to=user) | Q(contact__report__in=Report.objects.visible_to(user).values("pk"))
        if on_duty:
            for grant in _DUTY_GRANTS:
                condition |= grant(user)
        return self.filter(condition)

    def open(self) -> ConversationQuerySet:
        return self.filter(state=ConversationState.OPEN)


class Conversation(models.Model):
    """The messages exchanged with one sender on one channel until an operator closes it.

    ``waiting_since``: when the oldest inbound message an operator has not yet
    answered arrived (None: nobody is waiting). ``last_inbound_at`` opens
    WhatsApp's 24-hour customer-service window. ``contact``: the intake contact
    recorded when an operator turns the conversation into a report or closes it.
    """

    channel = models.CharField(_("saluran"), max_length=20, choices=CHANNEL_CHOICES)
    sender = EncryptedCharField(_("nomor pengirim"), purpose="identity", max_length=32)
    sender_index = models.CharField(max_length=16)
    profile_name = EncryptedCharField(_("nama profil"), purpose="identity", max_length=200, null=True, blank=True)
    state = models.CharField(
        _("status"), max_length=10, choices=ConversationState.choices, default=ConversationState.OPEN
    )
    assigned_to = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ditangani oleh")
    )
    contact = models.ForeignKey(
        "intake.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("kontak")
    )
    never_contact = models.BooleanField(_("jangan pernah hubungi nomor ini"), default=False)
    started_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    auto_reply_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at"]
        indexes = [
            models.Index(fields=["channel", "sender_index", "state"], name="conversation_sender"),
            models.Index(fields=["state", "waiting_since"], name="conversation_waiting"),
            models.Index(fields=["state", "-last_message_at"], name="conversation_recent"),
        ]
        verbose_name = _("percakapan")
        verbose_name_plural = _("percakapan")

    def __str__(self) -> str:
        return f"conversation {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state == ConversationState.OPEN

    # Reset with the sealed fields by a scrub (sigap.vault.scrub).
    scrub_extra_fields: ClassVar[dict[str, Any]] = {"sender_index": ""}

    @classmethod
    def scrub_with_contact(cls, contact: Any) -> models.QuerySet[Conversation]:
        """The conversations a scrub of ``contact`` takes along: closed ones recorded as it.

        An intake contact is scrubbed with its report when the report's case passes
        its retention period (``Contact.scrub_related``); an open conversation never is.
        """
        from sigap.vault.scrub import unread

        return cls._base_manager.filter(contact=contact, state=ConversationState.CLOSED).defer(*unread(cls))

    def scrub_related(self) -> list[models.Model]:
        """Its messages, their media and its outbound sends."""
        from sigap.vault.scrub import sealed_descendants

        return sealed_descendants(self)


class Message(models.Model):
    """One message in or out. ``provider_id`` (WhatsApp's wamid, the SMS gateway's
    event id) is unique per channel: a delivery retried by the provider is stored once."""

    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="messages")
    channel = models.CharField(max_length=20, choices=CHANNEL_CHOICES)
    direction = models.CharField(max_length=6, choices=Direction.choices)
    provider_id = models.CharField(max_length=128, blank=True, default="")
    kind = models.CharField(_("jenis"), max_length=12, choices=MessageKind.choices, default=MessageKind.TEXT)
    body = EncryptedTextField(_("isi pesan"), null=True, blank=True)
    media_id = models.CharField(max_length=128, blank=True, default="")
    media_mime = models.CharField(max_length=100, blank=True, default="")
    media_sha256 = models.CharField(max_length=64, blank=True, default="")
    media_state = models.CharField(max_length=10, choices=MediaState.choices, blank=True, default=MediaState.NONE)
    media_attempts = models.PositiveSmallIntegerField(default=0)
    voice = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices)
    status_at = models.DateTimeField(null=True, blank=True)
    # Provider error code and title ("Re-engagement message"): generic, never personal.
    error_code = models.CharField(max_length=20, blank=True, default="")
    error_title = models.CharField(max_length=200, blank=True, default="")
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    provider_timestamp = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="message_conversation"),
            models.Index(fields=["media_state", "created_at"], name="message_media_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="message_provider_id_unique",
            ),
        ]
        verbose_name = _("pesan")
        verbose_name_plural = _("pesan")

    def __str__(self) -> str:
        return f"message {self.pk}"

    @property
    def inbound(self) -> bool:
        return self.direction == Direction.INBOUND

    @property
    def has_media(self) -> bool:
        return bool(self.media_id)


class MediaBlob(models.Model):
    """The bytes of a message's media, sealed under the ``attachment`` key.

    Kept apart from ``Message`` so lists never load them.
    """

    message = models.OneToOneField(Message, on_delete=models.PROTECT, related_name="media")
    data = SealedBytesField()
    mime_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    fetched_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"media {self.pk}"


class OutboundMessage(models.Model):
    """One send through a provider, tried by the background worker with back-off.

    A reply or automatic reply belongs to a conversation and shows as its
    ``message``; a staff notification has its own sealed ``recipient`` and ``body``.
    ``last_error`` is a code or the provider's generic error title, never content.
    """

    channel = models.CharField(max_length=20, choices=CHANNEL_CHOICES)
    purpose = models.CharField(max_length=14, choices=OutboundPurpose.choices)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, null=True, blank=True, related_name="outbound"
    )
    message = models.OneToOneField(
        Message, on_delete=models.PROTECT, null=True, blank=True, related_name="outbound"
    )
    recipient = EncryptedCharField(purpose="identity", max_length=32, null=True, blank=True)
    recipient_user = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    body = EncryptedTextField(null=True, blank=True)
    template_name = models.CharField(max_length=100, blank=True, default="")
    state = models.CharField(max_length=10, choices=OutboundState.choices, default=OutboundState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, default="")
    provider_id = models.CharField(max_length=128, blank=True, default="")
    # The operator confirmed the sender's stated safe time allows this message
    # (asked when the stated time cannot be read by the machine).
    safe_time_confirmed = models.BooleanField(default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbound_due"),
            models.Index(fields=["channel", "provider_id"], name="outbound_provider_id"),
        ]
        verbose_name = _("pesan keluar")
        verbose_name_plural = _("pesan keluar")

    def __str__(self) -> str:
        return f"outbound {self.pk}"


class StaffPhone(models.Model):
    """A staff member's number for notifications, sealed; opt-in per channel (WhatsApp, SMS)."""

    user = models.OneToOneField(USER, on_delete=models.PROTECT, related_name="+")
    phone = EncryptedCharField(_("nomor WhatsApp"), purpose="identity", max_length=32)
    whatsapp_notifications = models.BooleanField(_("kirim notifikasi lewat WhatsApp"), default=True)
    sms_notifications = models.BooleanField(_("kirim notifikasi lewat SMS"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("nomor WhatsApp staf")
        verbose_name_plural = _("nomor WhatsApp staf")

    def __str__(self) -> str:
        return f"staff phone {self.pk}"
