"""State changes of the statistics app: audited downloads and monthly reports."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sigap.stats.models import MonthlyReport, MonthlyReportStatus
from sigap.vault import audit

log = logging.getLogger("sigap.stats")

EXPORT_ACTION = "stats.export"


def exported(kind: str, fmt: str, *, by: Any, detail: str, rows: int, request: HttpRequest | None = None) -> None:
    """Audit one download. ``detail`` names the period and kecamatan (codes only, never personal data)."""
    audit.record(
        EXPORT_ACTION, actor=by, object_type=f"stats.{kind}", object_id=fmt,
        reason=f"{detail}; rows={rows}", request=request,
    )


def request_monthly_report(month: str, kecamatan: str, *, by: Any,
                           request: HttpRequest | None = None) -> MonthlyReport:
    """Queue a laporan bulanan; the worker makes it once this transaction has committed."""
    from sigap.stats.tasks import generate_monthly_report

    with transaction.atomic():
        report = MonthlyReport.objects.create(month=month, kecamatan_code=kecamatan, requested_by=by)
        audit.record("stats.monthly_report_requested", actor=by, obj=report,
                     reason=f"month={month} kecamatan={kecamatan or '*'}", request=request)
        transaction.on_commit(lambda: generate_monthly_report.enqueue(report.pk))
    return report


def run_monthly_report(report_id: int) -> MonthlyReport:
    """Make a queued monthly report (called by the worker)."""
    from sigap.stats.monthly import render_pdf

    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report_id)
        if report.status != MonthlyReportStatus.QUEUED:
            return report
        report.status = MonthlyReportStatus.RUNNING
        report.started_at = timezone.now()
        report.save(update_fields=["status", "started_at"])
    started = time.perf_counter()
    try:
        pdf = render_pdf(report.month, report.kecamatan_code)
    except Exception:
        log.exception("monthly report %s failed", report_id)
        with transaction.atomic():
            MonthlyReport.objects.filter(pk=report_id).update(
                status=MonthlyReportStatus.FAILED, finished_at=timezone.now(), error="render failed"
            )
            audit.record("stats.monthly_report_failed", object_type="stats.monthlyreport", object_id=report_id)
        report.refresh_from_db()
        return report
    with transaction.atomic():
        MonthlyReport.objects.filter(pk=report_id).update(
            status=MonthlyReportStatus.DONE, finished_at=timezone.now(), size=len(pdf),
            pdf=pdf,
        )
        audit.record("stats.monthly_report_made", object_type="stats.monthlyreport", object_id=report_id,
                     reason=f"seconds={time.perf_counter() - started:.1f}")
    report.refresh_from_db()
    return report


def monthly_report_pdf(report: MonthlyReport, *, by: Any, request: HttpRequest | None = None) -> bytes:
    """The PDF of a finished report; the download is audited."""
    body = bytes(report.pdf or b"")
    exported("monthlyreport", "pdf", by=by, detail=f"month={report.month} kecamatan={report.kecamatan_code or '*'}",
             rows=1, request=request)
    return body
