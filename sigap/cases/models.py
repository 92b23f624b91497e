"""Case management: a case opened from one or more reports, and everything done for it.

What is plain and what is sealed follows intake: codes, stages, statuses,
dates, desa/kecamatan codes and yes/no flags are plain so lists filter and count
in SQL; every free text (notes, assessment, plans, outcomes, reasons, the
referral letter) and every attachment is sealed by the vault.

``Case`` carries copies of what the case list shows and filters on (risk,
kecamatan, desa, registration number, the earliest open task's due time), so the
list is one indexed query whatever the number of cases.

Access goes through each model's ``visible_to(user)`` (``sigap.cases.access``
holds the rules); state changes go through ``sigap.cases.actions``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.cases.codes import (
    AttachmentKind,
    CaseStatus,
    ClosureOutcome,
    ClosureStatus,
    ConsentBasis,
    MediationMatter,
    PlanStatus,
    PoliceDutyBasis,
    ReferralStatus,
    SimfoniService,
    Stage,
    TaskKind,
    UptdService,
)
from sigap.intake.codes import CaseType, Risk, ViolenceType
from sigap.vault.fields import EncryptedBytesField, EncryptedTextField

USER = settings.AUTH_USER_MODEL


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: Any) -> CaseQuerySet:
        from sigap.cases.access import case_filter

        return self.filter(case_filter(user))

    def open(self) -> CaseQuerySet:
        return self.filter(status=CaseStatus.OPEN)


class Case(models.Model):
    """One case (kasus). ``number`` is ``<regency>-<year>-K<5 digits>``, gap-free per regency and year."""

    number = models.CharField(_("nomor kasus"), max_length=24, unique=True)
    region_code = models.CharField(max_length=5, editable=False)
    year = models.PositiveSmallIntegerField(editable=False)
    sequence = models.PositiveIntegerField(editable=False)

    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices, default=Stage.PENERIMAAN)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_at = models.DateTimeField(_("dibuka pada"), default=timezone.now)
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("dibuka oleh"))
    assigned_to = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("pendamping"),
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    # Copied from the reports when the case opens (lists and filters read these).
    primary_report = models.ForeignKey("intake.Report", on_delete=models.PROTECT, related_name="+")
    registration_number = models.CharField(_("nomor registrasi"), max_length=20)
    risk = models.CharField(_("risiko"), max_length=10, choices=Risk.choices)
    case_type = models.CharField(_("jenis kasus"), max_length=7, choices=CaseType.choices, blank=True)
    kecamatan_code = models.CharField(_("kecamatan"), max_length=8, blank=True, default="")
    desa = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("desa")
    )
    has_sexual_violence = models.BooleanField(default=False)
    # The earliest due time of the case's open tasks; "overdue" is next_due_at < now.
    next_due_at = models.DateTimeField(_("tenggat berikutnya"), null=True, blank=True)

    # The response chain: report -> first contact -> assessment -> first service -> closure.
    reported_at = models.DateTimeField(_("dilaporkan"))
    first_contact_at = models.DateTimeField(_("kontak pertama"), null=True, blank=True)
    assessed_at = models.DateTimeField(_("asesmen"), null=True, blank=True)
    first_service_at = models.DateTimeField(_("layanan pertama"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    # UU TPKS Pasal 41: the unit reports sexual violence to the police within 3x24 hours of the
    # victim's report; closed only by a police referral or a manager's recorded decision
    # (``PoliceDutyDecision``).
    police_deadline_at = models.DateTimeField(_("batas rujukan polisi"), null=True, blank=True)
    police_referred_at = models.DateTimeField(_("dirujuk ke polisi"), null=True, blank=True)

    # Set when the manager merged this case into another one (it is then closed; its records moved there).
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("digabung ke")
    )

    updated_at = models.DateTimeField(default=timezone.now)
    # Set when a scrub erased the case's personal data (``manage.py retention``).
    scrubbed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["-opened_at", "-id"], name="case_opened"),
            # Each list filter, with the open/closed status and without it ("all"), in the
            # list's order, so a page is one index range read: without the status-less
            # ones, "all cases, risiko tinggi" sorted every matching case (0.4 s at 1M).
            models.Index(fields=["status", "-opened_at", "-id"], name="case_status_opened"),
            models.Index(fields=["stage", "-opened_at", "-id"], name="case_stage_opened"),
            models.Index(fields=["risk", "status", "-opened_at", "-id"], name="case_risk_opened"),
            models.Index(fields=["kecamatan_code", "status", "-opened_at", "-id"], name="case_kecamatan_opened"),
            models.Index(fields=["desa", "status", "-opened_at", "-id"], name="case_desa_opened"),
            models.Index(fields=["assigned_to", "status", "-opened_at", "-id"], name="case_worker_opened"),
            models.Index(fields=["risk", "-opened_at", "-id"], name="case_risk_all"),
            models.Index(fields=["kecamatan_code", "-opened_at", "-id"], name="case_kecamatan_all"),
            models.Index(fields=["desa", "-opened_at", "-id"], name="case_desa_all"),
            models.Index(fields=["assigned_to", "-opened_at", "-id"], name="case_worker_all"),
            models.Index(fields=["opened_by", "assigned_to"], name="case_opener"),
            models.Index(fields=["next_due_at"], name="case_next_due"),
            models.Index(fields=["registration_number"], name="case_registration"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year", "sequence"], name="case_number_unique"),
        ]
        verbose_name = _("kasus")
        verbose_name_plural = _("kasus")

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    def is_overdue(self, now: Any = None) -> bool:
        return self.next_due_at is not None and self.next_due_at < (now or timezone.now())

    @classmethod
    def retention_queryset(cls, cutoff: datetime.datetime) -> CaseQuerySet:
        """Closed cases whose closure is older than ``cutoff`` and whose data is not yet scrubbed.

        Never an open case. A case reopened after a scrub and closed again is due
        again (what was written since is erased in its turn).
        """
        return cls.objects.filter(
            Q(scrubbed_at__isnull=True) | Q(scrubbed_at__lt=F("closed_at")),
            status=CaseStatus.CLOSED,
            closed_at__lt=cutoff,
        ).order_by("pk")

    def scrub_related(self) -> list[models.Model]:
        """Every record of the case holding sealed text or files, then the case's reports.

        The records are found by their links back to the case (``sealed_descendants``),
        so a model added to the app later goes too. A report takes its victims,
        chronology and (when no other live report shares it) its reporter's identity.
        """
        from sigap.intake.models import Report
        from sigap.vault.scrub import sealed_descendants, unread

        reports = Report.objects.filter(case_link__case=self).order_by("pk").defer(*unread(Report))
        others = [row for records_of in CASE_RECORDS_ELSEWHERE for row in records_of(self)]
        return [*sealed_descendants(self), *others, *reports]


# Other apps whose sealed records belong to a case (``sigap.accompaniment``) register a
# function returning them, so retention erases them with the case.
CASE_RECORDS_ELSEWHERE: list[Callable[[Case], list[models.Model]]] = []


class CaseCounter(models.Model):
    """The last case number used per regency and year, locked with the case insert (gap-free)."""

    region_code = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_code", "year"], name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.region_code}-{self.year}: {self.last_value}"


class CaseChildQuerySet(models.QuerySet[Any]):
    """The access rule of every record that belongs to one case: visible with its case."""

    def visible_to(self, user: Any) -> Any:
        return self.filter(case__in=Case.objects.visible_to(user).values("pk"))


class CaseReport(models.Model):
    """A report the case was opened from. A report belongs to at most one case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_reports")
    report = models.OneToOneField("intake.Report", on_delete=models.PROTECT, related_name="case_link")
    added_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"case {self.case_id} report {self.report_id}"


