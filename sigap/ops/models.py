from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A run still marked "running" after this long was cut short (the worker was
# killed, or the row came back with a restored database).
RUN_TIMEOUT = datetime.timedelta(hours=6)


class BackupRun(models.Model):
    """One attempt to make a backup. Holds no personal data: times, sizes, a path."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Berjalan")
        OK = "ok", _("Berhasil")
        FAILED = "failed", _("Gagal")

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("Terjadwal")
        MANUAL = "manual", _("Manual")

    started_at = models.DateTimeField(_("mulai"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(_("pemicu"), max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    path = models.CharField(_("lokasi"), max_length=1000, blank=True)
    size_bytes = models.BigIntegerField(_("ukuran (bita)"), null=True, blank=True)
    error = models.TextField(_("galat"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "-finished_at"], name="backup_run_status_finished")]
        verbose_name = _("pencadangan")
        verbose_name_plural = _("pencadangan")

    def __str__(self) -> str:
        return f"backup run #{self.pk} {self.status}"

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at

    @property
    def interrupted(self) -> bool:
        return self.status == self.Status.RUNNING and timezone.now() - self.started_at > RUN_TIMEOUT
