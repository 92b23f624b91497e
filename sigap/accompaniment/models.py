"""Accompaniment records: appointments, the post-rape care checklist, the justice process,
protection, LPSK, restitution, transfers and the official letters made for them.

Every record belongs to one case and is visible with it (``CaseChildQuerySet``,
the cases app's one access rule). Free text, places, people's names and numbers
that lead to a person (police report numbers, investigators) are sealed; kinds,
statuses, dates and amounts stay plain so lists, reminders and statistics work
in SQL. State changes go through ``sigap.accompaniment.actions``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.accompaniment.codes import (
    Applicant,
    AppointmentKind,
    AppointmentStatus,
    CareItemKind,
    CareItemStatus,
    JusticeStage,
    LpskStatus,
    ProtectionKind,
    RestitutionStatus,
    TransferStatus,
)
from sigap.cases.models import CaseChildQuerySet
from sigap.letters.models import LetterType
from sigap.vault.fields import EncryptedTextField

USER = settings.AUTH_USER_MODEL


class AppointmentQuerySet(CaseChildQuerySet):
    def visible_to(self, user: Any) -> Any:
        """With its case (``CaseChildQuerySet``), and to the worker who attends it: a colleague's case's hearing
        they accompany shows on their own calendar and "Hari ini" (time, kind, case number), though the case
        itself stays closed to them."""
        from sigap.accounts.roles import Perm, has_permission
        from sigap.cases.models import Case

        with_case = Q(case__in=Case.objects.visible_to(user).values("pk"))
        if getattr(user, "is_active", False) and has_permission(user, Perm.WORK_CASES):
            return self.filter(with_case | Q(worker=user))
        return self.filter(with_case)

    def attended_by(self, user: Any) -> Any:
        """The appointments ``user`` attends (is their worker), whoever's case: the attending worker's own page
        of one appointment (``views.attended_appointment``), where they record its outcome and nothing else."""
        from sigap.accounts.roles import Perm, has_permission

        if not (getattr(user, "is_active", False) and has_permission(user, Perm.WORK_CASES)):
            return self.none()
        return self.filter(worker=user)


class Appointment(models.Model):
    """A date in the victim's accompaniment: where, who attends, escort/transport, and the outcome."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(_("jenis"), max_length=20, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField(_("waktu"))
    place = EncryptedTextField(_("tempat"), null=True, blank=True)
    attendees = EncryptedTextField(_("yang hadir"), null=True, blank=True)
    worker = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("pendamping"))
    partner = models.ForeignKey("network.Partner", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("mitra"))
    escort_needed = models.BooleanField(_("perlu pengawalan"), default=False)
    transport_needed = models.BooleanField(_("perlu transportasi"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.SCHEDULED)
    outcome_note = EncryptedTextField(_("catatan hasil"), null=True, blank=True)
    rescheduled_to = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="rescheduled_from")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    outcome_at = models.DateTimeField(null=True, blank=True)
    # Who recorded the outcome: the case's worker, a manager, or the worker who attended (the case timeline).
    outcome_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reminded_before_at = models.DateTimeField(null=True, blank=True)
    reminded_day_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["worker", "starts_at"], name="appointment_worker"),
            models.Index(fields=["case", "starts_at"], name="appointment_case"),
            models.Index(fields=["starts_at"], condition=Q(status="terjadwal"), name="appointment_due"),
            models.Index(fields=["kind", "starts_at"], name="appointment_kind"),  # statistics: hearings of a period
        ]

    def __str__(self) -> str:
        return f"appointment {self.pk}"


