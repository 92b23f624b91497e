"""The counting units of the statistics: the case and the victim, not the report.

Two linked reports about one victim, opened as one case, are one case and one
victim in every number SIGAP gives (dashboards, the monthly report, public
numbers, SIMFONI-PPA):

* **A case** is the unit. A report that belongs to a case counts through it;
  the case is counted once, in the cell (month, kecamatan) and period of its
  **home report**: the case's primary report (the earliest). A report that is
  not (yet) part of a case is a unit of its own, so nothing received is left
  out before a case is opened.
* **A victim** is counted once per case. The victims of a case's reports are
  taken in order (home report first); a victim of a later report with the same
  NIK or the same name as one already taken, both compared through their blind
  indexes (never decrypted), is the same person. Victims recorded without NIK
  and name are distinct.
* **A perpetrator** of a later report that matches one of an earlier report of
  the same case on every plain field (relation, sex, child, age group) is the
  same person; within one report each row is its own perpetrator.

Things that happen per report keep the report as their unit and are labelled
"laporan": the channel, the campaign source, the report's status and the
response to each report against its deadline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


def cases_installed() -> bool:
    return apps.is_installed("sigap.cases")


@dataclass
class UnitMap:
    """Which unit each report belongs to: its home report, and each home's reports in order."""

    home_of: dict[int, int] = field(default_factory=dict)
    members: dict[int, list[int]] = field(default_factory=dict)
    case_of: dict[int, int] = field(default_factory=dict)  # home report id -> case id

    def is_home(self, report_id: int) -> bool:
        return self.home_of.get(report_id, report_id) == report_id

    def reports_of(self, home_id: int) -> list[int]:
        return self.members.get(home_id, [home_id])


def unit_map(report_ids: Iterable[int], chunk: int = 2000, *, query: Any = None) -> UnitMap:
    """The units of these reports, with every other report of their cases (which may lie outside the set).

    ``query``: a subquery of report ids that selects ``report_ids`` (e.g. a period's
    reports found through an index): the cases are then found with it in one
    statement instead of lists of thousands of ids.
    """
    result = UnitMap()
    ids = sorted(set(report_ids))
    for report_id in ids:
        result.home_of[report_id] = report_id
    if not cases_installed() or not ids:
        return result
    case_report = apps.get_model("cases", "CaseReport")
    fields = ("case_id", "report_id", "case__primary_report_id")
    # Each case's reports in the order they came in, sorted by the database.
    order = ("case_id", "report__received_at", "report_id")
    if query is not None:
        _add_cases(result, case_report.objects.filter(
            case_id__in=case_report.objects.filter(report_id__in=query).values("case_id"))
            .order_by(*order).values_list(*fields))
        return result
    case_ids: set[int] = set()
    for start in range(0, len(ids), chunk):
        case_ids.update(
            case_report.objects.filter(report_id__in=ids[start : start + chunk]).values_list("case_id", flat=True)
        )
    ordered = sorted(case_ids)
    for start in range(0, len(ordered), chunk):
        _add_cases(result, case_report.objects.filter(case_id__in=ordered[start : start + chunk])
                   .order_by(*order).values_list(*fields))
    return result


def _add_cases(result: UnitMap, rows: Iterable[tuple[int, int, int]]) -> None:
    """Rows (case, report, primary report) of whole cases, each case's in the order received, into ``result``."""
    by_case: dict[int, tuple[int, list[int]]] = {}
    for case_id, report_id, primary_id in rows:
        by_case.setdefault(case_id, (primary_id, []))[1].append(report_id)
    for case_id, (primary, reports) in by_case.items():
        order = [primary] + [pk for pk in reports if pk != primary]
        for report_id in order:
            result.home_of[report_id] = primary
        result.members[primary] = order
        result.case_of[primary] = case_id


def siblings(report_ids: Iterable[int]) -> set[int]:
    """Every report of the cases these reports belong to (the reports themselves included)."""
    ids = set(report_ids)
    units = unit_map(ids)
    out = set(ids)
    for members in units.members.values():
        out.update(members)
    return out


def victim_key(report_id: int, position: int, nik_index: str, name_index: str) -> tuple[Any, ...]:
    if nik_index:
        return ("nik", nik_index)
    if name_index:
        return ("name", name_index)
    return ("row", report_id, position)


def distinct_victims(victims: Sequence[dict[str, Any]], order: Sequence[int]) -> list[dict[str, Any]]:
    """The victims of one unit, each person once: ``victims`` are rows with ``report_id``, ``position``,
    ``nik_index`` and ``name_index``; ``order`` the unit's report ids, home first."""
    rank = {pk: i for i, pk in enumerate(order)}
    taken: dict[tuple[Any, ...], int] = {}
    out: list[dict[str, Any]] = []
    for victim in sorted(victims, key=lambda v: (rank.get(v["report_id"], len(rank)), v["position"])):
        key = victim_key(victim["report_id"], victim["position"], victim.get("nik_index") or "",
                         victim.get("name_index") or "")
        first = taken.get(key)
        if first is not None and first != victim["report_id"]:
            continue  # the same person, already taken from an earlier report of the case
        if first is None:
            taken[key] = victim["report_id"]
        out.append(victim)
    return out


def perpetrator_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row.get("relation"), row.get("sex"), row.get("is_child"), row.get("age_group", ""))


def distinct_perpetrators(rows: Sequence[dict[str, Any]], order: Sequence[int]) -> list[dict[str, Any]]:
    """The perpetrators of one unit, a later report's perpetrator matching an earlier report's taken once."""
    rank = {pk: i for i, pk in enumerate(order)}
    taken: dict[tuple[Any, ...], int] = {}
    out: list[dict[str, Any]] = []
    for row in sorted(rows, key=lambda r: (rank.get(r["report_id"], len(rank)), r["position"])):
        key = perpetrator_key(row)
        first = taken.get(key)
        if first is not None and first != row["report_id"]:
            continue
        if first is None:
            taken[key] = row["report_id"]
        out.append(row)
    return out
