"""Statistics tables: public snapshots, the pre-aggregated counts behind the
dashboards (``sigap.stats`` explains the design), and requested monthly reports.

Nothing here holds personal data: codes, counts, report ids and staff ids.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.vault.fields import EncryptedBytesField


class PublicStatsSnapshot(models.Model):
    """The published, suppressed numbers of one year, computed by the worker.

    Requests read the stored snapshot; nothing is counted per request.
    """

    year = models.PositiveSmallIntegerField(unique=True)
    generated_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField()

    def __str__(self) -> str:
        return f"public stats {self.year}"


# The kecamatan code of the rows that add up every kecamatan of a month.
ALL_KECAMATAN = "*"
# The month of the rows that describe the present (open work), not a period.
NOW = ""


class MonthlyCount(models.Model):
    """One count of one dimension value, for one month and one kecamatan.

    ``n`` is the main count (cases for report dimensions; activities, pamphlets
    or audience for outreach; open cases for the current work of a worker);
    ``victims`` the victims of those cases. ``month`` is ``YYYY-MM`` (local
    time), or ``NOW`` for snapshot rows. ``kecamatan_code`` is the report's
    kecamatan, or ``ALL_KECAMATAN`` for the sum over all of them.
    """

    month = models.CharField(max_length=7)
    kecamatan_code = models.CharField(max_length=13)
    dimension = models.CharField(max_length=24)
    value = models.CharField(max_length=80)
    n = models.IntegerField(default=0)
    victims = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kecamatan_code", "dimension", "value"], name="stats_count_unique"
            )
        ]
        indexes = [
            # The dashboard: every value of one kecamatan (or "*") over a period.
            models.Index(fields=["kecamatan_code", "month"], name="stats_count_kecamatan_month"),
            # One dimension over a period (cases per month, per kecamatan).
            models.Index(fields=["dimension", "kecamatan_code", "month"], name="stats_count_dimension"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.kecamatan_code} {self.dimension}={self.value}: {self.n}"


class CountedReport(models.Model):
    """Where each report is counted: its (month, kecamatan) cell.

    A plain id rather than a foreign key: the tally follows reports, it must
    never stand in the way of changing or scrubbing one. ``received_at`` lets
    exports find a period's reports through an index.
    """

    report_id = models.BigIntegerField(primary_key=True)
    month = models.CharField(max_length=7)
    kecamatan_code = models.CharField(max_length=13)
    received_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["month", "kecamatan_code"], name="stats_counted_cell"),
            models.Index(fields=["received_at"], name="stats_counted_received"),
        ]

    def __str__(self) -> str:
        return f"report {self.report_id} in {self.month} {self.kecamatan_code}"


class DirtyReport(models.Model):
    """A report whose counts must be recomputed on the next run (``tally.mark_reports``)."""

    report_id = models.BigIntegerField(unique=True)
    marked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"dirty report {self.report_id}"


class TallyState(models.Model):
    """The one row of the tally's progress: how far it has read, and its lease."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_report_id = models.BigIntegerField(default=0)
    last_audit_seq = models.BigIntegerField(default=0)
    # The newest contact counted (``contacts.refresh``); 0: the contact log was never counted.
    last_contact_id = models.BigIntegerField(default=0)
    deadlines_checked_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_seconds = models.FloatField(null=True, blank=True)
    last_run_cells = models.PositiveIntegerField(default=0)
    last_full_at = models.DateTimeField(null=True, blank=True)
    # What the counts in MonthlyCount mean (tally.COUNTING_VERSION); a run that finds an
    # older meaning recounts everything, so an upgrade never mixes two ways of counting.
    counting_version = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "tally state"


class MonthlyReportStatus(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Sedang dibuat")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class MonthlyReport(models.Model):
    """A laporan bulanan (PDF for the Kepala Dinas), made by the worker when requested.

    The PDF holds counts only; it is sealed at rest all the same, like every
    other document SIGAP keeps (``EncryptedBytesField``, so ``rotate_keys``
    re-seals it).
    """

    month = models.CharField(_("bulan"), max_length=7)
    kecamatan_code = models.CharField(max_length=13, blank=True, default="")
    status = models.CharField(max_length=10, choices=MonthlyReportStatus.choices, default=MonthlyReportStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = EncryptedBytesField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("laporan bulanan")
        verbose_name_plural = _("laporan bulanan")

    def __str__(self) -> str:
        return f"monthly report {self.month} ({self.pk})"
