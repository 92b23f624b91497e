"""Intake records: contacts, reports (pengaduan) and what hangs off them.

What is plain and what is sealed:

* Plain, so lists and statistics can filter and count in SQL: codes (channel,
  sex, violence type, place, relation), desa and kecamatan codes, age group,
  event dates, status, risk, case type, timestamps, yes/no flags.
* Sealed by the vault (``sigap.vault.fields``): every name, NIK, phone number,
  address, date of birth, age and free text. Reporter identity lives in its own
  record (``ReporterIdentity``) under the ``identity`` key; the rest uses the
  ``content`` key.
* Exact-match lookups of sealed values go through blind indexes
  (``*_index`` columns); a hit is only a candidate and is confirmed by decrypting.

Access to reports goes through ``Report.objects.visible_to(user)`` and
``sigap.intake.access`` only; views never query these models directly.
State changes go through ``sigap.intake.actions``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.accounts.roles import Perm, has_permission
from sigap.intake.codes import (
    PUBLIC_STATUS,
    Accommodation,
    AgeGroup,
    AmpkGroup,
    Authority,
    CaseType,
    Channel,
    ContactOutcome,
    DatePrecision,
    DisabilityType,
    Education,
    HeardFrom,
    MaritalStatus,
    Occupation,
    PerpetratorRelation,
    Place,
    ReporterRelation,
    ReportStatus,
    Risk,
    SafeChannel,
    Sex,
    SexualViolenceForm,
    ViolenceType,
)
from sigap.vault.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField

USER = settings.AUTH_USER_MODEL


class Contact(models.Model):
    """One call, chat, SMS, visit or volunteer message, whatever came of it.

    The caller's number is sealed; ``caller_phone_index`` (blind index of the
    normalised number) lets ``queries.caller_history`` find earlier contacts.
    """

    channel = models.CharField(_("saluran"), max_length=20, choices=Channel.choices)
    started_at = models.DateTimeField(_("waktu mulai"), default=timezone.now)
    duration_seconds = models.PositiveIntegerField(_("durasi (detik)"), null=True, blank=True)
    operator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("petugas"))
    caller_phone = EncryptedCharField(_("nomor penelepon"), purpose="identity", max_length=32, null=True, blank=True)
    caller_phone_index = models.CharField(max_length=16, blank=True, default="")
    outcome = models.CharField(_("hasil"), max_length=20, choices=ContactOutcome.choices)
    note = EncryptedTextField(_("catatan singkat"), null=True, blank=True)
    do_not_call_back = models.BooleanField(_("jangan telepon balik"), default=False)
    heard_from = models.CharField(
        _("dari mana tahu layanan ini"), max_length=20, choices=HeardFrom.choices, blank=True, default=""
    )
    # Where the caller is, when said (the contact log filters on it; a report's own kecamatan counts too).
    kecamatan_code = models.CharField(_("kecamatan"), max_length=8, blank=True, default="")
    report = models.ForeignKey(
        "Report", on_delete=models.PROTECT, null=True, blank=True, related_name="contacts", verbose_name=_("laporan")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Reset with the sealed fields by a scrub (sigap.vault.scrub).
    scrub_extra_fields: ClassVar[dict[str, Any]] = {"caller_phone_index": ""}

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["caller_phone_index"], name="contact_phone_index"),
            models.Index(fields=["started_at"], name="contact_started"),
            models.Index(fields=["outcome", "started_at"], name="contact_outcome_started"),
        ]
        verbose_name = _("kontak")
        verbose_name_plural = _("kontak")

    def __str__(self) -> str:
        return f"contact {self.pk}"

    def scrub_related(self) -> list[models.Model]:
        """Records of other apps a scrub of this contact takes along (``sigap.vault.scrub``).

        A model joins with a ``scrub_with_contact(contact)`` classmethod (the chat
        conversations recorded as this contact), so intake imports none of them.
        """
        from django.apps import apps

        related: list[models.Model] = []
        for model in apps.get_models():
            hook = getattr(model, "scrub_with_contact", None)
            if callable(hook):
                related.extend(hook(self))
        return related


def _identity_id() -> str:
    return uuid.uuid4().hex


class ReporterIdentity(models.Model):
    """Who reported, sealed under the ``identity`` key and kept apart from the report.

    The primary key is random, so the link from a report says nothing by itself.
    Showing these fields is the vault's reveal action (permission + reason + audit).
    """

    id = models.CharField(primary_key=True, max_length=32, default=_identity_id, editable=False)
    name = EncryptedCharField(_("nama"), purpose="identity", max_length=200, null=True, blank=True)
    nik = EncryptedCharField(_("NIK"), purpose="identity", max_length=16, null=True, blank=True)
    nik_index = models.CharField(max_length=16, blank=True, default="", db_index=True)
    phone = EncryptedCharField(_("nomor telepon"), purpose="identity", max_length=32, null=True, blank=True)
    phone_index = models.CharField(max_length=16, blank=True, default="", db_index=True)
    address = EncryptedTextField(_("alamat"), purpose="identity", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    scrub_extra_fields: ClassVar[dict[str, Any]] = {"nik_index": "", "phone_index": ""}

    class Meta:
        verbose_name = _("identitas pelapor")
        verbose_name_plural = _("identitas pelapor")

    def __str__(self) -> str:
        return f"reporter identity {self.pk}"


# Conditions on ``Report`` rows that widen what a case worker sees beyond the
# reports they filed. The cases app registers one in its ``AppConfig.ready``
# ("the reports of the cases this user may see"), so intake never imports cases
# and, without the cases app, a case worker sees only what they filed.
ReportGrant = Callable[[Any], Q]
_CASE_WORKER_GRANTS: list[ReportGrant] = []


def register_case_worker_grant(grant: ReportGrant) -> None:
    """Add ``grant(user) -> Q`` to the reports a case worker sees (idempotent)."""
    if grant not in _CASE_WORKER_GRANTS:
        _CASE_WORKER_GRANTS.append(grant)


# Conditions on ``Report`` rows that a user on duty now may open because the alerts sent them
# (security review, issue 15): ``sigap.alerts`` registers one. They widen ``visible_to`` only
# when the caller asks for them (``on_duty=True``: opening a report, its alert page), never a
# list, an export or a change; every open they allow is audited (``actions.open_report``).
_DUTY_GRANTS: list[ReportGrant] = []


def register_duty_grant(grant: ReportGrant) -> None:
    """Add ``grant(user) -> Q``: reports ``user`` may open while on duty (idempotent)."""
    if grant not in _DUTY_GRANTS:
        _DUTY_GRANTS.append(grant)


# "Buka kasus" on the report page: the cases app registers ``link(user, report) -> url or ""`` (the
# conditions under which a case may be opened from the report live there); without it, no link.
OpenCaseLink = Callable[[Any, Any], str]
_OPEN_CASE_LINKS: list[OpenCaseLink] = []


def register_open_case_link(link: OpenCaseLink) -> None:
    if link not in _OPEN_CASE_LINKS:
        _OPEN_CASE_LINKS.append(link)


# More of the report page from other apps: ``context(user, report) -> dict`` merged into the template's
# context (the alerts app: the failed call-back attempts before the first contact and their form).
ReportPageContext = Callable[[Any, Any], dict[str, Any]]
_REPORT_PAGE_CONTEXT: list[ReportPageContext] = []


def register_report_page_context(context: ReportPageContext) -> None:
    if context not in _REPORT_PAGE_CONTEXT:
        _REPORT_PAGE_CONTEXT.append(context)


def report_page_context(user: Any, report: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for context in _REPORT_PAGE_CONTEXT:
        found.update(context(user, report))
    return found


def open_case_link(user: Any, report: Any) -> str:
    """Where ``user`` opens a case from ``report``, or "" when they may not or it cannot be opened."""
    return next((url for link in _OPEN_CASE_LINKS if (url := link(user, report))), "")


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, user: Any, *, on_duty: bool = False) -> ReportQuerySet:
        """The one access rule for reports. Fails closed.

        * view_reports (operator, manager): every report of the deployment;
        * work_cases without view_reports (case worker): the reports they filed,
          and those the registered grants allow: with the cases app, the reports
          of the cases assigned to them (``sigap.cases.apps``);
        * submit_village_report (volunteer): only reports they submitted, and
          views show them the coarse status only (``access.report_access_level``);
        * everyone else (data officer, partner, admin, anonymous): nothing.

        ``on_duty=True`` (opening one report, never a list): a hotline member (record_contact)
        also reaches what the registered duty grants allow: with the alerts app, while
        they are the duty person or backup of the running shift, the reports awaiting
        first contact that the alerts sent them (``sigap.alerts.duty``).
        """
        if has_permission(user, Perm.VIEW_REPORTS):
            return self.all()
        duty = Q(pk__in=[])
        if on_duty and has_permission(user, Perm.RECORD_CONTACT):
            for grant in _DUTY_GRANTS:
                duty |= grant(user)
        if has_permission(user, Perm.WORK_CASES):
            condition = Q(submitted_by=user) | duty
            for grant in _CASE_WORKER_GRANTS:
                condition |= grant(user)
            return self.filter(condition)
        if on_duty and _DUTY_GRANTS and has_permission(user, Perm.RECORD_CONTACT):
            return self.filter(duty)
        if has_permission(user, Perm.SUBMIT_VILLAGE_REPORT):
            return self.filter(submitted_by=user)
        return self.none()

    def open(self) -> ReportQuerySet:
        return self.exclude(status=ReportStatus.SELESAI)

    def own_authority(self) -> ReportQuerySet:
        """The reports this unit counts as its own (kewenangan kabupaten/kota sendiri): the one rule for
        dashboards, the SIMFONI-PPA export and public numbers (``authority.OWN_AUTHORITY``)."""
        from sigap.intake.authority import OWN_AUTHORITY

        return self.filter(OWN_AUTHORITY)


class Report(models.Model):
    """A pengaduan: one registration number, one or more victims, a chronology.

    ``registration_number`` is ``<regency code without dot>-<year>-<6 digits>``,
    gap-free per regency and year (``RegistrationCounter``).
    """

    registration_number = models.CharField(_("nomor registrasi"), max_length=20, unique=True)
    region_code = models.CharField(max_length=5, editable=False)
    year = models.PositiveSmallIntegerField(editable=False)
    sequence = models.PositiveIntegerField(editable=False)

    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DITERIMA)
    channel = models.CharField(_("saluran"), max_length=20, choices=Channel.choices)
    source = models.CharField(_("sumber informasi"), max_length=64, blank=True, default="")
    heard_from = models.CharField(
        _("dari mana tahu layanan ini"), max_length=20, choices=HeardFrom.choices, blank=True, default=""
    )
    # When the unit received it. For a paper form or a volunteer's written note typed in
    # later, the time staff give (``late_entry``), so deadlines and response times count
    # from it; ``created_at`` stays the time it was typed in.
    received_at = models.DateTimeField(_("diterima pada"), default=timezone.now)
    late_entry = models.BooleanField(_("dicatat dari formulir kertas"), default=False)
    late_entry_reason = EncryptedTextField(_("alasan pencatatan terlambat"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("dicatat oleh")
    )

    # Reporter: the identity itself is in ReporterIdentity.
    reporter = models.ForeignKey(
        ReporterIdentity, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    reporter_relation = models.CharField(
        _("hubungan pelapor dengan korban"), max_length=20, choices=ReporterRelation.choices, blank=True, default=""
    )
    reporter_declined_identity = models.BooleanField(_("pelapor menolak memberi identitas"), default=False)
    reporter_declined_reason = EncryptedTextField(_("alasan menolak"), purpose="identity", null=True, blank=True)
    needs_follow_up = models.BooleanField(_("perlu tindak lanjut identitas"), default=False)

    # Where: the first victim's desa, copied for fast lists and statistics.
    desa = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("desa")
    )
    kecamatan_code = models.CharField(_("kecamatan"), max_length=8, blank=True, default="")
    # A victim's desa or an incident's place was not known: staff follow up (and decide the authority).
    place_unknown = models.BooleanField(_("tempat belum diketahui"), default=False)
    # Kewenangan (``sigap.intake.authority``): what counts; ``authority_suggested`` is what SIGAP
    # suggested from the places, kept beside staff's decisions (``AuthorityDecision``).
    authority = models.CharField(_("kewenangan"), max_length=12, choices=Authority.choices, default=Authority.OWN,
                                 db_index=True)
    authority_suggested = models.CharField(_("kewenangan menurut aturan"), max_length=12, choices=Authority.choices,
                                           default=Authority.OWN)
    transfer_to = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("usulan pelimpahan ke"),
    )

    # Triage (sigap.intake.triage); risk_reasons holds rule codes, never text.
    risk = models.CharField(_("risiko"), max_length=10, choices=Risk.choices)
    risk_reasons = models.JSONField(default=list, blank=True)
    risk_computed = models.CharField(max_length=10, choices=Risk.choices, editable=False)
    risk_overridden = models.BooleanField(default=False)
    # The first of the victims' case types in CASE_TYPE_PRECEDENCE (sigap.intake.ages);
    # each victim has its own (Victim.case_type), and the report shows them all.
    case_type = models.CharField(_("jenis kasus"), max_length=7, choices=CaseType.choices, blank=True)
    response_due_at = models.DateTimeField(_("batas waktu respons"))

    # Condition and danger (plain flags count in statistics and drive triage).
    immediate_danger = models.BooleanField(_("bahaya segera"), default=False)
    injury_needs_care = models.BooleanField(_("luka perlu perawatan"), default=False)
    threat_to_life = models.BooleanField(_("ancaman terhadap nyawa"), default=False)
    self_harm_risk = models.BooleanField(_("risiko menyakiti diri"), default=False)
    repeated_violence = models.BooleanField(_("kekerasan berulang"), default=False)
    victim_condition = EncryptedTextField(_("kondisi korban"), null=True, blank=True)
    needs = EncryptedTextField(_("kebutuhan dan harapan"), null=True, blank=True)

    # Safe contact.
    safe_times = EncryptedTextField(_("waktu aman dihubungi"), null=True, blank=True)
    safe_channel = models.CharField(
        _("saluran aman"), max_length=20, choices=SafeChannel.choices, blank=True, default=""
    )
    never_call_back = models.BooleanField(_("jangan pernah telepon balik nomor ini"), default=False)

    # Consents.
    consent_process = models.BooleanField(_("setuju diproses"), default=False)
    consent_refer = models.BooleanField(_("setuju dirujuk ke mitra"), default=False)
    consent_police = models.BooleanField(_("setuju dilaporkan ke polisi"), default=False)
    consent_statistics = models.BooleanField(_("setuju data anonim untuk statistik"), default=False)

    # Set when a scrub erased the report's personal data (its case's retention ended).
    scrubbed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="report_status_created"),
            models.Index(fields=["risk", "status"], name="report_risk_status"),
            models.Index(fields=["-created_at"], name="report_created"),
            models.Index(fields=["kecamatan_code", "-created_at"], name="report_kecamatan_created"),
            models.Index(fields=["desa", "-created_at"], name="report_desa_created"),
            models.Index(fields=["submitted_by", "-created_at"], name="report_submitter_created"),
            models.Index(fields=["status", "response_due_at"], name="report_status_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year", "sequence"], name="report_number_unique"),
        ]
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")

    def __str__(self) -> str:
        return self.registration_number

    @property
    def public_status(self) -> str:
        """The coarse status a reporter or volunteer may see."""
        return PUBLIC_STATUS.get(self.status, "diterima")

    @property
    def is_open(self) -> bool:
        return self.status != ReportStatus.SELESAI

    def scrub_related(self) -> list[models.Model]:
        """What a scrub of this report erases with it (``sigap.vault.scrub``).

        Its victims, perpetrators, chronology (superseded events too), risk-override
        reasons, contacts and stored answers; a link's reason once the report at
        its other end is scrubbed too; the reporter's identity once no other report
        still holding data points to it.
        """
        from sigap.vault.scrub import sealed_descendants, unread

        related: list[models.Model] = []
        for record in sealed_descendants(self):
            if isinstance(record, ReportLink):
                other = record.other_id if record.report_id == self.pk else record.report_id
                if not Report.objects.filter(pk=other, scrubbed_at__isnull=False).exists():
                    continue
            related.append(record)
        if self.reporter_id is not None:
            shared = Report.objects.filter(reporter_id=self.reporter_id, scrubbed_at__isnull=True).exclude(pk=self.pk)
            if not shared.exists():
                related.extend(ReporterIdentity.objects.filter(pk=self.reporter_id).defer(*unread(ReporterIdentity)))
        return related


class Victim(models.Model):
    """One victim of a report. Identity fields sealed; age at the incident, age group, sex and desa plain.

    ``age_at_incident``, ``age_group``, ``is_child``, ``case_type``,
    ``incident_reference_date`` and ``incident_date_unknown`` are computed by
    ``sigap.intake.ages`` from the sealed birth date or stated age and the
    chronology: they describe the victim **at the incident** (the earliest
    event), which is what the law and the statistics count. The age today is
    computed for display only (``ages.age_now``).
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="victims")
    position = models.PositiveSmallIntegerField(default=0)
    name = EncryptedCharField(_("nama"), max_length=200, null=True, blank=True)
    name_index = models.CharField(max_length=16, blank=True, default="")
    birth_date = EncryptedDateField(_("tanggal lahir"), null=True, blank=True)
    stated_age = EncryptedCharField(_("usia (perkiraan)"), max_length=3, null=True, blank=True)
    # At the incident (sigap.intake.ages). age_group "" and is_child True: age unknown.
    age_at_incident = models.PositiveSmallIntegerField(_("usia saat kejadian"), null=True, blank=True)
    age_group = models.CharField(_("kelompok usia saat kejadian"), max_length=5, choices=AgeGroup.choices, blank=True)
    is_child = models.BooleanField(_("anak saat kejadian"), default=False)
    case_type = models.CharField(_("jenis kasus"), max_length=7, choices=CaseType.choices, blank=True, default="")
    incident_reference_date = models.DateField(_("tanggal acuan usia"), null=True, blank=True)
    incident_date_unknown = models.BooleanField(_("tanggal kejadian belum diketahui"), default=False)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    nik = EncryptedCharField(_("NIK"), max_length=16, null=True, blank=True)
    nik_index = models.CharField(max_length=16, blank=True, default="", db_index=True)
    address = EncryptedTextField(_("alamat"), null=True, blank=True)
    # None: the reporter did not know it (``Report.place_unknown``).
    desa = models.ForeignKey("regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("desa"))
    desa_unknown_reason = EncryptedTextField(_("alasan desa tidak diketahui"), null=True, blank=True)
    kecamatan_code = models.CharField(max_length=8, blank=True, default="")
    education = models.CharField(_("pendidikan"), max_length=20, choices=Education.choices, blank=True, default="")
    occupation = models.CharField(_("pekerjaan"), max_length=24, choices=Occupation.choices, blank=True, default="")
    disability = models.BooleanField(_("disabilitas"), default=False)
    marital_status = models.CharField(
        _("status perkawinan"), max_length=12, choices=MaritalStatus.choices, blank=True, default=""
    )

    scrub_extra_fields: ClassVar[dict[str, Any]] = {"name_index": "", "nik_index": ""}

    class Meta:
        ordering = ["report", "position"]
        indexes = [
            models.Index(fields=["desa", "name_index"], name="victim_desa_name"),
            models.Index(fields=["kecamatan_code", "age_group", "sex"], name="victim_kec_age_sex"),
            models.Index(fields=["case_type", "age_group"], name="victim_case_type_age"),
            models.Index(fields=["is_child", "sex"], name="victim_child_sex"),
            models.Index(fields=["age_at_incident"], name="victim_age_at_incident"),
        ]
        verbose_name = _("korban")
        verbose_name_plural = _("korban")

    def __str__(self) -> str:
        return f"victim {self.pk}"

    @property
    def age(self) -> int | None:
        return int(self.stated_age) if self.stated_age else None

    @property
    def age_label(self) -> str:
        """The age at the incident, and now where it differs (``ages.age_text``)."""
        from sigap.intake.ages import age_text

        return age_text(self)

    @property
    def case_type_label(self) -> str:
        from sigap.intake.ages import case_type_label

        return case_type_label(self.case_type)


class Perpetrator(models.Model):
    """An alleged perpetrator (terlapor). ``is_child`` matters for the mediation rule."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="perpetrators")
    position = models.PositiveSmallIntegerField(default=0)
    name = EncryptedCharField(_("nama"), max_length=200, null=True, blank=True)
    relation = models.CharField(
        _("hubungan dengan korban"),
        max_length=20,
        choices=PerpetratorRelation.choices,
        default=PerpetratorRelation.TIDAK_DIKETAHUI,
    )
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices, blank=True, default="")
    lives_with_victim = models.BooleanField(_("tinggal serumah dengan korban"), default=False)
    holds_office = models.BooleanField(_("memegang jabatan publik/desa"), default=False)
    # None: not known. A sexual-violence case may be mediated only when the perpetrator is a child.
    is_child = models.BooleanField(_("pelaku anak"), null=True, blank=True)
    # Optional at intake (SIMFONI-PPA's perpetrator sheet). Birth date and stated age
    # sealed; the age at the incident (sigap.intake.ages) and its group plain.
    birth_date = EncryptedDateField(_("tanggal lahir"), null=True, blank=True)
    stated_age = EncryptedCharField(_("usia (perkiraan)"), max_length=3, null=True, blank=True)
    age_at_incident = models.PositiveSmallIntegerField(_("usia saat kejadian"), null=True, blank=True)
    age_group = models.CharField(_("kelompok usia saat kejadian"), max_length=5, choices=AgeGroup.choices,
                                 blank=True, default="")
    education = models.CharField(_("pendidikan"), max_length=20, choices=Education.choices, blank=True, default="")
    occupation = models.CharField(_("pekerjaan"), max_length=24, choices=Occupation.choices, blank=True, default="")

    class Meta:
        ordering = ["report", "position"]
        verbose_name = _("terlapor")
        verbose_name_plural = _("terlapor")

    def __str__(self) -> str:
        return f"perpetrator {self.pk}"


class VictimAmpkGroup(models.Model):
    """One AMPK group (UU 35/2014 Pasal 59 ayat 2) of a child victim: a row per group, so SQL counts them."""

    victim = models.ForeignKey(Victim, on_delete=models.PROTECT, related_name="ampk_groups")
    group = models.CharField(max_length=24, choices=AmpkGroup.choices)
    # True: SIGAP's suggestion from the violence types (sigap.intake.ampk), not a person's choice; counted
    # the same, shown as "usulan SIGAP" until staff choose.
    suggested = models.BooleanField(_("usulan SIGAP"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["victim", "group"], name="victim_ampk_group_unique")]
        indexes = [models.Index(fields=["group"], name="victim_ampk_group")]

    def __str__(self) -> str:
        return f"{self.victim_id}:{self.group}"


class VictimDisability(models.Model):
    """One type of disability of a victim (UU 8/2016 Pasal 4); several make disabilitas ganda."""

    victim = models.ForeignKey(Victim, on_delete=models.PROTECT, related_name="disability_types")
    kind = models.CharField(max_length=12, choices=DisabilityType.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["victim", "kind"], name="victim_disability_unique")]
        indexes = [models.Index(fields=["kind"], name="victim_disability_kind")]

    def __str__(self) -> str:
        return f"{self.victim_id}:{self.kind}"


class VictimAccommodation(models.Model):
    """One accommodation a victim with a disability needs (UU TPKS Pasal 66 ayat 2)."""

    victim = models.ForeignKey(Victim, on_delete=models.PROTECT, related_name="accommodations")
    kind = models.CharField(max_length=24, choices=Accommodation.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["victim", "kind"], name="victim_accommodation_unique")]

    def __str__(self) -> str:
        return f"{self.victim_id}:{self.kind}"


# Chronology order: by date, events whose date is not known last (the same on SQLite and PostgreSQL,
# whose NULL orders differ), then as told.
EVENT_ORDER = (F("when").asc(nulls_last=True), "position")


class ChronologyEventQuerySet(models.QuerySet["ChronologyEvent"]):
    def current(self) -> ChronologyEventQuerySet:
        return self.filter(is_current=True)

    def in_order(self) -> ChronologyEventQuerySet:
        return self.order_by(*EVENT_ORDER)


class ChronologyEvent(models.Model):
    """One event of the kronologi. Never edited in place.

    To amend, the cases app inserts a new row with ``supersedes`` pointing at the
    old one and sets the old row's ``is_current`` to False, so the history of what
    was said stays.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    position = models.PositiveSmallIntegerField(default=0)
    # None: the date is not known at all ("tanggal tidak diketahui"); nothing is made up. Ages then count
    # from the report's date (sigap.intake.ages) and the victim is flagged ``incident_date_unknown``.
    when = models.DateTimeField(_("waktu kejadian"), null=True, blank=True, db_index=True)
    # False: only the date is known (``when`` holds midnight, never shown as 00:00).
    time_known = models.BooleanField(_("jam diketahui"), default=True)
    approximate = models.BooleanField(_("perkiraan"), default=False)
    # How much of ``when`` is known; an age counts from the earliest day it allows.
    precision = models.CharField(
        _("ketepatan tanggal"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.HARI
    )
    # Blank: not given ("belum dicatat"), never guessed as "lainnya" (codes.PLACE_UNKNOWN).
    place = models.CharField(_("tempat kejadian"), max_length=30, choices=Place.choices, blank=True, default="")
    # None: the reporter did not know where it happened.
    desa = models.ForeignKey("regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("desa"))
    desa_unknown_reason = EncryptedTextField(_("alasan desa tidak diketahui"), null=True, blank=True)
    description = EncryptedTextField(_("uraian"))
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    is_current = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ChronologyEventQuerySet.as_manager()

    class Meta:
        ordering = ["report", F("when").asc(nulls_last=True), "position"]
        verbose_name = _("kejadian")
        verbose_name_plural = _("kronologi")

    def __str__(self) -> str:
        return f"event {self.pk}"

    @property
    def date_known(self) -> bool:
        return self.when is not None

    @property
    def when_iso(self) -> str:
        """For ``<time datetime>``: the moment, or only the day when the hour is not known; "" without a date."""
        if self.when is None:
            return ""
        moment = timezone.localtime(self.when)
        return moment.isoformat() if self.time_known else moment.date().isoformat()

    def date_text(self) -> str:
        """The date as far as it is known, without the hour (letters): 1 Desember 2026, Desember 2026, 2026."""
        from django.utils import formats
        from django.utils.translation import gettext

        if self.when is None:
            return gettext("tanggal tidak diketahui")
        moment = timezone.localtime(self.when)
        if self.precision == DatePrecision.TAHUN:
            return formats.date_format(moment, "Y")
        if self.precision == DatePrecision.BULAN:
            return formats.date_format(moment, "F Y")
        return formats.date_format(moment, "j F Y")

    def when_display(self) -> str:
        """E.g. 1 Desember 2026 19:00; without a time ("jam tidak diketahui") when only the date is known;
        "tanggal tidak diketahui" without a date."""
        from django.utils import formats
        from django.utils.translation import gettext

        if self.when is None:
            return gettext("tanggal tidak diketahui")
        moment = timezone.localtime(self.when)
        if self.precision == DatePrecision.TAHUN:
            return formats.date_format(moment, "Y")
        if self.precision == DatePrecision.BULAN:
            return formats.date_format(moment, "F Y")
        if self.time_known:
            return formats.date_format(moment, "j F Y H:i")
        return gettext("%(date)s, jam tidak diketahui") % {"date": formats.date_format(moment, "j F Y")}


class ReportViolence(models.Model):
    """One violence type of a report: a row per type, so SQL can count them."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="violence")
    violence_type = models.CharField(max_length=20, choices=ViolenceType.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "violence_type"], name="report_violence_unique")]
        indexes = [models.Index(fields=["violence_type"], name="violence_type")]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.violence_type}"


class ReportSexualForm(models.Model):
    """One sexual-violence form (UU TPKS Pasal 4 ayat 1 or 2) of a report."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="sexual_forms")
    form = models.CharField(max_length=24, choices=SexualViolenceForm.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "form"], name="report_sexual_form_unique")]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.form}"


