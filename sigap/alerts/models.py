"""The on-call roster, shift handovers and the alert kept for every new report.

Nothing here holds personal data but ``Handover.note`` (sealed): a roster row
names staff accounts, an alert names a report by its primary key.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.intake.codes import Channel
from sigap.vault.fields import EncryptedTextField

USER = settings.AUTH_USER_MODEL


class Shift(models.TextChoices):
    """A working day has three shifts; a weekend day or a SIGAP_HOLIDAYS date has one of 24 hours."""

    KANTOR = "kantor", _("Jam kantor (08.00–16.00)")
    SORE = "sore", _("Sore (16.00–22.00)")
    MALAM = "malam", _("Malam (22.00–08.00)")
    LIBUR = "libur", _("Akhir pekan / hari libur (08.00–08.00)")


class RosterEntry(models.Model):
    """Who holds the hotline phone (``duty``) and who is on call behind them (``backup``) in one shift."""

    date = models.DateField(_("tanggal"))
    shift = models.CharField(_("shift"), max_length=10, choices=Shift.choices)
    duty = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("petugas piket"))
    backup = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("cadangan"))
    planned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "shift"]
        constraints = [models.UniqueConstraint(fields=["date", "shift"], name="roster_one_per_shift")]
        verbose_name = _("jadwal piket")
        verbose_name_plural = _("jadwal piket")

    def __str__(self) -> str:
        return f"roster {self.date} {self.shift}"

    def people(self) -> list[object]:
        return [self.duty, self.backup]


class RosterGapWarning(models.Model):
    """A shift without a roster entry the managers were warned about (once per shift)."""

    date = models.DateField()
    shift = models.CharField(max_length=10, choices=Shift.choices)
    warned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "shift"], name="roster_gap_warned_once")]

    def __str__(self) -> str:
        return f"roster gap {self.date} {self.shift}"


class Handover(models.Model):
    """The note written at the end of a shift (what is open, who needs a call back), acknowledged by the next."""

    date = models.DateField(_("tanggal"))
    shift = models.CharField(_("shift"), max_length=10, choices=Shift.choices)
    note = EncryptedTextField(_("catatan serah terima"))
    written_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["acknowledged_at", "-written_at"], name="handover_open")]
        verbose_name = _("serah terima")
        verbose_name_plural = _("serah terima")

    def __str__(self) -> str:
        return f"handover {self.pk}"


class AlertState(models.TextChoices):
    OPEN = "terbuka", _("Belum ditangani")
    ACKNOWLEDGED = "diakui", _("Ditangani")
    ENDED = "selesai", _("Selesai")


class AlertEnd(models.TextChoices):
    CASE = "kasus", _("Kasus dibuka")
    CONTACT = "kontak", _("Kontak pertama tercatat")
    ACKNOWLEDGED = "diakui", _("Diakui petugas")
    TAKEN = "diambil", _("Percakapan diambil petugas")
    CLOSED = "ditutup", _("Percakapan ditutup")


class EscalatingAlert(models.Model):
    """What every alert keeps: its state and how far its escalation chain went.

    ``level`` counts the escalations sent (0: none yet). The chain stops when
    someone acknowledges ("saya tangani") or the thing alerted about is dealt with.
    """

    state = models.CharField(max_length=10, choices=AlertState.choices, default=AlertState.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    level = models.PositiveSmallIntegerField(default=0)
    last_escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=AlertEnd.choices, blank=True, default="")

    class Meta:
        abstract = True


class ReportAlert(EscalatingAlert):
    """The alert of one report: raised when it is filed, escalated while its response deadline passes unanswered.

    The chain stops when someone acknowledges, a first contact is recorded against
    the report or a case is opened from it.
    """

    report = models.OneToOneField("intake.Report", on_delete=models.PROTECT, related_name="alert")

    class Meta:
        indexes = [models.Index(fields=["state", "raised_at"], name="report_alert_state")]
        verbose_name = _("peringatan laporan")
        verbose_name_plural = _("peringatan laporan")

    def __str__(self) -> str:
        return f"report alert {self.pk}"

    @property
    def due_at(self) -> datetime.datetime:
        return self.report.response_due_at


class ConversationAlert(EscalatingAlert):
    """The alert of a new WhatsApp/SMS conversation nobody has taken yet.

    ``due_at``: when its first message has waited SIGAP_CHAT_RESPONSE_MINUTES. The
    chain stops when someone takes (is assigned) or closes the conversation, or
    acknowledges the alert. Names the conversation by its id only.
    """

    conversation = models.OneToOneField("conversations.Conversation", on_delete=models.PROTECT,
                                        related_name="alert")
    due_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["state", "due_at"], name="conversation_alert_due")]
        verbose_name = _("peringatan percakapan")
        verbose_name_plural = _("peringatan percakapan")

    def __str__(self) -> str:
        return f"conversation alert {self.pk}"


class CallBack(models.Model):
    """Someone who needs a call back, handed over at the end of a shift: a report or a conversation
    by reference (never a name or number), when it is due, and who did it.
    """

    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="callbacks")
    report = models.ForeignKey("intake.Report", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    due_at = models.DateTimeField(_("jatuh tempo"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["done_at", "due_at"], name="callback_open_due")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(report__isnull=False, conversation__isnull=True)
                           | models.Q(report__isnull=True, conversation__isnull=False)),
                name="callback_one_reference",
            ),
        ]
        verbose_name = _("telepon balik")
        verbose_name_plural = _("telepon balik")

    def __str__(self) -> str:
        return f"call-back {self.pk}"

    @property
    def reference(self) -> str:
        """What staff see: the registration number, or ``#id`` of the conversation."""
        if self.report is not None:
            return str(self.report.registration_number)
        return f"#{self.conversation_id}"


# A call-back attempt is made by phone or by message.
ATTEMPT_CHANNELS = [(c.value, c.label) for c in (Channel.TELEPON, Channel.WHATSAPP, Channel.SMS)]


class AttemptResult(models.TextChoices):
    """Why a call-back before the first contact did not reach the reporter or victim."""

    NO_ANSWER = "tidak_diangkat", _("Tidak diangkat / tidak dibalas")
    NUMBER_INACTIVE = "nomor_tidak_aktif", _("Nomor tidak aktif")
    NOT_SAFE_TIME = "bukan_waktu_aman", _("Bukan waktu aman (tidak jadi menghubungi)")


class ContactAttempt(models.Model):
    """A try to reach the reporter or victim of a report before its first contact, which failed.

    Unlike "kontak pertama dilakukan" it does not end the report's escalation chain: the report stays
    open on the hotline's home and in the handover. Only a channel, a result from a fixed list, a time
    and who: no text, so no name or phone number can be written into it.
    """

    report = models.ForeignKey("intake.Report", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("saluran"), max_length=20, choices=ATTEMPT_CHANNELS)
    result = models.CharField(_("hasil"), max_length=20, choices=AttemptResult.choices)
    attempted_at = models.DateTimeField(_("waktu percobaan"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["report", "attempted_at"], name="contact_attempt_report")]
        verbose_name = _("percobaan kontak")
        verbose_name_plural = _("percobaan kontak")

    def __str__(self) -> str:
        return f"contact attempt {self.pk}"