class CareChecklist(models.Model):
    """Post-rape care for a sexual-violence case reported within the window (72 hours) of the incident."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="care_checklist")
    incident_at = models.DateTimeField(_("waktu kejadian"))
    deadline_at = models.DateTimeField(_("batas 72 jam"))
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    def __str__(self) -> str:
        return f"care checklist {self.pk}"


class CareItem(models.Model):
    checklist = models.ForeignKey(CareChecklist, on_delete=models.PROTECT, related_name="items")
    item = models.CharField(max_length=24, choices=CareItemKind.choices)
    status = models.CharField(max_length=16, choices=CareItemStatus.choices, default=CareItemStatus.PENDING)
    at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = EncryptedTextField(_("catatan"), null=True, blank=True)
    task = models.OneToOneField("cases.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["checklist", "item"], name="care_item_unique")]

    def __str__(self) -> str:
        return f"care item {self.pk}"


class JusticeRecord(models.Model):
    """The case's criminal process: the police report, the investigator, visum, the verdict."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="justice")
    police_report_number = EncryptedTextField(_("nomor laporan polisi"), null=True, blank=True)
    police_report_at = models.DateTimeField(_("waktu laporan polisi"), null=True, blank=True)
    police_unit = models.ForeignKey("network.Partner", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("unit penyidik"))
    investigator = EncryptedTextField(_("penyidik (nama dan kontak)"), null=True, blank=True)
    visum_requested_on = models.DateField(_("visum diminta"), null=True, blank=True)
    visum_received_on = models.DateField(_("hasil visum diterima"), null=True, blank=True)
    verdict_on = models.DateField(_("tanggal putusan"), null=True, blank=True)
    verdict = EncryptedTextField(_("amar putusan"), null=True, blank=True)
    sentence = EncryptedTextField(_("pidana yang dijatuhkan"), null=True, blank=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    def __str__(self) -> str:
        return f"justice {self.pk}"


class JusticeStep(models.Model):
    """The case entered a stage of the criminal process on a date; was the victim accompanied?"""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="justice_steps")
    stage = models.CharField(_("tahap"), max_length=20, choices=JusticeStage.choices)
    on = models.DateField(_("tanggal"))
    accompanied = models.BooleanField(_("korban didampingi"), default=False)
    accompanied_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                       verbose_name=_("pendamping"))
    note = EncryptedTextField(_("catatan"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["stage", "on"], name="justice_step_stage"),
                   models.Index(fields=["on"], name="justice_step_on")]  # statistics: steps of a period

    def __str__(self) -> str:
        return f"justice step {self.pk}"


