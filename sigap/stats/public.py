"""Public numbers: safe to publish, impossible to trace back to a victim.

Published per year, for the deployment's regency:

* cases by kecamatan and quarter (with row, column and grand totals);
* victims by age group and sex (with totals);
* cases by violence type (a case may have several types, so no total).

The unit is the case and the victim (``sigap.stats.units``): two linked
reports about one victim in one case are one case and one victim, counted in the
quarter and kecamatan of the case's home (earliest) report.

Never below kecamatan, never free text, only reports whose reporter agreed to
anonymised statistics and that belong to this unit's authority. Every table is
protected by ``sigap.stats.suppression``. The three tables share no additive
relation (cases vs victims; violence types overlap), so hiding within each
table also holds across them.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from typing import Any

from django.conf import settings
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from sigap.intake.codes import AgeGroup, Authority, Sex, ViolenceType
from sigap.intake.models import Report, ReportViolence, Victim
from sigap.regions.models import Region
from sigap.stats.models import PublicStatsSnapshot
from sigap.stats.suppression import Table, grid, protect
from sigap.stats.units import distinct_victims, unit_map

QUARTERS = ["Q1", "Q2", "Q3", "Q4"]
CHUNK = 2000


def _counted_reports(year: int) -> Any:
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    return Report.objects.filter(
        received_at__gte=start, received_at__lt=end, consent_statistics=True, authority=Authority.OWN,
        kecamatan_code__startswith=settings.SIGAP_REGION + ".",
    )


def _cell(table: Table, key: str) -> dict[str, Any]:
    value = table.published(key)
    if value is None:
        return {"count": None, "suppressed": True}
    return {"count": value}


def _units(year: int) -> tuple[dict[int, tuple[str, int]], dict[int, list[int]]]:
    """The counted cases of the year: home report id -> (kecamatan, month), and each one's counted reports."""
    homes: dict[int, tuple[str, int]] = {}
    rows = list(_counted_reports(year).annotate(month=ExtractMonth("received_at"))
                .values_list("pk", "kecamatan_code", "month"))
    units = unit_map([pk for pk, _k, _m in rows])
    for pk, kecamatan, month in rows:
        if units.is_home(pk):
            homes[pk] = (kecamatan, month)
    members = {pk: units.reports_of(pk) for pk in homes}
    # A later report of a case counts only with its reporter's consent and within this unit's authority.
    others = sorted({m for ids in members.values() for m in ids} - set(homes))
    allowed = set(homes)
    for start in range(0, len(others), CHUNK):
        allowed.update(Report.objects.filter(pk__in=others[start : start + CHUNK], consent_statistics=True,
                                             authority=Authority.OWN).values_list("pk", flat=True))
    return homes, {pk: [m for m in ids if m in allowed] for pk, ids in members.items()}


