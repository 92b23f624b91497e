"""The dashboard for the manager and the data officer, read from ``MonthlyCount``.

A handful of grouped queries over the pre-aggregated table, whatever the number
of reports: nothing here touches the reports themselves.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import formats
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sigap.intake.codes import AgeGroup, Authority, Risk, Sex
from sigap.regions.models import Level, Region
from sigap.stats import charts
from sigap.stats import dimensions as d
from sigap.stats.forms import Period, month_bounds, regions_within
from sigap.stats.models import ALL_KECAMATAN, NOW, MonthlyCount, TallyState

Counts = dict[tuple[str, str], tuple[int, int]]


def read_counts(start: str, end: str, kecamatan: str = "") -> Counts:
    """(dimension, value) -> (n, victims) summed over the months, for one kecamatan or all."""
    rows = (
        MonthlyCount.objects.filter(kecamatan_code=kecamatan or ALL_KECAMATAN, month__gte=start, month__lte=end)
        .values("dimension", "value")
        .annotate(total_n=Sum("n"), total_victims=Sum("victims"))
    )
    return {(r["dimension"], r["value"]): (r["total_n"] or 0, r["total_victims"] or 0) for r in rows}


def read_now(kecamatan: str = "") -> Counts:
    rows = MonthlyCount.objects.filter(month=NOW, kecamatan_code=kecamatan or ALL_KECAMATAN).values_list(
        "dimension", "value", "n", "victims"
    )
    return {(dim, value): (n, v) for dim, value, n, v in rows}


def month_label(month: str) -> str:
    start, _end = month_bounds(month)
    return formats.date_format(start, "M Y")


def duration_label(minutes: int | None) -> str:
    if minutes is None:
        return "–"
    if minutes < 60:
        return ngettext("%(n)d menit", "%(n)d menit", minutes) % {"n": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 72:
        if rest:
            return _("%(h)d jam %(m)d menit") % {"h": hours, "m": rest}
        return _("%(h)d jam") % {"h": hours}
    days, hours = divmod(hours, 24)
    if hours:
        return _("%(d)d hari %(h)d jam") % {"d": days, "h": hours}
    return _("%(d)d hari") % {"d": days}


def deadline_label(risk: str) -> str:
    if risk == Risk.TINGGI:
        return _("segera (≤ %(h)d jam)") % {"h": settings.SIGAP_RESPONSE_HOURS_TINGGI}
    if risk == Risk.SEDANG:
        return _("%(h)d jam") % {"h": settings.SIGAP_RESPONSE_HOURS_SEDANG}
    return _("%(d)d hari kerja") % {"d": settings.SIGAP_RESPONSE_WORKING_DAYS_RENDAH}


def lower_median(histogram: dict[int, int]) -> int | None:
    """The lower median of a histogram {value: count}."""
    total = sum(histogram.values())
    if not total:
        return None
    target = (total - 1) // 2
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen > target:
            return value
    return None


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class ResponseRow:
    risk: str
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    waiting: int = 0
    not_measured: int = 0
    histogram: dict[int, int] = field(default_factory=dict)

    @property
    def measured(self) -> int:
        """Reports whose deadline has been met or missed."""
        return self.on_time + self.late + self.overdue

    @property
    def share_on_time(self) -> float | None:
        return percent(self.on_time, self.measured)

    @property
    def median_minutes(self) -> int | None:
        return lower_median(self.histogram)


def response_rows(counts: Counts) -> list[ResponseRow]:
    rows = {risk: ResponseRow(risk) for risk in Risk.values}
    for (dim, value), (n, _v) in counts.items():
        if dim == d.RESPONSE:
            risk, outcome = value.split("|", 1)
            if risk in rows and outcome in d.RESPONSE_OUTCOMES:
                setattr(rows[risk], outcome, getattr(rows[risk], outcome) + n)
        elif dim == d.RESPONSE_TIME:
            risk, bucket = value.split("|", 1)
            if risk in rows:
                rows[risk].histogram[int(bucket)] = rows[risk].histogram.get(int(bucket), 0) + n
    return [rows[risk] for risk in Risk.values]


LONG_TABLE = 20


class NumberFormat:
    """Numbers as the current locale writes them (grouped thousands, one decimal), fast enough for big tables."""

    def __init__(self) -> None:
        self.thousand = str(formats.get_format("THOUSAND_SEPARATOR"))
        self.decimal = str(formats.get_format("DECIMAL_SEPARATOR"))

    def __call__(self, value: Any) -> str:
        if value is None:
            return "–"
        if isinstance(value, bool):
            return str(_("ya") if value else _("tidak"))
        if isinstance(value, float):
            text = f"{value:,.1f}"
        elif isinstance(value, int):
            text = f"{value:,}"
        else:
            return str(value)
        return text.replace(",", "\x00").replace(".", self.decimal).replace("\x00", self.thousand)


@dataclass
class Section:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart: SafeString | str = ""
    note: str = ""

    @property
    def long(self) -> bool:
        """Long tables are folded away under the chart on the page (still in every download)."""
        return len(self.rows) > LONG_TABLE

    @property
    def table_html(self) -> SafeString:
        """The table as markup, built here: a template loop over a thousand cells costs more than the queries."""
        number = NumberFormat()
        parts = [f'<table class="stats-table" data-section="{escape(self.key)}"><thead><tr>']
        parts += [f'<th scope="col">{escape(h)}</th>' for h in self.headers]
        parts.append("</tr></thead><tbody>")
        for row in self.rows:
            parts.append(f'<tr><th scope="row">{escape(number(row[0]))}</th>')
            for cell in row[1:]:
                if isinstance(cell, int | float) and not isinstance(cell, bool):
                    parts.append(f'<td class="num">{number(cell)}</td>')
                else:
                    parts.append(f"<td>{escape(number(cell))}</td>")
            parts.append("</tr>")
        if not self.rows:
            # Outside the f-string, so makemessages sees it.
            empty = escape(_("Tidak ada data pada periode ini."))
            parts.append(f'<tr><td colspan="{len(self.headers)}">{empty}</td></tr>')
        parts.append("</tbody></table>")
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped

    @property
    def stacked(self) -> bool:
        """Long or wide tables go under their chart rather than beside it."""
        return self.long or len(self.headers) > 5


@dataclass
class Dashboard:
    period: Period
    counts: Counts
    now_counts: Counts
    figures: list[tuple[str, Any]]
    sections: list[Section]
    updated_at: datetime.datetime | None
    months: list[tuple[str, int, int]]
    kecamatan_rows: list[tuple[str, int, int]]
    responses: list[ResponseRow]

    def n(self, dimension: str, value: str) -> int:
        return self.counts.get((dimension, value), (0, 0))[0]

    def victims(self, dimension: str, value: str) -> int:
        return self.counts.get((dimension, value), (0, 0))[1]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def _names(codes: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))


def _label(labels: dict[str, str | Promise], value: str) -> str:
    return str(labels.get(value, value))


def _breakdown(dimension: d.Dimension, counts: Counts, total_cases: int, total_reports: int = 0) -> Section:
    labels = dimension.labels()
    present = [value for (dim, value) in counts if dim == dimension.key]
    if dimension.values is not None:
        values = dimension.values()
        values += [v for v in sorted(present) if v not in values]
    else:
        values = sorted(present, key=lambda v: (-counts[(dimension.key, v)][0], v))
    if dimension.per_report:
        report_rows: list[list[Any]] = []
        for value in values:
            n = counts.get((dimension.key, value), (0, 0))[0]
            report_rows.append([_label(labels, value), n, percent(n, total_reports)])
        return Section(
            key=dimension.key,
            title=str(dimension.title),
            headers=[str(dimension.title), _("Laporan"), _("% laporan")],
            rows=report_rows,
            chart=charts.hbars(str(dimension.title), [(row[0], [row[1]]) for row in report_rows], [_("Laporan")]),
            note=_("Dihitung per laporan: satu kasus dapat berasal dari beberapa laporan."),
        )
    rows = []
    for value in values:
        n, victims = counts.get((dimension.key, value), (0, 0))
        rows.append([_label(labels, value), n, victims, percent(n, total_cases)])
    chart_rows = [(row[0], [row[2] if dimension.victim_level else row[1]]) for row in rows]
    series = [_("Korban") if dimension.victim_level else _("Kasus")]
    note = ""
    if dimension.key in (d.VIOLENCE, d.RELATION, d.PLACE):
        note = _("Satu kasus dapat masuk lebih dari satu baris, jadi jumlah persentase bisa melebihi 100%.")
    elif dimension.key == d.AMPK_GROUP:
        note = _("Hanya korban anak (usia saat kejadian di bawah 18 tahun). Satu korban dapat masuk lebih dari "
                 "satu kelompok; kelompok usulan SIGAP dihitung sampai petugas memilih.")
    elif dimension.victim_level:
        note = _("Kasus: kasus dengan sedikitnya satu korban pada baris ini. Korban: jumlah korban.")
    return Section(
        key=dimension.key,
        title=str(dimension.title),
        headers=[str(dimension.title), _("Kasus"), _("Korban"), _("% kasus")],
        rows=rows,
        chart=charts.hbars(str(dimension.title), chart_rows, series),
        note=note,
    )


def _months(period: Period) -> list[tuple[str, int, int]]:
    by_month = {
        month: (n, v)
        for month, n, v in MonthlyCount.objects.filter(
            kecamatan_code=period.kecamatan or ALL_KECAMATAN, dimension=d.TOTAL, value="all",
            month__gte=period.start, month__lte=period.end,
        ).values_list("month", "n", "victims")
    }
    return [(m, *by_month.get(m, (0, 0))) for m in period.months]


def _month_ticks(months: list[str]) -> list[str]:
    """Axis labels: every month up to a year, every third up to two, else each January (or every few years).

    A month's label is its short name with the year on a second line at the
    first label and at each January ("Des" over "2025", "Jan" over "2026"): a
    full "Des 2025" under each of twelve columns is wider than the column.
    """
    if len(months) <= 24:
        out: list[str] = []
        shown_year = ""
        for i, month in enumerate(months):
            if len(months) > 12 and i % 3:
                out.append("")
                continue
            name = formats.date_format(month_bounds(month)[0], "M")
            year = month[:4]
            out.append(f"{name}\n{year}" if year != shown_year else name)
            shown_year = year
        return out
    step = max(1, -(-len(months) // 12 // 12))
    return [m[:4] if m.endswith("-01") and int(m[:4]) % step == 0 else "" for m in months]


def _kecamatan(period: Period) -> list[tuple[str, int, int]]:
    query = MonthlyCount.objects.filter(dimension=d.TOTAL, value="all", month__gte=period.start,
                                        month__lte=period.end).exclude(kecamatan_code=ALL_KECAMATAN)
    if period.kecamatan:
        query = query.filter(kecamatan_code=period.kecamatan)
    rows = query.values("kecamatan_code").annotate(total_n=Sum("n"), total_victims=Sum("victims"))
    found = {r["kecamatan_code"]: (r["total_n"] or 0, r["total_victims"] or 0) for r in rows}
    deployment = [code for code, _name, _parent in regions_within(settings.SIGAP_REGION, Level.KECAMATAN)]
    if period.kecamatan:
        deployment = [code for code in deployment if code == period.kecamatan]
    codes = deployment + sorted(code for code in found if code not in deployment)
    return [(code, *found.get(code, (0, 0))) for code in codes]


def build(period: Period) -> Dashboard:
    counts = read_counts(period.start, period.end, period.kecamatan)
    now_counts = read_now(period.kecamatan)
    total_cases, total_victims = counts.get((d.TOTAL, "all"), (0, 0))
    total_reports = counts.get((d.REPORTS, "all"), (0, 0))[0]
    sections: list[Section] = []

    months = _months(period)
    month_title = _("Kasus dan korban per bulan")
    sections.append(Section(
        key="month", title=month_title, headers=[_("Bulan"), _("Kasus"), _("Korban")],
        rows=[[month_label(m), n, v] for m, n, v in months],
        chart=charts.columns(month_title, [(month_label(m), [n, v]) for m, n, v in months],
                             [_("Kasus"), _("Korban")], ticks=_month_ticks([m for m, _n, _v in months])),
    ))

    kecamatan_rows = _kecamatan(period)
    names = _names({code for code, _n, _v in kecamatan_rows} | {v for (dim, v) in counts if dim == d.DESA}
                   | {v for (dim, v) in counts if dim in d.OUTREACH_DIMENSIONS})
    kec_title = _("Kasus dan korban per kecamatan")
    kec_table = [[names.get(code, code or _("Tidak diketahui")), n, v, percent(n, total_cases)]
                 for code, n, v in kecamatan_rows]
    sections.append(Section(
        key="kecamatan", title=kec_title, headers=[_("Kecamatan"), _("Kasus"), _("Korban"), _("% kasus")],
        rows=kec_table, chart=charts.hbars(kec_title, [(r[0], [r[1], r[2]]) for r in kec_table],
                                           [_("Kasus"), _("Korban")]),
    ))

    sections.append(_authority(counts))

    desa_rows = sorted(
        ((value, n, v) for (dim, value), (n, v) in counts.items() if dim == d.DESA and n),
        key=lambda row: (-row[1], row[0]),
    )
    kec_names = _names({Region.parent_code(code) or "" for code, _n, _v in desa_rows})
    desa_title = _("Kasus dan korban per desa")
    desa_table = [
        [names.get(code, code or _("Tidak diketahui")), kec_names.get(Region.parent_code(code) or "", ""), n, v]
        for code, n, v in desa_rows
    ]
    sections.append(Section(
        key="desa", title=desa_title, headers=[_("Desa"), _("Kecamatan"), _("Kasus"), _("Korban")],
        rows=desa_table,
        chart=charts.hbars(_("15 desa dengan kasus terbanyak"), [(r[0], [r[2]]) for r in desa_table[:15]],
                           [_("Kasus")]),
        note=_("Desa laporan: desa korban pertama. Hanya desa dengan kasus dalam periode ini."),
    ))

    for dimension in d.BREAKDOWNS:
        if dimension.key == d.STAGE and not d.cases_installed():
            continue
        sections.append(_breakdown(dimension, counts, total_cases, total_reports))
        if dimension.key == d.SEX:
            sections.append(_age_sex(counts))

    responses = response_rows(counts)
    sections.append(_responses(responses))
    if d.cases_installed():
        sections.append(_workers(now_counts))
    sections.append(_outreach(period, counts, names))
    from sigap.stats import contacts

    sections.extend(contacts.sections(period))
    sections.extend(_justice(period))

    overdue_reports = sum(r.overdue for r in responses)
    open_cases = sum(n for (dim, _v), (n, _x) in now_counts.items() if dim == d.WORKER_OPEN)
    child_victims = sum(counts.get((d.AGE, age), (0, 0))[1] for age in ("0-5", "6-12", "13-17"))
    figures: list[tuple[str, Any]] = [
        (_("Laporan"), total_reports),
        (_("Kasus"), total_cases),
        (_("Korban"), total_victims),
        (_("Korban anak"), child_victims),
        (_("Kasus risiko tinggi"), counts.get((d.RISK, Risk.TINGGI), (0, 0))[0]),
        (_("Laporan lewat batas respons, belum direspons"), overdue_reports),
    ]
    others = other_authority(counts)
    if others:
        figures.insert(2, (_("Kasus kewenangan lain (tidak dihitung)"), others))
    if d.cases_installed():
        figures.append((_("Kasus terbuka saat ini"), open_cases))
    figures.append((_("Kegiatan sosialisasi"), sum(
        n for (dim, _v), (n, _x) in counts.items() if dim == d.OUTREACH_ACTIVITIES)))

    state = TallyState.objects.filter(pk=1).values_list("last_run_at", flat=True).first()
    return Dashboard(period=period, counts=counts, now_counts=now_counts, figures=figures, sections=sections,
                     updated_at=state, months=months, kecamatan_rows=kecamatan_rows, responses=responses)


def other_authority(counts: Counts) -> int:
    """Cases outside this unit's authority (to transfer, or not yet decided): never in the case counts."""
    return sum(n for (dim, value), (n, _v) in counts.items() if dim == d.AUTHORITY and value != Authority.OWN)