class RiskOverride(models.Model):
    """An operator's change of a report's risk, with the reason sealed."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="risk_overrides")
    from_risk = models.CharField(max_length=10, choices=Risk.choices)
    to_risk = models.CharField(max_length=10, choices=Risk.choices)
    reason = EncryptedTextField(_("alasan"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"risk override {self.pk}"


class AuthorityDecision(models.Model):
    """Staff's decision on a report's kewenangan, with the reason sealed; the rows are its history."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="authority_decisions")
    from_authority = models.CharField(max_length=12, choices=Authority.choices)
    to_authority = models.CharField(max_length=12, choices=Authority.choices)
    transfer_to = models.ForeignKey("regions.Region", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reason = EncryptedTextField(_("alasan"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"authority decision {self.pk}"


class RegistrationCounter(models.Model):
    """The last registration number used per regency and year.

    Locked (SELECT ... FOR UPDATE; SQLite serialises writers with IMMEDIATE
    transactions) in the same transaction as the report insert, so numbers are
    gap-free: a rolled-back report rolls its number back too.
    """

    region_code = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_code", "year"], name="registration_counter_unique")]

    def __str__(self) -> str:
        return f"{self.region_code}-{self.year}: {self.last_value}"


class TrackingCode(models.Model):
    """The reporter's tracking code and PIN, stored only as keyed hashes."""

    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="tracking")
    code_digest = models.CharField(max_length=64, unique=True)
    pin_digest = models.CharField(max_length=64)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"tracking code {self.pk}"


class ApiToken(models.Model):
    """A bearer token of the integration API. Only its SHA-256 is stored."""

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"api token {self.pk}"


class IdempotencyRecord(models.Model):
    """The first answer to a request with an ``Idempotency-Key``, per user and key.

    ``user`` is None for the public web form, whose keys are one-time form tokens
    (unique among themselves). The answer (registration number, tracking code,
    PIN) is sealed, and records are purged after ``SIGAP_IDEMPOTENCY_HOURS``
    (``actions.purge_idempotency``).
    """

    user = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    key = models.CharField(max_length=128)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = EncryptedTextField(null=True, blank=True)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key"),
            # NULLs are distinct in the constraint above, so anonymous keys need their own.
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(user__isnull=True), name="idempotency_public_key"
            ),
        ]

    def __str__(self) -> str:
        return f"idempotency record {self.pk}"