def compute(year: int) -> dict[str, Any]:
    homes, members = _units(year)
    kecamatan = list(Region.objects.in_deployment().kecamatan().order_by("code").values_list("code", "name"))
    kec_codes = [code for code, _ in kecamatan]

    by_kec_quarter: Counter[tuple[str, str]] = Counter()
    for kec, month in homes.values():
        by_kec_quarter[(kec, QUARTERS[(month - 1) // 3])] += 1
    t_kec = protect(grid("kq", kec_codes, QUARTERS, by_kec_quarter))

    every = sorted({m for ids in members.values() for m in ids})
    victims_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    types_of: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(every), CHUNK):
        chunk = every[start : start + CHUNK]
        for row in Victim.objects.filter(report_id__in=chunk).values(
            "report_id", "position", "nik_index", "name_index", "age_group", "sex"
        ):
            victims_of[row["report_id"]].append(dict(row))
        for report_id, kind in ReportViolence.objects.filter(report_id__in=chunk).values_list(
            "report_id", "violence_type"
        ):
            types_of[report_id].add(kind)

    ages = list(AgeGroup.values)
    sexes = list(Sex.values)
    by_age_sex: Counter[tuple[str, str]] = Counter()
    by_type: Counter[str] = Counter()
    for ids in members.values():
        for victim in distinct_victims([v for m in ids for v in victims_of.get(m, [])], ids):
            by_age_sex[(victim["age_group"], victim["sex"])] += 1
        for kind in set().union(*(types_of.get(m, set()) for m in ids)):
            by_type[kind] += 1
    t_age = protect(grid("as", ages, sexes, by_age_sex))

    types = list(ViolenceType.values)
    t_type = protect(Table(cells={f"vt|{t}": by_type.get(t, 0) for t in types}))

    return {
        "year": year,
        "region": settings.SIGAP_REGION,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "notes": [
            "Counts from 1 to 4 are shown as \"<5\"; other cells are hidden (null, suppressed) "
            "where they would let a small count be worked out from totals.",
            "Only reports whose reporter agreed to anonymised statistics are counted.",
            "Only cases within this district's authority are counted (a case to be transferred to another "
            "region is counted there).",
            "Counted per case and per victim: linked reports about one victim in one case count once.",
        ],
        "cases_by_kecamatan_quarter": {
            "rows": [
                {
                    "kecamatan": code,
                    "name": name,
                    "quarters": {q: _cell(t_kec, f"kq|{code}|{q}") for q in QUARTERS},
                    "total": _cell(t_kec, f"kq|{code}|total"),
                }
                for code, name in kecamatan
            ],
            "totals": {q: _cell(t_kec, f"kq|total|{q}") for q in QUARTERS},
            "total": _cell(t_kec, "kq|total|total"),
        },
        "victims_by_age_group_sex": {
            "rows": [
                {
                    "age_group": age,
                    "sex": {s: _cell(t_age, f"as|{age}|{s}") for s in sexes},
                    "total": _cell(t_age, f"as|{age}|total"),
                }
                for age in ages
            ],
            "totals": {s: _cell(t_age, f"as|total|{s}") for s in sexes},
            "total": _cell(t_age, "as|total|total"),
        },
        "cases_by_violence_type": {t: _cell(t_type, f"vt|{t}") for t in types},
    }


def refresh(year: int) -> PublicStatsSnapshot:
    data = compute(year)
    snapshot, _ = PublicStatsSnapshot.objects.update_or_create(
        year=year, defaults={"data": data, "generated_at": timezone.now()}
    )
    return snapshot


def years_to_refresh(today: datetime.date | None = None) -> list[int]:
    """Every year from the first report to this one (old years change too: late
    reports, withdrawn consent, scrubbing)."""
    today = today or timezone.localdate()
    first = Report.objects.order_by("received_at").values_list("received_at", flat=True).first()
    start = timezone.localtime(first).year if first else today.year
    return list(range(start, today.year + 1))


def public_figures() -> dict[str, Any] | None:
    """Key figures for the media kit and press releases, from the latest snapshot.

    Only cells that the snapshot already publishes as safe numbers are used; a
    suppressed or "<5" total is passed on as it is published, never computed.
    """
    snapshot = PublicStatsSnapshot.objects.order_by("-year").first()
    if snapshot is None or not has_counts(snapshot.data):
        return None  # "belum ada data" rather than a row of zeros
    data = snapshot.data
    year = data["year"]

    def shown(cell: dict[str, Any]) -> int | str:
        return "–" if cell.get("suppressed") else cell["count"]

    figures: dict[str, Any] = {
        f"kasus tercatat tahun {year}": shown(data["cases_by_kecamatan_quarter"]["total"]),
        f"korban tahun {year}": shown(data["victims_by_age_group_sex"]["total"]),
    }
    children = [row["total"] for row in data["victims_by_age_group_sex"]["rows"]
                if row["age_group"] in ("0-5", "6-12", "13-17")]
    if children and all(isinstance(c.get("count"), int) for c in children):
        figures[f"korban anak tahun {year}"] = sum(int(c["count"]) for c in children)
    sexual = data["cases_by_violence_type"].get("seksual")
    if sexual:
        figures[f"kasus kekerasan seksual tahun {year}"] = shown(sexual)
    return figures


def has_counts(data: dict[str, Any]) -> bool:
    """Whether a snapshot counted anything at all (a suppressed total means it did)."""
    total = data.get("cases_by_kecamatan_quarter", {}).get("total", {})
    return bool(total.get("suppressed") or total.get("count"))


def public_figures_as_of() -> datetime.datetime | None:
    """When the figures of ``public_figures`` were computed (the media kit says "per ...")."""
    snapshot = PublicStatsSnapshot.objects.order_by("-year").first()
    if snapshot is None or not has_counts(snapshot.data):
        return None
    return snapshot.generated_at


def refresh_if_still_empty(today: datetime.date | None = None) -> bool:
    """A new deployment: publish as soon as the first reports are counted, not a day after an empty start.

    Cheap enough for every few minutes: one snapshot read and, while it is still
    empty, one EXISTS query. Returns whether it recomputed.
    """
    year = (today or timezone.localdate()).year
    snapshot = PublicStatsSnapshot.objects.filter(year=year).first()
    if snapshot is not None and has_counts(snapshot.data):
        return False
    if not _counted_reports(year).exists():
        return False
    for each in years_to_refresh(today):
        refresh(each)
    return True
