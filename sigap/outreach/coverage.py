"""Coverage: for every desa of the region, what reaches it. No personal data.

A handful of grouped queries whatever the number of villages. A kecamatan-wide
activity (radio, a meeting at the kecamatan office) counts as the last outreach
of each of its villages, but its pamphlets count only in the kecamatan total,
never once per village.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _

from sigap.lib import training
from sigap.network.queries import VillageNetwork, deployment_villages, village_networks
from sigap.outreach.links import DEFAULT_CAMPAIGN
from sigap.outreach.models import Activity, Campaign
from sigap.outreach.seams import ReportCounts, report_counts

SORTS = ("kecamatan", "desa", "laporan", "sosialisasi")


@dataclass
class CoverageRow:
    network: VillageNetwork
    last_outreach: datetime.date | None
    activities: int
    pamphlets: int
    reports: ReportCounts

    @property
    def desa(self) -> str:
        return self.network.desa.name

    @property
    def kecamatan(self) -> str:
        return self.network.kecamatan.name if self.network.kecamatan else ""

    @property
    def has_nothing(self) -> bool:
        n = self.network
        return not (n.has_contact_point or n.has_patbm or n.sapa_count or self.last_outreach)


@dataclass
class Coverage:
    rows: list[CoverageRow]
    area_pamphlets: int

    @property
    def empty_count(self) -> int:
        return sum(1 for r in self.rows if r.has_nothing)

    def totals(self) -> dict[str, int]:
        return {
            "contact_points": sum(1 for r in self.rows if r.network.has_contact_point),
            "patbm": sum(1 for r in self.rows if r.network.has_patbm),
            "patbm_members": sum(r.network.patbm_size for r in self.rows),
            "sapa": sum(r.network.sapa_count for r in self.rows),
            "reached": sum(1 for r in self.rows if r.last_outreach),
            "pamphlets": sum(r.pamphlets for r in self.rows) + self.area_pamphlets,
            "reports": sum(r.reports.total for r in self.rows),
            "reports_via_qr": sum(r.reports.via_qr for r in self.rows),
        }


def campaign_codes() -> list[str]:
    return [DEFAULT_CAMPAIGN, *Campaign.objects.values_list("slug", flat=True)]


def build_coverage(kecamatan_code: str = "", sort: str = "kecamatan") -> Coverage:
    villages = deployment_villages(kecamatan_code)
    networks = village_networks(villages)
    codes = [v.code for v in villages]
    kecamatan_codes = {v.parent_id for v in villages}

    by_desa = {
        row["desa_id"]: row
        for row in Activity.objects.filter(desa_id__in=codes)
        .values("desa_id")
        .annotate(last=Max("date"), n=Count("id"), pamphlets=Sum("pamphlets_handed_out"))
    }
    area_activities = Activity.objects.filter(desa__isnull=True, kecamatan_id__in=kecamatan_codes)
    area_last = {
        row["kecamatan_id"]: row["last"]
        for row in area_activities.values("kecamatan_id").annotate(last=Max("date"))
    }
    area_pamphlets = area_activities.aggregate(n=Sum("pamphlets_handed_out"))["n"] or 0
    area_counts: dict[str, int] = defaultdict(int)
    for row in area_activities.values("kecamatan_id").annotate(n=Count("id")):
        area_counts[row["kecamatan_id"]] = row["n"]
    reports = report_counts(codes, campaign_codes())

    rows = []
    for network in networks:
        own = by_desa.get(network.desa.code, {})
        dates = [d for d in (own.get("last"), area_last.get(network.desa.parent_id)) if d]
        rows.append(
            CoverageRow(
                network=network,
                last_outreach=max(dates) if dates else None,
                activities=own.get("n", 0) + area_counts.get(network.desa.parent_id or "", 0),
                pamphlets=own.get("pamphlets") or 0,
                reports=reports.get(network.desa.code, ReportCounts()),
            )
        )
    _sort(rows, sort)
    return Coverage(rows=rows, area_pamphlets=area_pamphlets)


def _sort(rows: list[CoverageRow], sort: str) -> None:
    if sort == "desa":
        rows.sort(key=lambda r: (r.desa, r.network.desa.code))
    elif sort == "laporan":
        rows.sort(key=lambda r: (-r.reports.total, r.kecamatan, r.desa))
    elif sort == "sosialisasi":
        # Never reached first, then the longest ago.
        rows.sort(key=lambda r: (r.last_outreach or datetime.date.min, r.kecamatan, r.desa))
    else:
        rows.sort(key=lambda r: (r.kecamatan, r.desa, r.network.desa.code))


# Exports ---------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def headers() -> list[str]:
    return [
        _("Kode desa"), _("Kecamatan"), _("Desa"), _("Ada narahubung"), _("Ada PATBM"), _("Anggota PATBM"),
        _("Relawan SAPA"), _("Sosialisasi terakhir"), _("Jumlah kegiatan"), _("Pamflet dibagikan"),
        _("Laporan diterima"), _("Laporan lewat QR desa"), _("Belum terjangkau"),
    ]


def export_rows(coverage: Coverage) -> list[list[object]]:
    yes, no = _("ya"), _("tidak")
    out: list[list[object]] = []
    for r in coverage.rows:
        out.append([
            r.network.desa.code, r.kecamatan, r.desa,
            yes if r.network.has_contact_point else no,
            yes if r.network.has_patbm else no,
            r.network.patbm_size, r.network.sapa_count,
            r.last_outreach.isoformat() if r.last_outreach else "",
            r.activities, r.pamphlets, r.reports.total, r.reports.via_qr,
            yes if r.has_nothing else no,
        ])
    return out


def to_csv(coverage: Coverage) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(training.sheet_mark())  # "DATA LATIHAN" first in a training deployment
    writer.writerow([neutralise(h) for h in headers()])
    for row in export_rows(coverage):
        writer.writerow([neutralise(v) for v in row])
    # A BOM so spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(coverage: Coverage) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Cakupan desa")[:31]
    top = [*training.sheet_mark(), [neutralise(h) for h in headers()]]
    for values in top:
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    highlight = PatternFill("solid", fgColor="FDE8E6")
    for values, row in zip(export_rows(coverage), coverage.rows, strict=True):
        sheet.append([neutralise(v) for v in values])
        if row.has_nothing:
            for cell in sheet[sheet.max_row]:
                cell.fill = highlight
    # Every text cell is a literal string, never a formula, whatever it starts with.
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = f"A{len(top) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