def _authority(counts: Counts) -> Section:
    title = _("Kasus menurut kewenangan")
    labels: dict[str, str | Promise] = dict(Authority.choices)
    values = list(Authority.values)
    values += sorted(v for (dim, v) in counts if dim == d.AUTHORITY and v not in values)
    rows: list[list[Any]] = []
    for value in values:
        n, victims = counts.get((d.AUTHORITY, value), (0, 0))
        rows.append([_label(labels, value), n, victims, value == Authority.OWN])
    return Section(
        key="authority", title=title,
        headers=[_("Kewenangan"), _("Kasus"), _("Korban"), _("Dihitung dalam angka kasus dan korban")],
        rows=rows,
        chart=charts.hbars(title, [(row[0], [row[1]]) for row in rows], [_("Kasus")]),
        note=_("Angka kasus dan korban di dasbor ini, laporan bulanan, angka publik dan SIMFONI-PPA hanya "
               "menghitung kasus kewenangan daerah ini. Kasus kewenangan lain (untuk dilimpahkan) atau yang "
               "kewenangannya belum ditentukan hanya tampil pada tabel ini. Angka per laporan (saluran, status, "
               "waktu respons) menghitung semua laporan yang diterima."),
    )


def _justice(period: Period) -> list[Section]:
    """The justice process, protection, LPSK and restitution of the period, when accompaniment is installed."""
    if not apps.is_installed("sigap.accompaniment"):
        return []
    from sigap.accompaniment import reporting

    found = reporting.figures(month_bounds(period.start)[0].date(), month_bounds(period.end)[1].date(),
                              period.kecamatan)
    return [
        Section(key="proses-hukum", title=_("Proses hukum, pelindungan dan LPSK"),
                headers=[_("Peristiwa dalam periode"), _("Jumlah")], rows=found.process_rows(),
                note=_("Kasus per tahap, dihitung pada tanggal tahap itu; sidang dan tahap yang didampingi dihitung "
                       "per kejadian.")),
        Section(key="restitusi", title=_("Restitusi dan kompensasi"),
                headers=[_("Peristiwa dalam periode"), _("Kasus"), _("Jumlah (Rp)")], rows=found.money_rows(),
                note=_("UU TPKS Pasal 30-38: tiap langkah dihitung pada tanggalnya sendiri.")),
    ]


