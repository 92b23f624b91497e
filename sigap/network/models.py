"""The village network (contact points, PATBM groups, SAPA volunteers) and partners.

Names and phone numbers of members and partners' contact people are sealed
(``sigap.vault.fields``); desa codes, kinds, positions and dates stay plain so
coverage can be counted in SQL.

Every change goes through ``sigap.network.actions``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.vault.fields import EncryptedBytesField, EncryptedCharField, EncryptedTextField

USER = settings.AUTH_USER_MODEL


class MemberKind(models.TextChoices):
    CONTACT_POINT = "contact_point", _("Narahubung desa")
    PATBM = "patbm", _("Anggota PATBM")
    SAPA = "sapa", _("Relawan SAPA")


class Position(models.TextChoices):
    """What the person is in the village (for the contact point above all)."""

    KEPALA_DESA = "kepala_desa", _("Kepala desa")
    PERANGKAT_DESA = "perangkat_desa", _("Perangkat desa")
    KADER = "kader", _("Kader (PKK/Posyandu)")
    BIDAN_DESA = "bidan_desa", _("Bidan desa")
    GURU = "guru", _("Guru")
    TOKOH_AGAMA = "tokoh_agama", _("Tokoh agama")
    TOKOH_MASYARAKAT = "tokoh_masyarakat", _("Tokoh masyarakat")
    WARGA = "warga", _("Warga")
    LAINNYA = "lainnya", _("Lainnya")


class GroupRole(models.TextChoices):
    """A member's role inside the PATBM group or among SAPA volunteers."""

    KETUA = "ketua", _("Ketua")
    WAKIL_KETUA = "wakil_ketua", _("Wakil ketua")
    SEKRETARIS = "sekretaris", _("Sekretaris")
    BENDAHARA = "bendahara", _("Bendahara")
    ANGGOTA = "anggota", _("Anggota")


class MemberQuerySet(models.QuerySet["Member"]):
    def active(self) -> MemberQuerySet:
        return self.filter(left_at__isnull=True)


