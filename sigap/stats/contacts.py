"""The contact log on the dashboard: contacts by outcome, silent/prank calls,
repeat callers, contacts per report, and "dari mana tahu layanan ini" of contacts.

Counted by the tally (``refresh()``, every run, from all contacts), read by the
dashboard from ``MonthlyCount`` like every other count: a page reads a few
hundred rows whatever the number of contacts. A contact counts in the month it
started (local time) and in its kecamatan: its own, else its report's.

A repeat caller is a caller number (its blind index) with more than one contact
in the period; "contacts per report" divides the contacts tied to a report by
the number of distinct reports they are tied to. Neither adds up over months,
so the tally stores what makes them countable for any run of months:

* per (report, month in which it has contacts): the previous such month. A
  report has contacts in the period [a, b] exactly once with a month m in
  [a, b] whose previous month is before a (or none);
* per contact of a caller number followed by another contact of that number:
  the months of the contacts before and after it. A number is a repeat caller
  in [a, b] exactly when its first contact in the period (the one whose
  previous contact is before a, or none) is followed by one no later than b.

Each sequence is taken within the kecamatan for the kecamatan's rows, and over
all contacts for the all-kecamatan rows, as the page's filter would select them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.intake.codes import ContactOutcome, HeardFrom
from sigap.intake.models import Contact
from sigap.stats import dimensions as d
from sigap.stats.forms import Period, month_bounds
from sigap.stats.models import ALL_KECAMATAN, MonthlyCount, TallyState

FETCH = 10_000
CountKey = tuple[str, str, str, str]  # (month, kecamatan, dimension, value)


@dataclass
class ContactFigures:
    total: int
    by_outcome: dict[str, int]
    silent: int
    repeat_callers: int
    with_report: int
    reports: int
    by_heard_from: dict[str, int]

    @property
    def per_report(self) -> float | None:
        """Contacts tied to a report per report they are tied to."""
        return round(self.with_report / self.reports, 1) if self.reports else None


def figures(period: Period) -> ContactFigures:
    """The period's contact figures, from the tally's rows."""
    start, end = period.start, period.end
    by_outcome: dict[str, int] = defaultdict(int)
    by_heard: dict[str, int] = defaultdict(int)
    with_report = reports = repeat = 0
    for dimension, value, n in MonthlyCount.objects.filter(
        kecamatan_code=period.kecamatan or ALL_KECAMATAN, month__gte=start, month__lte=end,
        dimension__in=d.CONTACT_DIMENSIONS,
    ).values_list("dimension", "value", "n"):
        if dimension == d.CONTACT_OUTCOME:
            by_outcome[value] += n
        elif dimension == d.CONTACT_HEARD_FROM:
            by_heard[value] += n
        elif dimension == d.CONTACT_WITH_REPORT:
            with_report += n
        elif dimension == d.CONTACT_REPORTS:
            if value < start:  # the report's first month with contacts in the period
                reports += n
        else:
            before, _sep, after = value.partition("|")
            if before < start and after <= end:  # first contact in the period, and another one in it
                repeat += n
    return ContactFigures(
        total=sum(by_outcome.values()),
        by_outcome=dict(by_outcome),
        silent=by_outcome.get(ContactOutcome.SILENT, 0),
        repeat_callers=repeat,
        with_report=with_report,
        reports=reports,
        by_heard_from=dict(by_heard),
    )


# --- counting (the tally) ----------------------------------------------------------------------


class _MonthOf:
    """The local month ("YYYY-MM") of a moment as the database returns it (SQLite: UTC text)."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()
        self.hours: dict[Any, str] = {}

    def exact(self, moment: datetime.datetime) -> str:
        return moment.astimezone(self.tz).strftime("%Y-%m")

    def __call__(self, value: Any) -> str:
        if isinstance(value, str):
            key: Any = value[:13]
            found = self.hours.get(key)
            if found is not None:
                return found
            moment = datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
        else:
            moment = value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
            moment = moment.astimezone(datetime.UTC)
            key = (moment.year, moment.month, moment.day, moment.hour)
            found = self.hours.get(key)
            if found is not None:
                return found
        month = self.exact(moment)
        hour = moment.replace(minute=0, second=0, microsecond=0)
        # Cached per UTC hour when the whole hour lies in one local month (any zone with whole-hour offsets).
        if self.exact(hour) == month == self.exact(hour + datetime.timedelta(minutes=59, seconds=59)):
            self.hours[key] = month
        return month


