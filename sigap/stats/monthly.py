"""The laporan bulanan: a PDF for the Kepala Dinas, from the pre-aggregated counts.

Key numbers compared with the previous month and the same month a year
earlier, bar charts drawn with fpdf2's own primitives (rectangles and text, no
images), response times against the deadlines, outreach done, and the work that
is overdue as the report is made. Counts only: nothing personal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from sigap.intake.codes import AgeGroup, AmpkGroup, CaseType, Risk, Sex, ViolenceType
from sigap.lib import training
from sigap.regions.models import Level, Region
from sigap.stats import dimensions as d
from sigap.stats.dashboard import (
    Counts,
    ResponseRow,
    deadline_label,
    duration_label,
    month_label,
    other_authority,
    percent,
    read_counts,
    read_now,
    response_rows,
)
from sigap.stats.forms import month_bounds, months_between, regions_within, shift_month

BAR_FILLS = ((31, 95, 139), (217, 130, 43))


def _latin1(text: Any) -> str:
    """Text for the PDF core fonts: Latin-1 kept, other characters folded or replaced."""
    replacements = {"≤": "<=", "≥": ">=", "–": "-", "—": "-", "…": "...", "’": "'", "“": '"', "”": '"'}
    out = []
    for ch in str(text):
        ch = replacements.get(ch, ch)
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            out.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode() or "?")
    return "".join(out)


@dataclass
class KeyNumber:
    label: str
    this: int | float | None
    previous: int | float | None
    last_year: int | float | None
    unit: str = ""

    @staticmethod
    def _fmt(value: int | float | None, unit: str) -> str:
        if value is None:
            return "-"
        return f"{formats.number_format(value, decimal_pos=1 if isinstance(value, float) else 0)}{unit}"

    def cells(self) -> list[str]:
        change = ""
        if isinstance(self.this, int | float) and isinstance(self.previous, int | float):
            delta = self.this - self.previous
            change = ("+" if delta > 0 else "") + self._fmt(delta if isinstance(delta, int) else round(delta, 1),
                                                           self.unit)
        return [self.label, self._fmt(self.this, self.unit), self._fmt(self.previous, self.unit), change,
                self._fmt(self.last_year, self.unit)]


def _n(counts: Counts, dim: str, value: str) -> int:
    return counts.get((dim, value), (0, 0))[0]


def _v(counts: Counts, dim: str, value: str) -> int:
    return counts.get((dim, value), (0, 0))[1]


def _on_time(counts: Counts) -> float | None:
    rows = response_rows(counts)
    return percent(sum(r.on_time for r in rows), sum(r.measured for r in rows))


def key_numbers(this: Counts, previous: Counts, last_year: Counts) -> list[KeyNumber]:
    def row(label: str, fn: Any, unit: str = "") -> KeyNumber:
        return KeyNumber(label, fn(this), fn(previous), fn(last_year), unit)

    return [
        row(_("Laporan diterima"), lambda c: _n(c, d.REPORTS, "all")),
        row(_("Kasus"), lambda c: _n(c, d.TOTAL, "all")),
        row(_("Korban"), lambda c: _v(c, d.TOTAL, "all")),
        row(_("Kasus kewenangan lain (tidak dihitung)"), other_authority),
        row(_("Korban anak (0-17)"), lambda c: sum(_v(c, d.AGE, a) for a in ("0-5", "6-12", "13-17"))),
        row(_("Korban perempuan"), lambda c: _v(c, d.SEX, Sex.P)),
        row(_("Kasus kekerasan seksual"), lambda c: _n(c, d.VIOLENCE, ViolenceType.SEKSUAL)),
        row(_("Kasus risiko tinggi"), lambda c: _n(c, d.RISK, Risk.TINGGI)),
        row(_("Korban KtP (perempuan dewasa)"), lambda c: _v(c, d.CASE_TYPE, CaseType.KTP)),
        row(_("Korban AMPK (anak)"), lambda c: _v(c, d.CASE_TYPE, CaseType.AMPK)),
        row(_("Korban dewasa laki-laki"), lambda c: _v(c, d.CASE_TYPE, CaseType.LAINNYA)),
        row(_("Laporan direspons tepat waktu"), _on_time, "%"),
        row(_("Kegiatan sosialisasi"), lambda c: sum(n for (dim, _x), (n, _y) in c.items()
                                                     if dim == d.OUTREACH_ACTIVITIES)),
        row(_("Pamflet dibagikan"), lambda c: sum(n for (dim, _x), (n, _y) in c.items()
                                                  if dim == d.OUTREACH_PAMPHLETS)),
    ]


@dataclass
class MonthlyData:
    month: str
    kecamatan: str
    kecamatan_name: str
    this: Counts
    previous: Counts
    last_year: Counts
    trend: list[tuple[str, int, int]]
    responses: list[ResponseRow]
    overdue_reports: list[ResponseRow]
    now: Counts
    names: dict[str, str]


def collect(month: str, kecamatan: str = "") -> MonthlyData:
    this = read_counts(month, month, kecamatan)
    previous_month = shift_month(month, -1)
    previous = read_counts(previous_month, previous_month, kecamatan)
    year_ago = shift_month(month, -12)
    last_year = read_counts(year_ago, year_ago, kecamatan)
    trend = []
    for m in months_between(shift_month(month, -11), month):
        counts = this if m == month else read_counts(m, m, kecamatan)
        trend.append((m, _n(counts, d.TOTAL, "all"), _v(counts, d.TOTAL, "all")))
    # Work overdue now: reports of any month still unanswered past their deadline.
    all_time = read_counts("0000-00", "9999-99", kecamatan)
    codes = {v for (dim, v) in this if dim in (d.DESA, *d.OUTREACH_DIMENSIONS)}
    codes |= {code for code, _name, _parent in regions_within(settings.SIGAP_REGION, Level.KECAMATAN)}
    names = dict(Region.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))
    return MonthlyData(
        month=month, kecamatan=kecamatan, kecamatan_name=names.get(kecamatan, ""), this=this, previous=previous,
        last_year=last_year, trend=trend, responses=response_rows(this), overdue_reports=response_rows(all_time),
        now=read_now(kecamatan), names=names,
    )


class _Pdf:
    """A thin layer over fpdf2: headings, tables and bar charts on A4."""

    def __init__(self, title: str) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_title(_latin1(title))
        self.pdf.set_creator("SIGAP")
        self.pdf.add_page()
        self.width = self.pdf.w - 30

    def title(self, text: str, subtitle: str) -> None:
        self.pdf.set_font("Helvetica", "B", 15)
        self.pdf.multi_cell(self.width, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font("Helvetica", "", 10)
        self.pdf.multi_cell(self.width, 5, _latin1(subtitle), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(2)

    def heading(self, text: str, space: float = 30) -> None:
        """A section heading, on a new page when what follows (``space`` mm) would not fit under it."""
        if self.pdf.get_y() + 10 + space > self.pdf.h - 15:
            self.pdf.add_page()
        self.pdf.ln(3)
        self.pdf.set_font("Helvetica", "B", 12)
        self.pdf.cell(self.width, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    def note(self, text: str) -> None:
        self.pdf.set_font("Helvetica", "I", 8)
        self.pdf.multi_cell(self.width, 4, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> None:
        total = sum(widths)
        widths = [w * self.width / total for w in widths]
        self.pdf.set_font("Helvetica", "B", 8)
        self.pdf.set_fill_color(230, 236, 242)
        for header, w in zip(headers, widths, strict=True):
            self.pdf.cell(w, 6, _latin1(header)[:60], border=1, fill=True)
        self.pdf.ln()
        self.pdf.set_font("Helvetica", "", 8)
        for row in rows:
            if self.pdf.get_y() > self.pdf.h - 20:
                self.pdf.add_page()
            for i, (value, w) in enumerate(zip(row, widths, strict=True)):
                text = _latin1("" if value is None else value)
                while text and self.pdf.get_string_width(text) > w - 2:
                    text = text[:-1]
                self.pdf.cell(w, 5, text, border=1, align="L" if i == 0 else "R")
            self.pdf.ln()

    @staticmethod
    def hbars_height(rows: int, series: int) -> float:
        return (3.5 * series + 1.5) * rows + (6 if series > 1 else 2) + 3

    def hbars(self, rows: Sequence[tuple[str, Sequence[int | float]]], series: Sequence[str]) -> None:
        """Horizontal bars drawn as rectangles, with the value at the end of each bar."""
        if not rows:
            return
        bar_h = 3.5
        group_h = bar_h * len(series) + 1.5
        needed = group_h * len(rows) + (6 if len(series) > 1 else 2)
        if self.pdf.get_y() + needed > self.pdf.h - 15:
            self.pdf.add_page()
        label_w, value_w = 50.0, 14.0
        x0 = self.pdf.l_margin + label_w
        plot_w = self.width - label_w - value_w
        peak = max((v for _l, values in rows for v in values), default=0) or 1
        y = self.pdf.get_y() + 1
        self.pdf.set_font("Helvetica", "", 7)
        if len(series) > 1:
            x = self.pdf.l_margin
            for s, name in enumerate(series):
                self.pdf.set_fill_color(*BAR_FILLS[s % len(BAR_FILLS)])
                self.pdf.rect(x, y, 3, 3, style="F")
                self.pdf.text(x + 4, y + 2.6, _latin1(name))
                x += 8 + self.pdf.get_string_width(_latin1(name))
            y += 5
        for label, values in rows:
            text = _latin1(label)
            while text and self.pdf.get_string_width(text) > label_w - 3:
                text = text[:-1]
            self.pdf.set_text_color(0, 0, 0)
            self.pdf.text(self.pdf.l_margin, y + group_h / 2 + 0.8, text)
            for s, value in enumerate(values):
                self.pdf.set_fill_color(*BAR_FILLS[s % len(BAR_FILLS)])
                w = plot_w * value / peak
                top = y + s * bar_h
                if w > 0:
                    self.pdf.rect(x0, top, w, bar_h - 0.6, style="F")
                shown = formats.number_format(value, decimal_pos=1 if isinstance(value, float) else 0)
                self.pdf.text(x0 + w + 1, top + bar_h - 1.1, _latin1(shown))
            y += group_h
        self.pdf.set_y(y + 2)

    def columns(self, rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str]) -> None:
        """Vertical columns (a trend over months)."""
        height = 45.0
        if self.pdf.get_y() + height + 12 > self.pdf.h - 15:
            self.pdf.add_page()
        top = self.pdf.get_y() + 6
        left = self.pdf.l_margin + 8
        plot_w = self.width - 8
        peak = max((v for _l, values in rows for v in values), default=0) or 1
        self.pdf.set_font("Helvetica", "", 7)
        x = self.pdf.l_margin
        for s, name in enumerate(series):
            self.pdf.set_fill_color(*BAR_FILLS[s % len(BAR_FILLS)])
            self.pdf.rect(x, top - 5, 3, 3, style="F")
            self.pdf.text(x + 4, top - 2.4, _latin1(name))
            x += 8 + self.pdf.get_string_width(_latin1(name))
        self.pdf.set_draw_color(200, 200, 200)
        self.pdf.line(left, top + height, left + plot_w, top + height)
        self.pdf.text(self.pdf.l_margin, top + 2, str(peak))
        group_w = plot_w / max(1, len(rows))
        bar_w = (group_w - 2) / max(1, len(series))
        for i, (label, values) in enumerate(rows):
            gx = left + i * group_w + 1
            for s, value in enumerate(values):
                h = height * value / peak
                self.pdf.set_fill_color(*BAR_FILLS[s % len(BAR_FILLS)])
                if h > 0:
                    self.pdf.rect(gx + s * bar_w, top + height - h, bar_w - 0.4, h, style="F")
            self.pdf.text(gx, top + height + 4, _latin1(label))
        self.pdf.set_draw_color(0, 0, 0)
        self.pdf.set_y(top + height + 8)

    def output(self) -> bytes:
        training.stamp_pdf(self.pdf)
        return bytes(self.pdf.output())


def render_pdf(month: str, kecamatan: str = "") -> bytes:
    """The PDF of one month, in Indonesian (the office's reporting language)."""
    with translation.override(settings.LANGUAGE_CODE):
        data = collect(month, kecamatan)
        area = data.kecamatan_name or _("seluruh kecamatan")
        title = _("Laporan Bulanan %(office)s") % {"office": settings.SIGAP_OFFICE_NAME}
        pdf = _Pdf(title)
        generated = formats.date_format(timezone.localtime(), "DATETIME_FORMAT")
        pdf.title(title, _("Bulan %(month)s, %(area)s. Dibuat %(at)s. Berisi angka saja, tanpa data pribadi.")
                  % {"month": month_label(month), "area": area, "at": generated})

        pdf.heading(_("Angka utama"))
        pdf.table(
            [_("Ukuran"), month_label(month), month_label(shift_month(month, -1)), _("Perubahan"),
             month_label(shift_month(month, -12))],
            [k.cells() for k in key_numbers(data.this, data.previous, data.last_year)],
            [40, 18, 18, 16, 18],
        )

        pdf.heading(_("Kasus per bulan, 12 bulan terakhir"), space=60)
        pdf.columns([(month_label(m)[:3], [n, v]) for m, n, v in data.trend], [_("Kasus"), _("Korban")])

        pdf.heading(_("Jenis kekerasan (kasus)"), space=pdf.hbars_height(len(ViolenceType.values), 1))
        labels = dict(ViolenceType.choices)
        pdf.hbars([(str(labels[t]), [_n(data.this, d.VIOLENCE, t)]) for t in ViolenceType.values], [_("Kasus")])

        pdf.heading(_("Korban per kelompok usia dan jenis kelamin"),
                    space=pdf.hbars_height(len(AgeGroup.values), len(Sex.values)))
        sexes = dict(Sex.choices)
        pdf.hbars([(age, [_v(data.this, d.AGE_SEX, f"{age}|{s}") for s in Sex.values]) for age in AgeGroup.values],
                  [str(sexes[s]) for s in Sex.values])

        pdf.heading(_("Korban AMPK per kelompok (UU 35/2014 Pasal 59 ayat 2)"))
        groups = dict(AmpkGroup.choices)
        ampk_rows = [[str(groups[g]), _n(data.this, d.AMPK_GROUP, g), _v(data.this, d.AMPK_GROUP, g)]
                     for g in AmpkGroup.values if _v(data.this, d.AMPK_GROUP, g)]
        if _v(data.this, d.AMPK_GROUP, d.UNKNOWN):
            ampk_rows.append([_("Kelompok belum dicatat"), _n(data.this, d.AMPK_GROUP, d.UNKNOWN),
                              _v(data.this, d.AMPK_GROUP, d.UNKNOWN)])
        if ampk_rows:
            pdf.table([_("Kelompok"), _("Kasus"), _("Korban")], ampk_rows, [76, 12, 12])
            pdf.note(_("Satu korban anak dapat masuk lebih dari satu kelompok; usulan SIGAP dihitung sampai "
                       "petugas memilih."))
        else:
            pdf.note(_("Tidak ada korban anak (AMPK) bulan ini."))

        if not kecamatan:
            kec_rows = [
                (name, [_n(read_counts(month, month, code), d.TOTAL, "all")])
                for code, name, _parent in regions_within(settings.SIGAP_REGION, Level.KECAMATAN)
            ]
            pdf.heading(_("Kasus per kecamatan"), space=pdf.hbars_height(len(kec_rows), 1))
            pdf.hbars(kec_rows, [_("Kasus")])

        pdf.heading(_("Waktu respons terhadap batas waktu"))
        risks = dict(Risk.choices)
        pdf.table(
            [_("Risiko"), _("Batas"), _("Tepat"), _("Terlambat"), _("Lewat batas"), _("% tepat"), _("Median")],
            [[str(risks[r.risk]), deadline_label(r.risk), r.on_time, r.late, r.overdue,
              "-" if r.share_on_time is None else f"{formats.number_format(r.share_on_time, 1)}%",
              duration_label(r.median_minutes)] for r in data.responses],
            [16, 22, 12, 14, 14, 12, 22],
        )
        pdf.note(_("Laporan bulan ini; respons = kontak pertama dengan korban."))

        pdf.heading(_("Sosialisasi bulan ini"))
        outreach = sorted(
            {v for (dim, v) in data.this if dim in d.OUTREACH_DIMENSIONS},
            key=lambda code: -_n(data.this, d.OUTREACH_ACTIVITIES, code),
        )
        if outreach:
            pdf.table(
                [_("Desa"), _("Kegiatan"), _("Pamflet"), _("Peserta"), _("Kasus")],
                [[data.names.get(code, _("Tingkat kecamatan")) if code else _("Tingkat kecamatan"),
                  _n(data.this, d.OUTREACH_ACTIVITIES, code), _n(data.this, d.OUTREACH_PAMPHLETS, code),
                  _n(data.this, d.OUTREACH_AUDIENCE, code), _n(data.this, d.DESA, code) if code else ""]
                 for code in outreach],
                [40, 14, 14, 14, 14],
            )
        else:
            pdf.note(_("Tidak ada kegiatan sosialisasi tercatat bulan ini."))

        if apps.is_installed("sigap.accompaniment"):
            from sigap.accompaniment import reporting

            start, end = month_bounds(month)
            found = reporting.figures(start.date(), end.date(), kecamatan)
            pdf.heading(_("Proses hukum, pelindungan dan LPSK bulan ini"))
            pdf.table([_("Peristiwa"), _("Jumlah")], found.process_rows(), [70, 20])
            pdf.heading(_("Restitusi dan kompensasi bulan ini"))
            pdf.table([_("Peristiwa"), _("Kasus"), _("Jumlah (Rp)")],
                      [[label, n, formats.number_format(rupiah, force_grouping=True)]
                       for label, n, rupiah in found.money_rows()], [60, 15, 25])
            pdf.note(_("Tiap tahap dihitung pada tanggalnya sendiri (UU TPKS Pasal 30-38 untuk restitusi)."))

        pdf.heading(_("Pekerjaan yang lewat batas waktu (saat laporan dibuat)"))
        overdue_cases = sum(n for (dim, _x), (n, _y) in data.now.items() if dim == d.WORKER_OVERDUE)
        open_cases = sum(n for (dim, _x), (n, _y) in data.now.items() if dim == d.WORKER_OPEN)
        rows: list[list[Any]] = [[_("Laporan belum direspons melewati batas waktu") + f" ({risks[r.risk]})",
                                  r.overdue] for r in data.overdue_reports]
        if d.cases_installed():
            rows += [[_("Kasus terbuka"), open_cases], [_("Kasus dengan tugas lewat tenggat"), overdue_cases]]
        pdf.table([_("Ukuran"), _("Jumlah")], rows, [70, 20])
        return pdf.output()
