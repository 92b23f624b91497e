from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sigap.accounts.roles import Perm
from sigap.accounts.views import permission_required
from sigap.lib.gcpause import gc_paused_during
from sigap.lib.params import parse_id
from sigap.stats import actions, dashboard, exports, simfoni
from sigap.stats.forms import PeriodForm, parse_month, shift_month, this_month
from sigap.stats.models import MonthlyReport, MonthlyReportStatus, PublicStatsSnapshot
from sigap.stats.monthly import _latin1
from sigap.stats.public import has_counts


@require_GET
def public_numbers(request: HttpRequest) -> HttpResponse:
    """The public page of anonymised numbers, read from the stored snapshot."""
    years = list(PublicStatsSnapshot.objects.order_by("-year").values_list("year", flat=True))
    asked = parse_id(request.GET.get("tahun", ""))
    year = asked if asked is not None and asked < 10_000 else (years[0] if years else timezone.localdate().year)
    snapshot = PublicStatsSnapshot.objects.filter(year=year).first()
    return render(
        request,
        "stats/public_numbers.html",
        {"snapshot": snapshot, "data": snapshot.data if snapshot else None, "year": year, "years": years,
         "counted": bool(snapshot and has_counts(snapshot.data))},
    )


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _form(request: HttpRequest) -> PeriodForm:
    return PeriodForm(request.GET if request.GET else None)


@permission_required(Perm.VIEW_STATS)
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    period = form.period()
    board = dashboard.build(period)
    return render(request, "stats/dashboard.html", {
        "form": form, "period": period, "dashboard": board, "query": period.query(),
    })


def _detail(form: PeriodForm) -> tuple[str, str]:
    period = form.period()
    return period.slug(), f"period={period.start}..{period.end} kecamatan={period.kecamatan or '*'}"


@permission_required(Perm.EXPORT_STATS)
@require_GET
def dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    form = _form(request)
    board = dashboard.build(form.period())
    sheets = [exports.Sheet(s.title, s.headers, s.rows) for s in board.sections]
    slug, detail = _detail(form)
    if fmt == "csv":
        body, content_type = exports.to_csv(sheets), exports.CSV_TYPE
    elif fmt == "xlsx":
        body, content_type = exports.to_xlsx(sheets), exports.XLSX_TYPE
    else:
        raise Http404
    actions.exported("dashboard", fmt, by=request.user, detail=detail,
                     rows=sum(len(s.rows) for s in sheets), request=request)
    return _attachment(body, content_type, f"statistik-{slug}.{fmt}")


@permission_required(Perm.EXPORT_STATS)
@require_GET
@gc_paused_during
def simfoni_view(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET if request.GET else None, default_months=1)
    period = form.period()
    data = simfoni.load_period(period)
    return render(request, "stats/simfoni.html", {
        "form": form, "period": period, "query": period.query(), "gaps": simfoni.gaps(data),
        "case_count": len(data), "report_count": sum(c.report_count for c in data),
        "victim_count": sum(len(c.victims) for c in data),
        "perpetrator_count": sum(len(c.perpetrators) for c in data),
        "pair_count": sum(len(c.victims) * len(c.perpetrators) for c in data),
        "ampk_counts": simfoni.ampk_counts(data),
    })


@permission_required(Perm.EXPORT_STATS)
@require_GET
@gc_paused_during
def simfoni_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """XLSX: the three tables (and the data-quality list when asked); CSV: one table (``lembar``)."""
    form = PeriodForm(request.GET if request.GET else None, default_months=1)
    period = form.period()
    if fmt not in ("csv", "xlsx"):
        raise Http404
    which = request.GET.get("lembar", "korban") if fmt == "csv" else ""
    if fmt == "csv" and which not in simfoni.SHEETS:
        raise Http404
    data = simfoni.load_period(period)
    sheets = simfoni.sheets(period, (which,) if fmt == "csv" else simfoni.SHEETS, data)
    if fmt == "xlsx" and request.GET.get("kualitas") == "1":
        sheets.append(simfoni.quality_sheet(simfoni.gaps(data)))
    slug, detail = _detail(form)
    body = exports.to_csv(sheets, titles=False) if fmt == "csv" else exports.to_xlsx(sheets)
    actions.exported("simfoni", fmt, by=request.user, detail=f"{detail} {which}".strip(),
                     rows=len(sheets[0].rows), request=request)
    suffix = f"-{which}" if which and which != "korban" else ""
    return _attachment(body, exports.CSV_TYPE if fmt == "csv" else exports.XLSX_TYPE,
                       f"simfoni-ppa-{slug}{suffix}.{fmt}")


@permission_required(Perm.VIEW_STATS)
@require_http_methods(["GET", "POST"])
def monthly_list(request: HttpRequest) -> HttpResponse:
    default_month = shift_month(this_month(), -1)
    if request.method == "POST":
        month = parse_month(request.POST.get("bulan", ""))
        kecamatan = request.POST.get("kecamatan", "")
        choices = {code for code, _name in PeriodForm().fields["kecamatan"].choices}  # type: ignore[attr-defined]
        if month is None or month > this_month() or kecamatan not in choices:
            messages.error(request, _("Pilih bulan (TTTT-BB, tidak melewati bulan ini) dan kecamatan yang ada."))
            return redirect("stats:monthly_list")
        actions.request_monthly_report(month, kecamatan, by=request.user, request=request)
        messages.success(request, _("Laporan bulanan sedang dibuat. Muat ulang halaman ini sebentar lagi."))
        return redirect("stats:monthly_list")
    reports = MonthlyReport.objects.select_related("requested_by").defer("pdf")[:50]
    return render(request, "stats/monthly_list.html", {
        "reports": reports, "default_month": default_month, "form": PeriodForm(),
        "done": MonthlyReportStatus.DONE,
    })


@permission_required(Perm.EXPORT_STATS)
@require_GET
def monthly_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(MonthlyReport, pk=pk, status=MonthlyReportStatus.DONE)
    body = actions.monthly_report_pdf(report, by=request.user, request=request)
    suffix = f"-{report.kecamatan_code}" if report.kecamatan_code else ""
    return _attachment(body, "application/pdf", _latin1(f"laporan-bulanan-{report.month}{suffix}.pdf"))