def _age_sex(counts: Counts) -> Section:
    title = _("Korban per kelompok usia dan jenis kelamin")
    sexes = dict(Sex.choices)
    rows: list[list[Any]] = []
    for age in AgeGroup.values:
        values = [counts.get((d.AGE_SEX, f"{age}|{sex}"), (0, 0))[1] for sex in Sex.values]
        rows.append([age, *values, sum(values)])
    totals = [sum(int(row[i]) for row in rows) for i in range(1, len(Sex.values) + 2)]
    rows.append([_("Jumlah"), *totals])
    return Section(
        key="age_sex", title=title,
        headers=[_("Kelompok usia"), *[str(sexes[s]) for s in Sex.values], _("Jumlah")],
        rows=rows,
        chart=charts.hbars(title, [(row[0], row[1:3]) for row in rows[:-1]], [str(sexes[s]) for s in Sex.values]),
    )


def _responses(rows: list[ResponseRow]) -> Section:
    title = _("Waktu respons laporan terhadap batas waktu per tingkat risiko")
    risks = dict(Risk.choices)
    table = [
        [str(risks[r.risk]), deadline_label(r.risk), r.on_time, r.late, r.overdue, r.waiting, r.not_measured,
         r.share_on_time, duration_label(r.median_minutes)]
        for r in rows
    ]
    return Section(
        key="response", title=title,
        headers=[_("Risiko"), _("Batas waktu"), _("Tepat waktu"), _("Terlambat"),
                 _("Lewat batas, belum direspons"), _("Belum direspons, masih dalam batas"),
                 _("Selesai tanpa respons tercatat"), _("% tepat waktu"), _("Median waktu respons")],
        rows=table,
        chart=charts.hbars(_("Persentase respons tepat waktu"),
                           [(row[0], [row[7] or 0.0]) for row in table], [_("% tepat waktu")], unit="%",
                           peak=100.0),
        note=_("Respons: kontak pertama dengan korban dalam penanganan kasus. Persentase tepat waktu dihitung "
               "dari laporan yang batas waktunya sudah lewat atau sudah direspons; median dari laporan yang sudah "
               "direspons, dibulatkan ke bawah (menit pada jam pertama, lalu 5 menit, 30 menit, 6 jam)."),
    )