class CaseViolence(models.Model):
    """The violence types of a case's reports: a row per type, for the list filter and statistics."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="violence")
    violence_type = models.CharField(max_length=20, choices=ViolenceType.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "violence_type"], name="case_violence_unique")]
        indexes = [models.Index(fields=["violence_type", "case"], name="case_violence_type")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.violence_type}"


class StageChange(models.Model):
    """Every move between stages, with who, when and why. ``from_stage`` is blank for the opening."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True, default="")
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = EncryptedTextField(_("catatan"), null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"stage change {self.pk}"


class Assessment(models.Model):
    """An asesmen biopsikososial. A new assessment is a new row; earlier ones stay."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    biological = EncryptedTextField(_("kondisi biologis / fisik"), null=True, blank=True)
    psychological = EncryptedTextField(_("kondisi psikologis"), null=True, blank=True)
    social = EncryptedTextField(_("kondisi sosial"), null=True, blank=True)
    spiritual = EncryptedTextField(_("kondisi spiritual"), null=True, blank=True)
    risks = EncryptedTextField(_("risiko"), null=True, blank=True)
    needs = EncryptedTextField(_("kebutuhan dan harapan korban"), null=True, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"assessment {self.pk}"


class InterventionPlan(models.Model):
    """A rencana intervensi. Edited while draft or returned; after approval a change is a new version."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    goals = EncryptedTextField(_("tujuan intervensi"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = EncryptedTextField(_("komentar manajer"), null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["case", "version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"plan {self.pk} v{self.version}"

    @property
    def editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlanItem(models.Model):
    """One planned service: what, who is responsible (a worker or a partner agency) and by when."""

    plan = models.ForeignKey(InterventionPlan, on_delete=models.PROTECT, related_name="items")
    service = models.CharField(_("layanan"), max_length=20, choices=UptdService.choices)
    simfoni_type = models.CharField(
        _("jenis layanan SIMFONI"), max_length=30, choices=SimfoniService.choices, blank=True, default=""
    )
    description = EncryptedTextField(_("uraian"), null=True, blank=True)
    responsible_user = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("petugas")
    )
    responsible_partner = models.ForeignKey(
        "network.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("mitra")
    )
    due_date = models.DateField(_("tenggat"))

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(responsible_user__isnull=False) & Q(responsible_partner__isnull=True))
                | (Q(responsible_user__isnull=True) & Q(responsible_partner__isnull=False)),
                name="plan_item_one_responsible",
            )
        ]

    def __str__(self) -> str:
        return f"plan item {self.pk}"


