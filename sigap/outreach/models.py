"""Outreach: campaigns, socialisation activities and their photos, pamphlet batches, press releases.

Counts (audience, pamphlets), dates, desa and kecamatan codes are plain so the
coverage screen counts them in SQL; free-text notes and photos are sealed.
Photos and pamphlet batches are sealed byte strings (``EncryptedBytesField``,
purpose ``attachment``, so ``rotate_keys`` re-seals them) kept in the database
with their size and type.

Every change goes through ``sigap.outreach.actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.vault.fields import EncryptedBytesField, EncryptedTextField

USER = settings.AUTH_USER_MODEL

# Campaign codes travel in QR links (``src=``) and into intake's ``Report.source``.
CAMPAIGN_SLUG = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,39}$",
    _("Kode kampanye: 2–40 huruf kecil, angka atau tanda hubung, diawali huruf atau angka."),
)


class Campaign(models.Model):
    """A push of outreach (a year's pamphlets, a radio series); its code is the ``src`` of QR links."""

    slug = models.CharField(_("kode kampanye"), max_length=40, unique=True, validators=[CAMPAIGN_SLUG])
    name = models.CharField(_("nama kampanye"), max_length=200)
    started_on = models.DateField(_("mulai"), default=timezone.localdate)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("kampanye")
        verbose_name_plural = _("kampanye")

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    SOSIALISASI = "sosialisasi", _("Sosialisasi tatap muka")
    SEKOLAH = "sekolah", _("Sekolah")
    POSYANDU = "posyandu", _("Posyandu")
    IBADAH = "ibadah", _("Pengajian / ibadah")
    RADIO = "radio", _("Radio")
    MEDIA_SOSIAL = "media_sosial", _("Media sosial")
    PAMFLET_CETAK = "pamflet_cetak", _("Pamflet cetak")
    PAMFLET_DIGITAL = "pamflet_digital", _("Pamflet digital")
    LIPUTAN_MEDIA = "liputan_media", _("Liputan media")


class Activity(models.Model):
    """One outreach activity in a desa, or across a kecamatan (desa empty)."""

    date = models.DateField(_("tanggal"))
    kecamatan = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("kecamatan")
    )
    desa = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("desa")
    )
    kind = models.CharField(_("jenis kegiatan"), max_length=20, choices=ActivityKind.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="activities", verbose_name=_("kampanye")
    )
    audience_women = models.PositiveIntegerField(_("peserta perempuan"), default=0)
    audience_men = models.PositiveIntegerField(_("peserta laki-laki"), default=0)
    audience_children = models.PositiveIntegerField(_("peserta anak"), default=0)
    pamphlets_handed_out = models.PositiveIntegerField(_("pamflet dibagikan"), default=0)
    partners = models.ManyToManyField("network.Partner", blank=True, related_name="+", verbose_name=_("mitra"))
    members = models.ManyToManyField(
        "network.Member", blank=True, related_name="+", verbose_name=_("PATBM / SAPA yang terlibat")
    )
    notes = EncryptedTextField(_("catatan"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["desa", "-date"], name="activity_desa_date"),
            models.Index(fields=["kecamatan", "-date"], name="activity_kecamatan_date"),
        ]
        verbose_name = _("kegiatan sosialisasi")
        verbose_name_plural = _("kegiatan sosialisasi")

    def __str__(self) -> str:
        return f"activity {self.pk}"

    @property
    def audience_total(self) -> int:
        return self.audience_women + self.audience_men + self.audience_children


class ActivityPhoto(models.Model):
    """A photo of an activity, sealed. Served only through the authenticated, audited view."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="photos")
    # The photo's bytes (plain in Python, sealed in the column). The name is part of
    # the associated data of every stored value, so it stays.
    sealed = EncryptedBytesField()
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk}"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Sedang dibuat")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class PamphletBatch(models.Model):
    """Pamphlets for every desa of the region, made by the background worker.

    ``combined_pdf``: one A4 PDF, a page per desa. ``archive``: a ZIP with each
    desa's A4 and A5 PDF and PNG, plus the combined A5 PDF. Both sealed.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="batches")
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    village_count = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    combined_pdf = EncryptedBytesField(null=True, blank=True)
    archive = EncryptedBytesField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"pamphlet batch {self.pk}"


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    APPROVED = "approved", _("Disetujui dan terbit")
    WITHDRAWN = "withdrawn", _("Ditarik")


class PressRelease(models.Model):
    """A press-release draft for a campaign; public only after a manager approves it.

    The text is meant for publication, so it is plain; ``figures`` is a snapshot of
    the anonymised numbers the draft was written with.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="press_releases", verbose_name=_("kampanye")
    )
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"))
    figures = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT)
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at", "-id"]
        verbose_name = _("siaran pers")
        verbose_name_plural = _("siaran pers")

    def __str__(self) -> str:
        return self.title
