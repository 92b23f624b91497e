"""Indonesia's administrative areas (wilayah) with their Kemendagri codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINSI = "provinsi", _("Provinsi")
    KABUPATEN = "kabupaten", _("Kabupaten/Kota")
    KECAMATAN = "kecamatan", _("Kecamatan")
    DESA = "desa", _("Desa/Kelurahan")


LEVEL_BY_PARTS = {1: Level.PROVINSI, 2: Level.KABUPATEN, 3: Level.KECAMATAN, 4: Level.DESA}


class RegionQuerySet(models.QuerySet["Region"]):
    def in_deployment(self) -> RegionQuerySet:
        """Areas inside the deployment's own regency (SIGAP_REGION)."""
        return self.filter(code__startswith=settings.SIGAP_REGION + ".")

    def desa(self) -> RegionQuerySet:
        return self.filter(level=Level.DESA)

    def kecamatan(self) -> RegionQuerySet:
        return self.filter(level=Level.KECAMATAN)


class Region(models.Model):
    """One province, regency, district or village. The code is the primary key."""

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("induk"),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def level_for_code(code: str) -> Level:
        return LEVEL_BY_PARTS[code.count(".") + 1]

    @staticmethod
    def parent_code(code: str) -> str | None:
        return code.rsplit(".", 1)[0] if "." in code else None

    @property
    def kecamatan_code(self) -> str | None:
        parts = self.code.split(".")
        return ".".join(parts[:3]) if len(parts) >= 3 else None

    def in_deployment_region(self) -> bool:
        return self.code.startswith(settings.SIGAP_REGION + ".")
