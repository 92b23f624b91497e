"""The tally: keeps ``MonthlyCount`` in step with reports, cases and outreach.

The design is described in ``sigap.stats``. In short: every report is counted
in one cell, (month received, kecamatan); a run finds the reports that changed
since the last run, recomputes the cells they were and are in from the source
tables, re-adds each touched month's all-kecamatan rows, and rewrites the small
snapshot (open work per case worker) and the outreach counts.

What marks a report as changed:

1. reports with an id above ``TallyState.last_report_id`` not counted yet;
2. audit entries after ``TallyState.last_audit_seq`` (every state change is
   audited in its own transaction, and the audit head's lock orders entries by
   commit), resolved to report ids through the foreign keys of the audited
   object: a victim, a chronology event, a case or anything hanging off a case;
3. ``DirtyReport`` rows (``mark_reports()``: for changes no audit entry names);
4. open reports whose response deadline passed since the last run (their
   outcome turns from "waiting" to "overdue" without any change in the data).

A full run (``manage.py stats_refresh --full``, and weekly by the worker) recounts
every cell: the safety net for anything the markers above could miss.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sigap.intake.codes import OPEN_STATUSES, Authority, CaseType, ReportStatus
from sigap.intake.models import (
    ChronologyEvent,
    Perpetrator,
    Report,
    ReportViolence,
    Victim,
    VictimAmpkGroup,
)
from sigap.lib.gcpause import gc_paused_during
from sigap.stats import contacts
from sigap.stats import dimensions as d
from sigap.stats.models import (
    ALL_KECAMATAN,
    NOW,
    CountedReport,
    DirtyReport,
    MonthlyCount,
    TallyState,
)
from sigap.stats.units import distinct_victims, siblings, unit_map

logger = logging.getLogger("sigap.stats")

CHUNK = 1000
SCAN_CHUNK = 10_000
LEASE = datetime.timedelta(minutes=60)
# Raised whenever what a count means changes (1: cases and victims as units, only this
# unit's own cases in the case counts; 2: kewenangan by the places, existing reports' authority
# recomputed by intake 0010; 3: AMPK victims per group of UU 35/2014 Pasal 59 ayat 2); the next run
# after an upgrade is a full recount.
COUNTING_VERSION = 3

Cell = tuple[str, str]  # (month "YYYY-MM", kecamatan code)
Key = tuple[str, str]  # (dimension, value)

# Audit actions that only read: they never change what a report counts as.
READ_ONLY_SUFFIXES = (".open", "_downloaded", "_exported", "_viewed", "_revealed")
READ_ONLY_ACTIONS = frozenset({"intake.report_opened"})


def month_of(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m")


# --- what one report counts as ------------------------------------------------------------


VictimFacts = tuple[str, str, str, str, bool, str, frozenset[str]]


@dataclass
class ReportFacts:
    """The plain, countable facts of one report and, for the home report of a case, of its whole case.

    ``home`` is False for a report that counts through its case's home report
    (``sigap.stats.units``): it adds only its report-level counts ("laporan").
    For a home report, ``victims``, ``relations``, ``places``, ``violence`` and
    ``risk`` cover every report of its case, each victim counted once.
    """

    pk: int
    received_at: datetime.datetime
    kecamatan_code: str
    desa_id: str | None
    channel: str
    risk: str
    status: str
    case_type: str
    source: str
    response_due_at: datetime.datetime
    heard_from: str = ""
    authority: str = Authority.OWN
    # age group (at the incident), sex, education, occupation, disability, case type, AMPK groups: one per
    # distinct victim
    victims: list[VictimFacts] = field(default_factory=list)
    relations: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    violence: set[str] = field(default_factory=set)
    case: tuple[str, datetime.datetime | None] | None = None  # (stage, first contact)
    home: bool = True

    @property
    def cell(self) -> Cell:
        return month_of(self.received_at), self.kecamatan_code or ""


@dataclass
class _Details:
    victims: list[dict[str, Any]] = field(default_factory=list)
    relations: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    violence: set[str] = field(default_factory=set)
    risk: str = ""


def _chunks(values: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _case_model(name: str) -> Any:
    if not d.cases_installed():
        return None
    return apps.get_model("cases", name)


def _details(report_ids: list[int]) -> dict[int, _Details]:
    """What hangs off each report: victims (with their blind indexes, to match people), relations, places, types."""
    out: dict[int, _Details] = {pk: _Details() for pk in report_ids}
    groups: dict[int, set[str]] = defaultdict(set)
    for victim_id, group in VictimAmpkGroup.objects.filter(victim__report_id__in=report_ids).values_list(
        "victim_id", "group"
    ):
        groups[victim_id].add(group)
    for row in Victim.objects.filter(report_id__in=report_ids).values(
        "id", "report_id", "position", "nik_index", "name_index", "age_group", "sex", "education", "occupation",
        "disability", "case_type",
    ):
        out[row["report_id"]].victims.append({**row, "ampk_groups": frozenset(groups.get(row["id"], ()))})
    for report_id, relation in Perpetrator.objects.filter(report_id__in=report_ids).values_list(
        "report_id", "relation"
    ):
        out[report_id].relations.add(relation)
    for report_id, place in ChronologyEvent.objects.filter(report_id__in=report_ids, is_current=True).values_list(
        "report_id", "place"
    ):
        out[report_id].places.add(place)
    for report_id, kind in ReportViolence.objects.filter(report_id__in=report_ids).values_list(
        "report_id", "violence_type"
    ):
        out[report_id].violence.add(kind)
    return out


def _victim_tuple(row: dict[str, Any]) -> VictimFacts:
    return (row["age_group"], row["sex"], row["education"], row["occupation"], row["disability"], row["case_type"],
            row["ampk_groups"])


def load_facts(report_ids: Iterable[int]) -> list[ReportFacts]:
    """The facts of the given reports: a handful of indexed queries per 1,000 reports (and their cases' others)."""
    from sigap.intake.codes import RISK_ORDER

    rank = {str(risk): n for risk, n in RISK_ORDER.items()}
    ids = sorted(set(report_ids))
    case_report = _case_model("CaseReport")
    out: list[ReportFacts] = []
    for chunk in _chunks(ids):
        facts = {
            row[0]: ReportFacts(*row)
            for row in Report.objects.filter(pk__in=chunk).values_list(
                "pk", "received_at", "kecamatan_code", "desa_id", "channel", "risk", "status", "case_type",
                "source", "response_due_at", "heard_from", "authority",
            )
        }
        if not facts:
            continue
        present = list(facts)
        units = unit_map(present)
        for pk in present:
            facts[pk].home = units.is_home(pk)
        homes = [pk for pk in present if facts[pk].home]
        members = sorted({m for pk in homes for m in units.reports_of(pk)})
        details = _details(members)
        others = [pk for pk in members if pk not in facts]
        risks = dict(Report.objects.filter(pk__in=others).values_list("pk", "risk")) if others else {}
        for pk in homes:
            report = facts[pk]
            order = units.reports_of(pk)
            victims: list[dict[str, Any]] = []
            for member in order:
                part = details[member]
                victims.extend(part.victims)
                report.relations |= part.relations
                report.places |= part.places
                report.violence |= part.violence
                risk = facts[member].risk if member in facts else risks.get(member, "")
                if rank.get(risk, -1) > rank.get(report.risk, -1):
                    report.risk = risk
            report.victims = [_victim_tuple(v) for v in distinct_victims(victims, order)]
        if case_report is not None:
            for report_id, stage, first_contact in case_report.objects.filter(report_id__in=present).values_list(
                "report_id", "case__stage", "case__first_contact_at"
            ):
                facts[report_id].case = (stage, first_contact)
        out.extend(facts.values())
    return out


def response_of(facts: ReportFacts, now: datetime.datetime) -> tuple[str, int | None]:
    """(outcome, minutes to respond) of a report against its deadline.

    The response is the case's first contact with the victim; a report linked
    to a case after that contact counts as answered at once.
    """
    first_contact = facts.case[1] if facts.case else None
    if first_contact is not None:
        minutes = max(0, int((first_contact - facts.received_at).total_seconds() // 60))
        return (d.ON_TIME if first_contact <= facts.response_due_at else d.LATE), minutes
    if facts.status == ReportStatus.SELESAI:
        return d.NOT_MEASURED, None
    return (d.OVERDUE if facts.response_due_at < now else d.WAITING), None


def keys_of(facts: ReportFacts, now: datetime.datetime, *, with_stage: bool) -> dict[Key, list[int]]:
    """What one report adds to its cell: (dimension, value) -> [n, victims].

    Every report adds its report-level counts (``n`` = reports, "laporan");
    only a unit's home report adds the case-level and victim-level counts
    (``n`` = cases, ``victims`` = distinct victims of the case).
    """
    keys: dict[Key, list[int]] = {}

    def per_report(dimension: str, value: str) -> None:
        keys[(dimension, value)] = [1, 0]

    per_report(d.REPORTS, "all")
    per_report(d.CHANNEL, facts.channel)
    per_report(d.STATUS, facts.status)
    per_report(d.SOURCE, facts.source or d.UNKNOWN)
    per_report(d.HEARD_FROM, facts.heard_from or d.UNKNOWN)
    outcome, minutes = response_of(facts, now)
    per_report(d.RESPONSE, f"{facts.risk}|{outcome}")
    if minutes is not None:
        per_report(d.RESPONSE_TIME, f"{facts.risk}|{d.response_bucket(minutes)}")
    if not facts.home:
        return keys

    victims = len(facts.victims)

    def per_case(dimension: str, value: str) -> None:
        keys[(dimension, value)] = [1, victims]

    # A case counts by its home report's authority: only this unit's own cases in the
    # case and victim counts; the others only here, to be shown apart.
    per_case(d.AUTHORITY, facts.authority)
    if facts.authority != Authority.OWN:
        return keys

    per_case(d.TOTAL, "all")
    per_case(d.RISK, facts.risk)
    per_case(d.DESA, facts.desa_id or d.UNKNOWN)
    for kind in facts.violence:
        per_case(d.VIOLENCE, kind)
    for relation in facts.relations or {"tidak_diketahui"}:
        per_case(d.RELATION, relation)
    for place in facts.places or {d.UNKNOWN}:
        per_case(d.PLACE, place)
    if with_stage:
        per_case(d.STAGE, facts.case[0] if facts.case else d.NO_CASE)

    # Victim-level: a case counts once per value, its victims once each.
    per_value: Counter[Key] = Counter()
    for age, sex, education, occupation, disability, case_type, ampk_groups in facts.victims:
        per_value[(d.CASE_TYPE, case_type or d.UNKNOWN)] += 1
        if case_type == CaseType.AMPK:  # a child at the incident; each of its groups, chosen or suggested
            for group in ampk_groups or {d.UNKNOWN}:
                per_value[(d.AMPK_GROUP, group)] += 1
        per_value[(d.AGE_SEX, f"{age}|{sex}")] += 1
        per_value[(d.AGE, age)] += 1
        per_value[(d.SEX, sex)] += 1
        per_value[(d.EDUCATION, education or d.UNKNOWN)] += 1
        per_value[(d.OCCUPATION, occupation or d.UNKNOWN)] += 1
        per_value[(d.DISABILITY, "ya" if disability else "tidak")] += 1
    for key, count in per_value.items():
        keys[key] = [1, count]
    return keys


def count_reports(report_ids: Iterable[int], now: datetime.datetime) -> dict[Cell, dict[Key, list[int]]]:
    """The counts the given reports add up to, per cell."""
    with_stage = d.cases_installed()
    cells: dict[Cell, dict[Key, list[int]]] = defaultdict(dict)
    for facts in load_facts(report_ids):
        totals = cells[facts.cell]
        for key, (n, victims) in keys_of(facts, now, with_stage=with_stage).items():
            current = totals.setdefault(key, [0, 0])
            current[0] += n
            current[1] += victims
    return cells


# --- writing counts ----------------------------------------------------------------------


def _rows(month: str, kecamatan: str, counts: dict[Key, list[int]]) -> list[tuple[str, str, str, str, int, int]]:
    return [
        (month, kecamatan, dim, value[:80], n, v)
        for (dim, value), (n, v) in counts.items()
        if n or v
    ]


def _table() -> str:
    return connection.ops.quote_name(MonthlyCount._meta.db_table)


def _insert(rows: list[tuple[str, str, str, str, int, int]]) -> None:
    """Plain INSERTs with executemany: the ORM's per-row SQL assembly dominates at this volume."""
    # The table name comes from the model's metadata; values are parameters.
    sql = f"INSERT INTO {_table()} (month, kecamatan_code, dimension, value, n, victims) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 5000):
            cursor.executemany(sql, chunk)


FLUSH_REPORTS = 10_000
MONTHS_PER_QUERY = 60


def recount(cells: set[Cell], now: datetime.datetime) -> None:
    """Replace the report counts of these cells, and their months' all-kecamatan rows.

    Months are taken in batches of about ``FLUSH_REPORTS`` reports, so the cost
    follows the number of reports, not of cells, and memory stays bounded.
    """
    by_month: dict[str, set[str]] = defaultdict(set)
    for month, kecamatan in cells:
        by_month[month].add(kecamatan)
    batch: list[str] = []
    size = 0
    for group in _chunks(sorted(by_month), MONTHS_PER_QUERY):
        sizes = dict(
            CountedReport.objects.filter(month__in=group).values_list("month").annotate(n=Count("report_id"))
        )
        for month in group:
            if batch and size + sizes.get(month, 0) > FLUSH_REPORTS:
                _recount_months(batch, by_month, now)
                batch, size = [], 0
            batch.append(month)
            size += sizes.get(month, 0)
    if batch:
        _recount_months(batch, by_month, now)


def _recount_months(months: list[str], by_month: dict[str, set[str]], now: datetime.datetime) -> None:
    pending: dict[Cell, list[int]] = {(m, k): [] for m in months for k in by_month[m]}
    for report_id, month, kecamatan in CountedReport.objects.filter(month__in=months).values_list(
        "report_id", "month", "kecamatan_code"
    ):
        if kecamatan in by_month[month]:
            pending[(month, kecamatan)].append(report_id)
    _write(pending, now)
    # A long run (the first one over a large database) keeps its lease while it works.
    TallyState.objects.filter(pk=1, lease_until__isnull=False).update(lease_until=timezone.now() + LEASE)


@gc_paused_during  # a batch of up to FLUSH_REPORTS reports' facts: many small objects, no cycles
def _write(pending: dict[Cell, list[int]], now: datetime.datetime) -> None:
    counts = count_reports([pk for ids in pending.values() for pk in ids], now)
    rows = [row for cell in pending for row in _rows(*cell, counts.get(cell, {}))]
    months: dict[str, list[str]] = defaultdict(list)
    for month, kecamatan in pending:
        months[month].append(kecamatan)
    stale = Q()
    for month, kecamatans in months.items():
        stale |= Q(month=month, kecamatan_code__in=kecamatans)
    with transaction.atomic():
        MonthlyCount.objects.filter(stale, dimension__in=d.REPORT_DIMENSIONS).delete()
        _insert(rows)
        _sum_kecamatan(list(months), d.REPORT_DIMENSIONS)


def _sum_kecamatan(months: list[str], dimensions: tuple[str, ...]) -> None:
    """Rewrite the all-kecamatan rows of the months from their kecamatan rows, in the database."""
    for group in _chunks(sorted(set(months)), MONTHS_PER_QUERY):
        MonthlyCount.objects.filter(month__in=group, kecamatan_code=ALL_KECAMATAN, dimension__in=dimensions).delete()
        month_marks = ", ".join(["%s"] * len(group))
        dimension_marks = ", ".join(["%s"] * len(dimensions))
        # Names come from the model's metadata and fixed placeholders; values are parameters.
        sql = (
            f"INSERT INTO {_table()} (month, kecamatan_code, dimension, value, n, victims) "  # noqa: S608
            f"SELECT month, %s, dimension, value, SUM(n), SUM(victims) FROM {_table()} "
            f"WHERE month IN ({month_marks}) AND kecamatan_code <> %s AND dimension IN ({dimension_marks}) "
            "GROUP BY month, dimension, value"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [ALL_KECAMATAN, *group, ALL_KECAMATAN, *dimensions])


UPSERT_SQL = (
    "INSERT INTO {table} (month, kecamatan_code, dimension, value, n, victims) VALUES (%s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (month, kecamatan_code, dimension, value) "
    "DO UPDATE SET n = {table}.n + excluded.n, victims = {table}.victims + excluded.victims"
)


def add_counts(cells: dict[Cell, dict[Key, list[int]]]) -> None:
    """Add counts to the stored ones (cell and all-kecamatan rows): for reports never counted before.

    One statement that SQLite (3.24+) and PostgreSQL both understand.
    """
    merged: dict[tuple[str, str, str, str], list[int]] = {}
    for (month, kecamatan), counts in cells.items():
        for (dim, value), (n, v) in counts.items():
            for kec in (kecamatan, ALL_KECAMATAN):
                current = merged.setdefault((month, kec, dim, value[:80]), [0, 0])
                current[0] += n
                current[1] += v
    rows = [(*key, n, v) for key, (n, v) in merged.items()]
    # The table name comes from the model's metadata; values are parameters.
    sql = UPSERT_SQL.format(table=_table())
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 5000):
            cursor.executemany(sql, chunk)


# --- which reports changed ----------------------------------------------------------------


def mark_reports(report_ids: Iterable[int]) -> None:
    """Have the next run recount these reports (for changes that write no audit entry)."""
    DirtyReport.objects.bulk_create(
        [DirtyReport(report_id=pk) for pk in set(report_ids)], ignore_conflicts=True, batch_size=1000
    )


def _uncounted(ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ids, 5000):
        counted = set(CountedReport.objects.filter(report_id__in=chunk).values_list("report_id", flat=True))
        found.update(set(chunk) - counted)
    return found


def _new_reports(after_id: int) -> tuple[set[int], int]:
    """Reports above the id cursor that are not counted yet, and the new cursor."""
    found: set[int] = set()
    last = after_id
    while True:
        ids = list(Report.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:SCAN_CHUNK])
        if not ids:
            return found, last
        found |= _uncounted(ids)
        last = ids[-1]


_paths: dict[type[models.Model], str | None] = {}


def _path_to_reports(model: type[models.Model]) -> str | None:
    """The ORM path from an audited model to the ids of the reports it belongs to, if any.

    Breadth-first along forward foreign keys (never through users or regions);
    a case leads to every report of the case.
    """
    if model in _paths:
        return _paths[model]
    case_model = _case_model("Case")
    skip = {apps.get_model(settings.AUTH_USER_MODEL), apps.get_model("regions", "Region")}
    queue: list[tuple[type[models.Model], str]] = [(model, "")]
    seen: set[type[models.Model]] = set()
    found: str | None = None
    while queue and found is None:
        current, path = queue.pop(0)
        if current in seen or path.count("__") > 3:
            continue
        seen.add(current)
        if current is Report:
            found = f"{path}__pk" if path else "pk"
        elif case_model is not None and current is case_model:
            found = f"{path}__case_reports__report" if path else "case_reports__report"
        else:
            for fk in current._meta.get_fields():
                if isinstance(fk, models.ForeignKey | models.OneToOneField) and fk.concrete:
                    target = fk.related_model
                    if isinstance(target, type) and target not in skip:
                        queue.append((target, f"{path}__{fk.name}" if path else fk.name))
    _paths[model] = found
    return found


def _report_ids_for(object_type: str, object_ids: set[str]) -> set[int]:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return set()
    path = _path_to_reports(model)
    if path is None:
        return set()
    pks: list[Any] = []
    for raw in object_ids:
        try:
            pks.append(model._meta.pk.to_python(raw))
        except Exception:  # noqa: S112 - an id this model cannot hold names nothing
            continue
    found: set[int] = set()
    for chunk in _chunks(pks):
        found.update(
            pk for pk in model._default_manager.filter(pk__in=chunk).values_list(path, flat=True) if pk is not None
        )
    return found


def _audited_reports(after_seq: int, up_to: int) -> set[int]:
    """Reports named (directly or through their victims, case, ...) by audit entries in (after, up_to]."""
    from sigap.vault.models import AuditEntry

    created: set[int] = set()
    objects: dict[str, set[str]] = defaultdict(set)
    last = after_seq
    while last < up_to:
        rows = list(
            AuditEntry.objects.filter(seq__gt=last, seq__lte=up_to)
            .order_by("seq")
            .values_list("seq", "action", "object_type", "object_id")[:SCAN_CHUNK]
        )
        if not rows:
            break
        for _seq, action, object_type, object_id in rows:
            if not object_type or action in READ_ONLY_ACTIONS or action.endswith(READ_ONLY_SUFFIXES):
                continue
            if action.startswith("stats."):
                continue
            if action == "intake.report_created" and object_type == "intake.report" and object_id.isdigit():
                created.add(int(object_id))
            else:
                objects[object_type].add(object_id)
        last = rows[-1][0]
    found = _uncounted(sorted(created)) if created else set()
    for object_type, ids in objects.items():
        found |= _report_ids_for(object_type, ids)
    return found


def _passed_deadlines(since: datetime.datetime | None, now: datetime.datetime) -> set[int]:
    if since is None or since >= now:
        return set()
    return set(
        Report.objects.filter(
            status__in=OPEN_STATUSES, response_due_at__gt=since, response_due_at__lte=now
        ).values_list("pk", flat=True)
    )


def _place(report_ids: set[int], moved: set[int] | None = None) -> set[Cell]:
    """Bring ``CountedReport`` up to date for these reports; the cells they were and are in.

    ``moved`` receives the reports counted for the first time, gone, or now in another kecamatan: the
    ones whose contacts may count differently (a contact without a kecamatan of its own takes its report's).
    """
    moved = set() if moved is None else moved
    cells: set[Cell] = set()
    ids = sorted(report_ids)
    for chunk in _chunks(ids, 2000):
        current = {
            pk: (month_of(received), kecamatan or "", received)
            for pk, received, kecamatan in Report.objects.filter(pk__in=chunk).values_list(
                "pk", "received_at", "kecamatan_code"
            )
        }
        stored = {
            row.report_id: row for row in CountedReport.objects.filter(report_id__in=chunk)
        }
        gone = [pk for pk in stored if pk not in current]
        changed: list[CountedReport] = []
        for pk, (month, kecamatan, received) in current.items():
            cells.add((month, kecamatan))
            old = stored.get(pk)
            if old is None or old.kecamatan_code != kecamatan:
                moved.add(pk)
            if old is not None:
                cells.add((old.month, old.kecamatan_code))
                if (old.month, old.kecamatan_code, old.received_at) == (month, kecamatan, received):
                    continue
            changed.append(CountedReport(report_id=pk, month=month, kecamatan_code=kecamatan, received_at=received))
        for pk in gone:
            cells.add((stored[pk].month, stored[pk].kecamatan_code))
            moved.add(pk)
        with transaction.atomic():
            if gone:
                CountedReport.objects.filter(report_id__in=gone).delete()
            CountedReport.objects.bulk_create(
                changed, update_conflicts=True, unique_fields=["report_id"],
                update_fields=["month", "kecamatan_code", "received_at"],
            )
    return cells


# --- outreach and the present ------------------------------------------------------------


def refresh_outreach() -> None:
    """Recount outreach per month, kecamatan and desa (a small table: all of it, every run)."""
    try:
        activity = apps.get_model("outreach", "Activity")
    except LookupError:
        return
    rows: list[MonthlyCount] = []
    totals: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in (
        activity.objects.annotate(month=TruncMonth("date"))
        .values("month", "kecamatan_id", "desa_id")
        .annotate(
            activities=Count("id"),
            pamphlets=Sum("pamphlets_handed_out"),
            audience=Sum(F("audience_women") + F("audience_men") + F("audience_children")),
        )
    ):
        month = row["month"].strftime("%Y-%m")
        desa = row["desa_id"] or ""
        for kecamatan in (row["kecamatan_id"], ALL_KECAMATAN):
            total = totals[(month, kecamatan, desa)]
            total[0] += row["activities"]
            total[1] += row["pamphlets"] or 0
            total[2] += row["audience"] or 0
    for (month, kecamatan, desa), (activities, pamphlets, audience) in totals.items():
        for dimension, n in (
            (d.OUTREACH_ACTIVITIES, activities), (d.OUTREACH_PAMPHLETS, pamphlets), (d.OUTREACH_AUDIENCE, audience)
        ):
            if n:
                rows.append(MonthlyCount(month=month, kecamatan_code=kecamatan, dimension=dimension, value=desa, n=n))
    with transaction.atomic():
        MonthlyCount.objects.filter(dimension__in=d.OUTREACH_DIMENSIONS).delete()
        MonthlyCount.objects.bulk_create(rows, batch_size=1000)


def refresh_current(now: datetime.datetime) -> None:
    """Open cases per case worker and those with overdue work, as of now."""
    case = _case_model("Case")
    rows: list[MonthlyCount] = []
    if case is not None:
        totals: dict[tuple[str, str, str], int] = defaultdict(int)
        for row in (
            case.objects.open()
            .values("kecamatan_code", "assigned_to_id")
            .annotate(open=Count("id"), overdue=Count("id", filter=Q(next_due_at__lt=now)))
        ):
            worker = str(row["assigned_to_id"] or "")
            for kecamatan in (row["kecamatan_code"] or "", ALL_KECAMATAN):
                totals[(kecamatan, d.WORKER_OPEN, worker)] += row["open"]
                totals[(kecamatan, d.WORKER_OVERDUE, worker)] += row["overdue"]
        rows = [
            MonthlyCount(month=NOW, kecamatan_code=kecamatan, dimension=dimension, value=worker, n=n)
            for (kecamatan, dimension, worker), n in totals.items()
            if n
        ]
    with transaction.atomic():
        MonthlyCount.objects.filter(month=NOW, dimension__in=d.CURRENT_DIMENSIONS).delete()
        MonthlyCount.objects.bulk_create(rows, batch_size=1000)


# --- runs ------------------------------------------------------------------------------


@dataclass
class RunResult:
    reports: int
    cells: int
    seconds: float
    full: bool


def _take_lease(now: datetime.datetime) -> bool:
    TallyState.objects.get_or_create(pk=1)
    taken = TallyState.objects.filter(pk=1).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(
        lease_until=now + LEASE
    )
    return taken == 1


def _audit_head() -> int:
    from sigap.vault.models import AuditHead

    head = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    return int(head or 0)


def run(*, full: bool = False, now: datetime.datetime | None = None) -> RunResult | None:
    """One run of the tally (the worker's job); None when another run holds the lease."""
    now = now or timezone.now()
    started = time.perf_counter()
    if not _take_lease(now):
        return None
    try:
        state = TallyState.objects.get(pk=1)
        full = full or state.counting_version != COUNTING_VERSION
        head = _audit_head()
        last_report = Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if full:
            dirty = set(Report.objects.values_list("pk", flat=True))
            dirty |= set(CountedReport.objects.values_list("report_id", flat=True))
            dirty_marks: list[int] = []
        else:
            new, _cursor = _new_reports(state.last_report_id)
            dirty = new | _audited_reports(state.last_audit_seq, head)
            marks = list(DirtyReport.objects.values_list("pk", "report_id")[:50_000])
            dirty_marks = [pk for pk, _report in marks]
            dirty |= {report for _pk, report in marks}
            dirty |= _passed_deadlines(state.deadlines_checked_at, now)
            # A change to any report of a case changes what its home report counts.
            dirty = siblings(dirty)
        moved: set[int] = set()
        cells = _place(dirty, moved)
        if full:
            # Cells that hold counts but no longer any report are emptied too.
            cells |= set(
                MonthlyCount.objects.filter(dimension=d.TOTAL)
                .exclude(kecamatan_code=ALL_KECAMATAN)
                .values_list("month", "kecamatan_code")
                .distinct()
            )
        recount(cells, now)
        refresh_outreach()
        contacts.refresh(reports=moved, full=full)
        refresh_current(now)
        seconds = time.perf_counter() - started
        with transaction.atomic():
            DirtyReport.objects.filter(pk__in=dirty_marks).delete()
            TallyState.objects.filter(pk=1).update(
                last_report_id=max(state.last_report_id, last_report),
                last_audit_seq=max(state.last_audit_seq, head),
                deadlines_checked_at=now,
                last_run_at=now,
                last_run_seconds=seconds,
                last_run_cells=len(cells),
                **({"last_full_at": now, "counting_version": COUNTING_VERSION} if full else {}),
            )
        logger.info("stats tally: %d reports, %d cells in %.2f s%s", len(dirty), len(cells), seconds,
                    " (full)" if full else "")
        return RunResult(reports=len(dirty), cells=len(cells), seconds=seconds, full=full)
    finally:
        TallyState.objects.filter(pk=1).update(lease_until=None)


def count_seeded(ctx: Any, reports: list[Report]) -> None:
    """``manage.py seed`` hook, after every seeder: count a batch of brand-new reports by addition.

    Addition is right only for reports never counted before, so those already
    counted are left out.
    """
    ids = [r.pk for r in reports]
    if not ids:
        return
    now = timezone.now()
    state, created = TallyState.objects.get_or_create(pk=1)
    if created:  # counted from the start by this code
        TallyState.objects.filter(pk=1).update(counting_version=COUNTING_VERSION)
    if state.deadlines_checked_at is None or state.deadlines_checked_at > now:
        TallyState.objects.filter(pk=1).update(deadlines_checked_at=now)
    TallyState.objects.filter(pk=1).update(last_run_at=now)
    fresh = _uncounted(ids)
    add_counts(count_reports(fresh, now))
    CountedReport.objects.bulk_create(
        [
            CountedReport(report_id=r.pk, month=month_of(r.received_at), kecamatan_code=r.kecamatan_code or "",
                          received_at=r.received_at)
            for r in reports
            if r.pk in fresh
        ],
        batch_size=2000,
    )
    refresh_current(now)
