"""The accompaniment calendar as a month grid: per worker and per case.

The month comes from the query (``?bulan=YYYY-MM``), which anyone can type, so
it is read strictly: ASCII digits only (``"٢٠٢٦-١٢"`` or ``"²⁰²⁶-12"`` are not
a month), the whole value (no trailing newline), a year SIGAP can hold. Anything
else is refused with a clear message and the current month is shown instead
(HTTP 400), never a 500.

Weeks start on Monday (Senin), as Indonesian calendars do. The grid is a list
of days: CSS lays it out in seven columns on a wide screen and as a day list
(only the days with appointments, and today) on a phone.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from sigap.accompaniment.codes import AppointmentKind
from sigap.accompaniment.models import Appointment
from sigap.accounts.roles import Perm, has_permission
from sigap.cases.actions import worker_roles

PARAM = "bulan"
FIRST_YEAR, LAST_YEAR = 2000, 2100
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    @property
    def value(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    def shift(self, by: int) -> Month | None:
        """The month ``by`` months away, or None outside the years SIGAP shows."""
        index = self.year * 12 + self.month - 1 + by
        year, month = divmod(index, 12)
        return Month(year, month + 1) if FIRST_YEAR <= year <= LAST_YEAR else None

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Local midnight of the 1st, and of the 1st of the next month (the end is exclusive)."""
        following = self.shift(1) or Month(self.year + 1, 1)
        start = datetime.datetime.combine(self.first_day, datetime.time.min)
        end = datetime.datetime.combine(following.first_day, datetime.time.min)
        return timezone.make_aware(start), timezone.make_aware(end)


def parse_month(value: str | None) -> Month | None:
    """The month of ``YYYY-MM`` (ASCII digits, 2000-2100), or None."""
    if not isinstance(value, str):
        return None
    match = _MONTH.fullmatch(value)
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return Month(year, month)


def month_from_query(query: Any, today: datetime.date) -> tuple[Month, bool]:
    """The month asked for (this month when none is), and whether the value asked for was refused."""
    raw = query.get(PARAM)
    if raw is None or raw == "":
        return Month.of(today), False
    asked = parse_month(raw)
    return (asked, False) if asked is not None else (Month.of(today), True)


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    is_today: bool
    appointments: list[Appointment] = field(default_factory=list)


@dataclass
class Grid:
    month: Month
    weeks: list[list[Day]]
    previous: Month | None
    next: Month | None
    today: Month
    kinds: list[tuple[str, int]]  # (kind label, appointments this month), in the code list's order
    total: int


def build(month: Month, appointments: list[Appointment], today: datetime.date) -> Grid:
    by_day: dict[datetime.date, list[Appointment]] = {}
    for appointment in appointments:
        by_day.setdefault(timezone.localdate(appointment.starts_at), []).append(appointment)
    weeks = [
        [Day(day, day.month == month.month, day == today, by_day.get(day, []) if day.month == month.month else [])
         for day in week]
        for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(month.year, month.month)
    ]
    counts = Counter(a.kind for a in appointments)
    kinds = [(str(label), counts[value]) for value, label in AppointmentKind.choices if counts[value]]
    return Grid(month=month, weeks=weeks, previous=month.shift(-1), next=month.shift(1), today=Month.of(today),
                kinds=kinds, total=len(appointments))


def in_month(queryset: Any, month: Month) -> list[Appointment]:
    start, end = month.bounds()
    return list(queryset.filter(starts_at__gte=start, starts_at__lt=end)
                .select_related("case", "partner", "worker").order_by("starts_at", "id"))


def can_see_worker(viewer: Any, worker: Any) -> bool:
    """A case worker sees their own calendar; a manager (view_all_cases) every worker's."""
    if not has_permission(viewer, Perm.WORK_CASES) or worker.role not in worker_roles():
        return False
    return viewer.pk == worker.pk or has_permission(viewer, Perm.VIEW_ALL_CASES)