class ReportLink(models.Model):
    """A possible-duplicate link between two reports, made by a person. Nothing is merged.

    Stored with ``report_id < other_id`` so a pair is linked once.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="links_out")
    other = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="links_in")
    reason = EncryptedTextField(_("alasan"), null=True, blank=True)
    linked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "other"], name="report_link_unique"),
            models.CheckConstraint(condition=models.Q(report__lt=models.F("other")), name="report_link_ordered"),
        ]

    def __str__(self) -> str:
        return f"link {self.report_id}-{self.other_id}"


class ReportAmendment(models.Model):
    """One correction of a report after it was filed: what changed, the old and new value, who, when, why.

    ``field`` is a plain path ("victims.0.birth_date", "violence_types"); the values
    and the reason are sealed, because a name or a date of birth is personal. The
    report itself holds the new value; these rows are its history.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="amendments")
    field = models.CharField(max_length=64)
    label = models.CharField(max_length=120)
    old_value = EncryptedTextField(null=True, blank=True)
    new_value = EncryptedTextField(null=True, blank=True)
    # The reporter's details (``amend.IDENTITY``): the values under the identity key, shown only through
    # the vault's reveal; ``old_value``/``new_value`` then hold masks.
    old_identity = EncryptedTextField(purpose="identity", null=True, blank=True)
    new_identity = EncryptedTextField(purpose="identity", null=True, blank=True)
    reason = EncryptedTextField(_("alasan perubahan"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="amendment_report_at")]

    def __str__(self) -> str:
        return f"amendment {self.pk}"


class ReportNote(models.Model):
    """A note added to a filed report by the one who submitted it (a volunteer may not amend, but may add).

    The text is sealed; staff read it on the report and in the case timeline.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="notes")
    text = EncryptedTextField(_("catatan"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="report_note_report_at")]

    def __str__(self) -> str:
        return f"report note {self.pk}"