class Member(models.Model):
    """One person of a village's network: the contact point, a PATBM member or a SAPA volunteer."""

    desa = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("desa"))
    kind = models.CharField(_("jenis"), max_length=20, choices=MemberKind.choices)
    name = EncryptedCharField(_("nama"), purpose="identity", max_length=200)
    position = models.CharField(_("jabatan di desa"), max_length=20, choices=Position.choices, default=Position.WARGA)
    group_role = models.CharField(
        _("peran dalam kelompok"), max_length=20, choices=GroupRole.choices, default=GroupRole.ANGGOTA
    )
    phone = EncryptedCharField(_("nomor telepon"), purpose="identity", max_length=32, null=True, blank=True)
    phone_index = models.CharField(max_length=16, blank=True, default="", db_index=True)
    may_print = models.BooleanField(
        _("boleh dicetak di pamflet"),
        default=False,
        help_text=_("Nama dan nomor narahubung hanya dicetak di pamflet bila yang bersangkutan setuju."),
    )
    joined_on = models.DateField(_("bergabung sejak"), default=timezone.localdate)
    user = models.OneToOneField(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="network_member", editable=False
    )
    left_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["desa", "kind", "id"]
        indexes = [models.Index(fields=["desa", "kind", "left_at"], name="member_desa_kind")]
        constraints = [
            # One active contact point per desa; a new one is registered after the old one leaves.
            models.UniqueConstraint(
                fields=["desa"],
                condition=Q(kind="contact_point", left_at__isnull=True),
                name="member_one_contact_point_per_desa",
            )
        ]
        verbose_name = _("anggota jaringan")
        verbose_name_plural = _("anggota jaringan")

    def __str__(self) -> str:
        return f"member {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class PatbmGroup(models.Model):
    """A village's PATBM group; its members are the desa's ``Member`` rows of kind PATBM."""

    desa = models.OneToOneField(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("desa")
    )
    formed_on = models.DateField(_("dibentuk pada"), null=True, blank=True)
    decree_number = models.CharField(_("nomor SK pembentukan"), max_length=100, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("kelompok PATBM")
        verbose_name_plural = _("kelompok PATBM")

    def __str__(self) -> str:
        return f"PATBM {self.desa_id}"


class Invitation(models.Model):
    """A one-time link that lets a network member create a volunteer account.

    Only the SHA-256 of the token is stored; the link is shown once to the person
    who created it.
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="invitations")
    token_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation {self.pk}"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def is_usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.expires_at > now and self.member.is_active


class PartnerType(models.TextChoices):
    POLICE_UPPA = "police_uppa", _("Polres / Unit PPA")
    HOSPITAL = "hospital", _("Rumah sakit")
    PUSKESMAS = "puskesmas", _("Puskesmas")
    LEGAL_AID = "legal_aid", _("Lembaga bantuan hukum")
    SOCIAL_SERVICES = "social_services", _("Dinas Sosial")
    PSYCHOLOGIST = "psychologist", _("Psikolog")
    SAFE_HOUSE = "safe_house", _("Rumah aman")
    RELIGIOUS_LEADER = "religious_leader", _("Tokoh agama")
    SCHOOL = "school", _("Sekolah")
    LPSK = "lpsk", _("LPSK (Lembaga Perlindungan Saksi dan Korban)")
    PROSECUTOR = "prosecutor", _("Kejaksaan")
    COURT = "court", _("Pengadilan")
    BAPAS = "bapas", _("Bapas (Balai Pemasyarakatan)")
    DUKCAPIL = "dukcapil", _("Dukcapil (dokumen kependudukan)")
    UPTD_REGENCY = "uptd_ppa_regency", _("UPTD PPA kabupaten/kota lain")
    UPTD_PROVINCE = "uptd_ppa_province", _("UPTD PPA provinsi")
    SAPA129 = "sapa129", _("SAPA 129 KemenPPPA")
    OTHER = "other", _("Lainnya")


class Service(models.TextChoices):
    """Services a partner offers; the SIMFONI-PPA service types plus psychological help and shelter."""

    PENGADUAN = "pengaduan", _("Pengaduan")
    KESEHATAN = "kesehatan", _("Kesehatan")
    BANTUAN_HUKUM = "bantuan_hukum", _("Bantuan hukum")
    PENEGAKAN_HUKUM = "penegakan_hukum", _("Penegakan hukum")
    REHABILITASI_SOSIAL = "rehabilitasi_sosial", _("Rehabilitasi sosial")
    REINTEGRASI_SOSIAL = "reintegrasi_sosial", _("Reintegrasi sosial")
    PEMULANGAN = "pemulangan", _("Pemulangan")
    PENDAMPINGAN_TOKOH_AGAMA = "pendampingan_agama", _("Pendampingan tokoh agama")
    PSIKOLOGIS = "psikologis", _("Layanan psikologis")
    RUMAH_AMAN = "rumah_aman", _("Penampungan / rumah aman")
    PENDIDIKAN = "pendidikan", _("Pendidikan")


class PartnerQuerySet(models.QuerySet["Partner"]):
    def active(self) -> PartnerQuerySet:
        return self.filter(active=True)

    def offering(self, service: str) -> PartnerQuerySet:
        return self.filter(services__service=service).distinct()

    def serving(self, kecamatan_code: str) -> PartnerQuerySet:
        """Partners that serve a kecamatan, or the whole regency (no kecamatan listed)."""
        return self.filter(Q(kecamatan_served__code=kecamatan_code) | Q(kecamatan_served__isnull=True)).distinct()


class Partner(models.Model):
    """A service provider cases are referred to (the cases app's referrals point here)."""

    name = models.CharField(_("nama lembaga"), max_length=200)
    partner_type = models.CharField(_("jenis lembaga"), max_length=20, choices=PartnerType.choices)
    kecamatan_served = models.ManyToManyField(
        "regions.Region",
        blank=True,
        related_name="+",
        verbose_name=_("kecamatan yang dilayani"),
        help_text=_("Kosongkan bila melayani seluruh kabupaten."),
    )
    address = models.TextField(_("alamat kantor"), blank=True, default="")
    contact_name = EncryptedCharField(_("nama narahubung"), purpose="content", max_length=200, null=True, blank=True)
    phone = EncryptedCharField(_("nomor telepon"), purpose="content", max_length=32, null=True, blank=True)
    email = EncryptedCharField(_("surel"), purpose="content", max_length=254, null=True, blank=True)
    notes = EncryptedTextField(_("catatan"), null=True, blank=True)
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("mitra")
        verbose_name_plural = _("mitra")

    def __str__(self) -> str:
        return self.name

    @property
    def service_codes(self) -> list[str]:
        return [s.service for s in self.services.all()]


class PartnerService(models.Model):
    """One service a partner offers: a row each, so referrals can filter in SQL."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(max_length=24, choices=Service.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "service"], name="partner_service_unique")]
        indexes = [models.Index(fields=["service"], name="partner_service")]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.service}"


class PartnerMember(models.Model):
    """A partner-role user who may read the referrals sent to ``partner``.

    Kept here rather than on ``accounts.User`` so accounts need not know partners.
    """

    user = models.OneToOneField(USER, on_delete=models.PROTECT, related_name="partner_membership")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="members")
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pengguna mitra")
        verbose_name_plural = _("pengguna mitra")

    def __str__(self) -> str:
        return f"partner member {self.user_id}"


def partner_of(user: Any) -> Partner | None:
    """The partner a signed-in partner user belongs to (for the referral inbox), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    membership = PartnerMember.objects.select_related("partner").filter(user=user, partner__active=True).first()
    return membership.partner if membership else None


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Pratinjau")
    IMPORTED = "imported", _("Diimpor")


class ImportBatch(models.Model):
    """One uploaded list (village network or partners): previewed, then imported once.

    The file is kept sealed only between the preview and the import, then erased;
    the report keeps row numbers and counts, never a name or a number.
    """

    kind = models.CharField(max_length=10)
    filename = models.CharField(max_length=200, blank=True, default="")
    content = EncryptedBytesField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    imported_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    # [[row number, [problem, ...]], ...] for the rows left out (problems name no person).
    skipped = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.pk}"