class ServiceRecord(models.Model):
    """A service delivered: one of the six UPTD PPA services, its SIMFONI type, date, provider and outcome."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="services")
    service = models.CharField(_("layanan UPTD PPA"), max_length=20, choices=UptdService.choices)
    simfoni_type = models.CharField(
        _("jenis layanan SIMFONI"), max_length=30, choices=SimfoniService.choices, blank=True, default=""
    )
    delivered_on = models.DateField(_("tanggal"))
    # Date and time (default now); rows from before it was recorded count as noon of their date.
    delivered_at = models.DateTimeField(_("waktu"), null=True, blank=True)
    provider_user = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("petugas")
    )
    provider_partner = models.ForeignKey(
        "network.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("mitra")
    )
    outcome = EncryptedTextField(_("hasil"), null=True, blank=True)
    plan_item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["delivered_on", "id"]
        indexes = [models.Index(fields=["service", "delivered_on"], name="service_kind_date")]

    def __str__(self) -> str:
        return f"service {self.pk}"

    @property
    def at(self) -> datetime.datetime:
        """When it was delivered (the timeline's order)."""
        if self.delivered_at is not None:
            return self.delivered_at
        return timezone.make_aware(datetime.datetime.combine(self.delivered_on, datetime.time(12)))


class ShelterStay(models.Model):
    """A stay in temporary shelter: check-in, planned end (7 days by default), check-out."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="shelter_stays")
    place = models.ForeignKey(
        "network.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rumah aman mitra"),
        help_text=_("Kosongkan bila di penampungan UPTD PPA sendiri."),
    )
    checked_in_at = models.DateTimeField(_("masuk"))
    planned_end_at = models.DateTimeField(_("rencana keluar"))
    checked_out_at = models.DateTimeField(_("keluar"), null=True, blank=True)
    checked_in_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    checked_out_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = EncryptedTextField(_("catatan"), null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["checked_in_at", "id"]
        constraints = [
            # One open stay per case at a time.
            models.UniqueConstraint(
                fields=["case"], condition=Q(checked_out_at__isnull=True), name="shelter_one_open_stay"
            )
        ]

    def __str__(self) -> str:
        return f"shelter stay {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.checked_out_at is None


class ShelterExtension(models.Model):
    """A manager's extension of a shelter stay, with the reason."""

    stay = models.ForeignKey(ShelterStay, on_delete=models.PROTECT, related_name="extensions")
    previous_end_at = models.DateTimeField()
    new_end_at = models.DateTimeField()
    reason = EncryptedTextField(_("alasan"))
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"shelter extension {self.pk}"


class ReferralQuerySet(models.QuerySet["Referral"]):
    def visible_to(self, user: Any) -> ReferralQuerySet:
        from sigap.cases.access import referral_filter

        return self.filter(referral_filter(user))


class Referral(models.Model):
    """A referral to a partner agency. ``letter`` is the sealed JSON the letter and the partner see."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    partner = models.ForeignKey("network.Partner", on_delete=models.PROTECT, related_name="referrals")
    service = models.CharField(_("layanan yang diminta"), max_length=24)
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    consent_basis = models.CharField(_("dasar rujukan"), max_length=20, choices=ConsentBasis.choices)
    override_reason = EncryptedTextField(_("alasan keputusan manajer"), null=True, blank=True)
    purpose = EncryptedTextField(_("keperluan rujukan"), null=True, blank=True)
    letter = EncryptedTextField()
    is_police = models.BooleanField(default=False)
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-sent_at"], name="referral_partner_sent"),
            models.Index(fields=["status", "-sent_at"], name="referral_status_sent"),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk}"


class ReferralUpdate(models.Model):
    """A status change of a referral (by the partner or by staff), with an optional note."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = EncryptedTextField(_("catatan"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"referral update {self.pk}"


class MediationSession(models.Model):
    """A mediation session; ``agreement`` holds the berita acara when one was signed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mediations")
    held_at = models.DateTimeField(_("waktu sesi"))
    summary = EncryptedTextField(_("jalannya mediasi"))
    # What was mediated (``MediationMatter`` codes): plain, so it can be counted.
    matters = models.JSONField(_("yang dimediasi"), default=list, blank=True)
    agreement = EncryptedTextField(_("berita acara kesepakatan"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"mediation {self.pk}"

    @property
    def matter_labels(self) -> list[str]:
        labels = dict(MediationMatter.choices)
        return [str(labels.get(m, m)) for m in self.matters or []]


class PoliceDutyDecision(models.Model):
    """The manager's decision to close the police duty of a sexual-violence case without a police referral.

    UU TPKS Pasal 41 makes the report to the police a duty of the unit; only the
    manager closes it otherwise, with a basis (e.g. an adult victim's informed
    refusal) and a sealed reason, shown on the case.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="police_decisions")
    basis = models.CharField(_("dasar keputusan"), max_length=30, choices=PoliceDutyBasis.choices)
    reason = EncryptedTextField(_("alasan"))
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"police duty decision {self.pk}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    body = EncryptedTextField(_("catatan"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class AttachmentQuerySet(CaseChildQuerySet):
    pass