class Protection(models.Model):
    """A protection measure with its dates: police temporary protection, LPSK, a court order."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="protections")
    kind = models.CharField(_("jenis"), max_length=24, choices=ProtectionKind.choices)
    granted_at = models.DateTimeField(_("diberikan pada"))
    ends_on = models.DateField(_("berlaku sampai"), null=True, blank=True)
    issuer = models.ForeignKey("network.Partner", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("pemberi"))
    note = EncryptedTextField(_("catatan"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["granted_at", "id"]
        indexes = [models.Index(fields=["granted_at"], name="protection_granted_at")]  # statistics by period

    def __str__(self) -> str:
        return f"protection {self.pk}"


class OfficialLetter(models.Model):
    """A numbered letter made for a case. ``content`` is the sealed letter data; the PDF is drawn from it."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="official_letters")
    letter_type = models.CharField(max_length=20, choices=LetterType.choices)
    number = models.CharField(_("nomor surat"), max_length=80)
    partner = models.ForeignKey("network.Partner", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    referral = models.ForeignKey("cases.Referral", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    content = EncryptedTextField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"letter {self.pk}"


class LpskApplication(models.Model):
    """An application to LPSK for the victim or a witness: the victim's consent, then the manager's approval."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="lpsk_applications")
    partner = models.ForeignKey("network.Partner", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("LPSK"))
    applicant = models.CharField(_("pemohon"), max_length=10, choices=Applicant.choices, default=Applicant.VICTIM)
    protection_asked = EncryptedTextField(_("pelindungan / hak yang dimohonkan"))
    consent_on = models.DateField(_("tanggal persetujuan korban"))
    status = models.CharField(_("status"), max_length=12, choices=LpskStatus.choices, default=LpskStatus.DRAFT)
    letter = models.OneToOneField(OfficialLetter, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="lpsk_application")
    prepared_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = EncryptedTextField(_("catatan keputusan"), null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["prepared_at", "id"]
        indexes = [  # statistics: sent and decided in a period
            models.Index(fields=["sent_at"], name="lpsk_sent_at"),
            models.Index(fields=["decided_at"], name="lpsk_decided_at"),
        ]

    def __str__(self) -> str:
        return f"lpsk application {self.pk}"


class Restitution(models.Model):
    """Restitution (UU TPKS Pasal 30-38) with its amounts in rupiah and dates; plain for statistics."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="restitutions")
    status = models.CharField(_("status"), max_length=20, choices=RestitutionStatus.choices,
                              default=RestitutionStatus.REQUESTED)
    requested_on = models.DateField(_("tanggal diajukan"))
    requested_amount = models.PositiveBigIntegerField(_("jumlah diajukan (Rp)"), null=True, blank=True)
    assessed_amount = models.PositiveBigIntegerField(_("penilaian LPSK (Rp)"), null=True, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    ordered_amount = models.PositiveBigIntegerField(_("jumlah diputus (Rp)"), null=True, blank=True)
    ordered_on = models.DateField(null=True, blank=True)
    paid_amount = models.PositiveBigIntegerField(_("jumlah dibayar (Rp)"), null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    compensation_amount = models.PositiveBigIntegerField(_("kompensasi Dana Bantuan Korban (Rp)"), null=True,
                                                         blank=True)
    compensation_on = models.DateField(null=True, blank=True)
    refused_on = models.DateField(_("tanggal tidak dikabulkan"), null=True, blank=True)
    note = EncryptedTextField(_("catatan"), null=True, blank=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["requested_on", "id"]
        # Statistics count each step in the period of its own date (``reporting.figures``): one index per date.
        indexes = [
            models.Index(fields=["status", "requested_on"], name="restitution_status"),
            models.Index(fields=["requested_on"], name="restitution_requested_on"),
            models.Index(fields=["assessed_on"], name="restitution_assessed_on"),
            models.Index(fields=["ordered_on"], name="restitution_ordered_on"),
            models.Index(fields=["paid_on"], name="restitution_paid_on"),
            models.Index(fields=["compensation_on"], name="restitution_compensation_on"),
            models.Index(fields=["refused_on"], name="restitution_refused_on"),
        ]

    def __str__(self) -> str:
        return f"restitution {self.pk}"


class Transfer(models.Model):
    """Pelimpahan: the case goes to another UPTD PPA (or SAPA 129); once sent it is read-only here."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="transfers")
    partner = models.ForeignKey("network.Partner", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("unit tujuan"))
    reason = EncryptedTextField(_("alasan pelimpahan"))
    status = models.CharField(_("status"), max_length=12, choices=TransferStatus.choices,
                              default=TransferStatus.PREPARED)
    letter = models.OneToOneField(OfficialLetter, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="transfer")
    prepared_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    received_by = EncryptedTextField(_("diterima oleh (nama dan jabatan)"), null=True, blank=True)
    received_at = models.DateTimeField(_("diterima pada"), null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["prepared_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=~Q(status="disiapkan"), name="transfer_one_sent"),
        ]

    def __str__(self) -> str:
        return f"transfer {self.pk}"


class IncomingTransfer(models.Model):
    """This case came to us by transfer from another unit: where from, their letter, when."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="incoming_transfer")
    origin = models.ForeignKey("network.Partner", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("unit asal"))
    origin_letter_number = EncryptedTextField(_("nomor surat pelimpahan dari unit asal"), null=True, blank=True)
    received_on = models.DateField(_("tanggal diterima"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    def __str__(self) -> str:
        return f"incoming transfer {self.pk}"


def is_transferred(case: Any) -> bool:
    return Transfer.objects.filter(case=case).exclude(status=TransferStatus.PREPARED).exists()



def sealed_records(case: Any) -> list[models.Model]:
    """Every accompaniment record of ``case`` that holds sealed data (for the retention scrub)."""
    from sigap.vault.scrub import unread

    found: list[models.Model] = []
    for model, path in ((Appointment, "case"), (CareItem, "checklist__case"), (JusticeRecord, "case"),
                        (JusticeStep, "case"), (Protection, "case"), (OfficialLetter, "case"),
                        (LpskApplication, "case"), (Restitution, "case"), (Transfer, "case"),
                        (IncomingTransfer, "case")):
        found.extend(model._base_manager.filter(**{path: case.pk}).order_by("pk").defer(*unread(model)))
    return found