def _workers(now_counts: Counts) -> Section:
    title = _("Pekerjaan terbuka per pendamping (saat ini)")
    open_by: dict[str, int] = defaultdict(int)
    overdue_by: dict[str, int] = defaultdict(int)
    for (dim, worker), (n, _v) in now_counts.items():
        if dim == d.WORKER_OPEN:
            open_by[worker] += n
        elif dim == d.WORKER_OVERDUE:
            overdue_by[worker] += n
    ids = [int(w) for w in open_by if w.isdigit()]
    users = {str(u.pk): (u.get_full_name() or u.username) for u in get_user_model().objects.filter(pk__in=ids)}
    workers = sorted(open_by, key=lambda w: (-open_by[w], users.get(w, "~")))
    rows: list[list[Any]] = [
        [users.get(w, w or _("Belum ditugaskan")), open_by[w], overdue_by.get(w, 0)] for w in workers
    ]
    return Section(
        key="workers", title=title,
        headers=[_("Pendamping"), _("Kasus terbuka"), _("Dengan tugas lewat tenggat")],
        rows=rows,
        chart=charts.hbars(title, [(r[0], [r[1], r[2]]) for r in rows],
                           [_("Kasus terbuka"), _("Lewat tenggat")]),
    )


def _outreach(period: Period, counts: Counts, names: dict[str, str]) -> Section:
    title = _("Sosialisasi dan kasus per desa")
    desa = sorted(regions_within(period.kecamatan or settings.SIGAP_REGION, Level.DESA),
                  key=lambda row: (row[2], row[1]))
    kec_names = _names({parent for _c, _n, parent in desa if parent})
    rows: list[list[Any]] = []
    for code, name, parent in desa:
        rows.append([
            name, kec_names.get(parent or "", ""),
            counts.get((d.OUTREACH_ACTIVITIES, code), (0, 0))[0],
            counts.get((d.OUTREACH_PAMPHLETS, code), (0, 0))[0],
            counts.get((d.OUTREACH_AUDIENCE, code), (0, 0))[0],
            counts.get((d.DESA, code), (0, 0))[0],
        ])
    area = [counts.get((dim, ""), (0, 0))[0] for dim in d.OUTREACH_DIMENSIONS]
    if any(area):
        rows.append([_("Tingkat kecamatan (tanpa desa)"), "", *area, ""])
    reached = [r for r in rows if r[2] or r[5]]
    return Section(
        key="outreach", title=title,
        headers=[_("Desa"), _("Kecamatan"), _("Kegiatan"), _("Pamflet dibagikan"), _("Peserta"), _("Kasus")],
        rows=rows,
        chart=charts.hbars(_("Kegiatan sosialisasi dan kasus per desa (desa dengan kegiatan atau kasus)"),
                           [(r[0], [r[2], r[5] or 0]) for r in reached[:40]], [_("Kegiatan"), _("Kasus")]),
        note=_("Kegiatan tingkat kecamatan dihitung sekali pada baris tersendiri, bukan per desa."),
    )