class AttachmentManager(models.Manager["Attachment"]):
    """Leaves the sealed contents out of every query unless asked for with ``with_content()``."""

    def get_queryset(self) -> AttachmentQuerySet:
        return AttachmentQuerySet(self.model, using=self._db).defer("content")

    def visible_to(self, user: Any) -> Any:
        return self.get_queryset().visible_to(user)

    def with_content(self) -> AttachmentQuerySet:
        return AttachmentQuerySet(self.model, using=self._db)


class Attachment(models.Model):
    """A photo, scan, PDF or medical report, sealed in the database. Downloaded through the app only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("jenis"), max_length=20, choices=AttachmentKind.choices)
    name = EncryptedTextField(_("nama berkas"))
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    content = EncryptedBytesField()
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = AttachmentManager()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"attachment {self.pk}"

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(self.content_type, "bin")


class TaskQuerySet(CaseChildQuerySet):
    def open(self) -> TaskQuerySet:
        return self.filter(done_at__isnull=True)

    def overdue(self, now: Any = None) -> TaskQuerySet:
        return self.open().filter(due_at__lt=now or timezone.now())


class Task(models.Model):
    """Something to do for a case by a due time. Unassigned tasks belong to the case's worker."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(_("jenis"), max_length=20, choices=TaskKind.choices)
    due_at = models.DateTimeField(_("tenggat"))
    assigned_to = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    plan_item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Set when the task was stopped without being done (a case closing), with the reason.
    cancelled = models.BooleanField(_("dibatalkan"), default=False)
    close_reason = EncryptedTextField(_("alasan"), null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(done_at__isnull=True), name="task_open_due"),
            models.Index(fields=["case", "done_at"], name="task_case_done"),
        ]

    def __str__(self) -> str:
        return f"task {self.pk}"

    def is_overdue(self, now: Any = None) -> bool:
        return self.done_at is None and self.due_at < (now or timezone.now())


class Closure(models.Model):
    """A request to close a case (reason and outcome), approved or returned by the manager."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="closures")
    outcome = models.CharField(_("hasil akhir"), max_length=24, choices=ClosureOutcome.choices)
    reason = EncryptedTextField(_("alasan penutupan"))
    status = models.CharField(max_length=20, choices=ClosureStatus.choices, default=ClosureStatus.SUBMITTED)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = EncryptedTextField(_("komentar manajer"), null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="diajukan"), name="closure_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"closure {self.pk}"