def _stream(queryset: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the driver returns them, in chunks (no converters)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield from rows


# started_at, outcome, heard_from, caller index, report id, own kecamatan, report's kecamatan, pk
COLUMNS = ("started_at", "outcome", "heard_from", "caller_phone_index", "report_id", "kecamatan_code",
           "report__kecamatan_code", "pk")


def _count(by_caller: Iterator[tuple[Any, ...]], by_report: Iterator[tuple[Any, ...]],
           months: set[str] | None = None) -> dict[CountKey, int]:
    """The counts of the contacts given twice: in (caller, time) order and, those tied to a report, in
    (report, time) order; each caller's and report's contacts all given. ``months``: only those months' rows."""
    month_of = _MonthOf()
    counts: dict[CountKey, int] = defaultdict(int)
    # Additive counts, and each caller's contacts in order: who called more than once.
    last_caller: Any = None
    state: dict[str, tuple[str, str]] = {}  # scope -> (month before the previous contact, previous contact's month)
    for started, outcome, heard, caller, report_id, own, report_kecamatan, _pk in by_caller:
        month = month_of(started)
        kecamatan = own or report_kecamatan or ""
        counted = months is None or month in months
        if counted:
            for scope in (ALL_KECAMATAN, kecamatan):
                counts[(month, scope, d.CONTACT_OUTCOME, outcome)] += 1
                counts[(month, scope, d.CONTACT_HEARD_FROM, heard or "")] += 1
                if report_id is not None:
                    counts[(month, scope, d.CONTACT_WITH_REPORT, "")] += 1
        if not caller:
            continue
        if caller != last_caller:
            last_caller, state = caller, {}
        for scope in (ALL_KECAMATAN, kecamatan):
            before = state.get(scope)
            if before is not None:
                earlier, previous = before
                if months is None or previous in months:
                    counts[(previous, scope, d.CONTACT_REPEAT, f"{earlier}|{month}")] += 1
                state[scope] = (previous, month)
            else:
                state[scope] = ("", month)
    # Each report's months with contacts, in order.
    last_report: Any = None
    seen: dict[str, str] = {}  # scope -> the last month seen
    for started, _outcome, _heard, _caller, report_id, own, report_kecamatan, _pk in by_report:
        month = month_of(started)
        kecamatan = own or report_kecamatan or ""
        if report_id != last_report:
            last_report, seen = report_id, {}
        for scope in (ALL_KECAMATAN, kecamatan):
            previous = seen.get(scope, "")
            if previous != month:
                if months is None or month in months:
                    counts[(month, scope, d.CONTACT_REPORTS, previous)] += 1
                seen[scope] = month
    return counts


def count_all() -> dict[CountKey, int]:
    """Every contact count, per (month, kecamatan, dimension, value), from all contacts."""
    everything = Contact.objects.order_by()
    return _count(
        _stream(everything.order_by("caller_phone_index", "started_at", "pk").values_list(*COLUMNS)),
        _stream(everything.filter(report__isnull=False).order_by("report_id", "started_at", "pk")
                .values_list(*COLUMNS)),
    )


def _related(rows: dict[int, tuple[Any, ...]]) -> None:
    """Add to ``rows`` (by pk) every contact of the callers and reports of the contacts in it."""
    callers = sorted({row[3] for row in rows.values() if row[3]})
    reports = sorted({row[4] for row in rows.values() if row[4] is not None})
    for field, values in (("caller_phone_index", callers), ("report_id", reports)):
        for i in range(0, len(values), 500):
            for row in _stream(Contact.objects.order_by().filter(**{f"{field}__in": values[i : i + 500]})
                               .values_list(*COLUMNS)):
                rows[row[7]] = row


def count_months(months: set[str]) -> dict[CountKey, int]:
    """The rows of these months only, from their contacts and every other contact of the same callers and reports."""
    rows: dict[int, tuple[Any, ...]] = {}
    for month in sorted(months):
        start, end = month_bounds(month)
        for row in _stream(Contact.objects.order_by().filter(started_at__gte=start, started_at__lt=end)
                           .values_list(*COLUMNS)):
            rows[row[7]] = row
    _related(rows)
    by_caller = sorted(rows.values(), key=lambda row: (row[3], row[0], row[7]))
    by_report = sorted((row for row in rows.values() if row[4] is not None), key=lambda row: (row[4], row[0], row[7]))
    return _count(iter(by_caller), iter(by_report), months)


def changed_months(after_id: int, reports: set[int]) -> set[str]:
    """The months whose rows new contacts (id above ``after_id``) and changed reports can touch: theirs, and
    those of every other contact of the same callers and reports (whose previous or next contact they are)."""
    rows: dict[int, tuple[Any, ...]] = {}
    for row in _stream(Contact.objects.order_by().filter(pk__gt=after_id).values_list(*COLUMNS)):
        rows[row[7]] = row
    ids = sorted(reports)
    for i in range(0, len(ids), 500):
        for row in _stream(Contact.objects.order_by().filter(report_id__in=ids[i : i + 500]).values_list(*COLUMNS)):
            rows[row[7]] = row
    if not rows:
        return set()
    _related(rows)
    month_of = _MonthOf()
    return {month_of(row[0]) for row in rows.values()}


def refresh(*, reports: set[int] | None = None, full: bool = True) -> int:
    """Bring the contact rows of ``MonthlyCount`` in line with the contacts; the number of rows changed.

    ``full``: recount every month. Otherwise only the months that contacts recorded since the last
    run (``TallyState.last_contact_id``) and contacts of ``reports`` (new, gone, or moved to another
    kecamatan since the last run) can touch; a change no marker names (a contact's own edit) is
    caught by the weekly full recount.
    """
    state = TallyState.objects.get_or_create(pk=1)[0]
    last = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    months: set[str] | None = None
    if not full and state.last_contact_id:
        months = changed_months(state.last_contact_id, reports or set())
        counts = count_months(months) if months else {}
    else:
        counts = count_all()
    existing_rows = MonthlyCount.objects.filter(dimension__in=d.CONTACT_DIMENSIONS)
    if months is not None:
        existing_rows = existing_rows.filter(month__in=sorted(months))
    existing = {
        (month, kecamatan, dimension, value): (pk, n)
        for pk, month, kecamatan, dimension, value, n in existing_rows.values_list(
            "pk", "month", "kecamatan_code", "dimension", "value", "n")
    } if months is None or months else {}
    stale = [pk for key, (pk, _n) in existing.items() if key not in counts]
    changed = [(pk, counts[key]) for key, (pk, n) in existing.items() if key in counts and counts[key] != n]
    new = [MonthlyCount(month=month, kecamatan_code=kecamatan, dimension=dimension, value=value, n=n)
           for (month, kecamatan, dimension, value), n in counts.items() if (month, kecamatan, dimension, value)
           not in existing]
    with transaction.atomic():
        for i in range(0, len(stale), 500):
            MonthlyCount.objects.filter(pk__in=stale[i : i + 500]).delete()
        for pk, n in changed:
            MonthlyCount.objects.filter(pk=pk).update(n=n)
        MonthlyCount.objects.bulk_create(new, batch_size=1000)
        TallyState.objects.filter(pk=1).update(last_contact_id=max(last, state.last_contact_id))
    return len(stale) + len(changed) + len(new)


def sections(period: Period) -> list[Any]:
    """Two small dashboard sections: the contact log, and how contacts learned of the hotline."""
    from sigap.stats import charts
    from sigap.stats.dashboard import Section, percent

    found = figures(period)
    outcome_rows: list[list[Any]] = [
        [str(label), found.by_outcome.get(code, 0), percent(found.by_outcome.get(code, 0), found.total)]
        for code, label in ContactOutcome.choices
    ]
    title = _("Kontak per hasil")
    summary: list[list[Any]] = [
        [_("Semua kontak"), found.total, None],
        [_("Diam, iseng, atau salah sambung"), found.silent, percent(found.silent, found.total)],
        [_("Penelepon berulang (nomor dengan lebih dari satu kontak)"), found.repeat_callers, None],
        [_("Kontak per laporan (kontak yang terkait laporan dibagi jumlah laporannya)"),
         found.per_report if found.per_report is not None else "—", None],
    ]
    heard_rows: list[list[Any]] = [
        [str(label), found.by_heard_from.get(code, 0), percent(found.by_heard_from.get(code, 0), found.total)]
        for code, label in HeardFrom.choices
    ]
    heard_rows.append([_("Tidak ditanyakan"), found.by_heard_from.get("", 0),
                       percent(found.by_heard_from.get("", 0), found.total)])
    heard_title = _("Dari mana tahu layanan ini (kontak)")
    return [
        Section(
            key="contacts", title=title, headers=[_("Hasil kontak"), _("Kontak"), _("% kontak")],
            rows=outcome_rows + summary,
            chart=charts.hbars(title, [(row[0], [row[1]]) for row in outcome_rows], [_("Kontak")]),
            note=_("Setiap telepon, chat, SMS dan kunjungan yang dicatat dalam periode ini, termasuk yang tidak "
                   "menjadi laporan."),
        ),
        Section(
            key="contact_heard_from", title=heard_title, headers=[heard_title, _("Kontak"), _("% kontak")],
            rows=heard_rows,
            chart=charts.hbars(heard_title, [(row[0], [row[1]]) for row in heard_rows], [_("Kontak")]),
        ),
    ]
