"""Shifts in time: which shift a moment belongs to, and who is on duty then.

A working day (Monday-Friday not in SIGAP_HOLIDAYS, ``intake.triage.is_working_day``)
has three shifts: office hours 08:00-16:00, evening 16:00-22:00 and night
22:00-08:00 the next morning. A weekend day or holiday has one shift from 08:00
to 08:00 the next morning. Times are Asia/Jakarta (``TIME_ZONE``); a moment
before 08:00 belongs to the previous day's last shift.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sigap.alerts.models import RosterEntry, Shift
from sigap.intake.triage import is_working_day

DAY_STARTS = datetime.time(8, 0)

# (start hour, length in hours) of each shift, counted from its date's midnight.
WINDOWS: dict[str, tuple[int, int]] = {
    Shift.KANTOR: (8, 8),
    Shift.SORE: (16, 6),
    Shift.MALAM: (22, 10),
    Shift.LIBUR: (8, 24),
}


@dataclass(frozen=True)
class Slot:
    date: datetime.date
    shift: str
    start: datetime.datetime
    end: datetime.datetime

    @property
    def label(self) -> str:
        return str(Shift(self.shift).label)


def shifts_of(day: datetime.date) -> list[str]:
    return [Shift.KANTOR, Shift.SORE, Shift.MALAM] if is_working_day(day) else [Shift.LIBUR]


def slot(day: datetime.date, shift: str) -> Slot:
    hour, length = WINDOWS[shift]
    midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 0)))
    start = midnight + datetime.timedelta(hours=hour)
    return Slot(day, shift, start, start + datetime.timedelta(hours=length))


def slots_of(day: datetime.date) -> list[Slot]:
    return [slot(day, shift) for shift in shifts_of(day)]


def slot_at(moment: datetime.datetime) -> Slot:
    local = timezone.localtime(moment)
    day = local.date() if local.time() >= DAY_STARTS else local.date() - datetime.timedelta(days=1)
    for candidate in slots_of(day):
        if candidate.start <= moment < candidate.end:
            return candidate
    raise AssertionError("the shifts of a day cover it from 08:00 to 08:00")  # pragma: no cover


def slots_between(start: datetime.datetime, end: datetime.datetime) -> list[Slot]:
    """Every shift overlapping [start, end), in order."""
    found: list[Slot] = []
    current = slot_at(start)
    while current.start < end:
        found.append(current)
        current = slot_at(current.end)
    return found


def entry_for(found: Slot) -> RosterEntry | None:
    return RosterEntry.objects.select_related("duty", "backup").filter(date=found.date, shift=found.shift).first()


def on_duty(now: datetime.datetime | None = None) -> RosterEntry | None:
    """The roster entry of the shift running at ``now`` (None: a gap in the roster)."""
    return entry_for(slot_at(now or timezone.now()))


def duty_person(entry: RosterEntry | None) -> Any:
    """Who holds the phone: the duty person, the backup when the duty account is disabled, else None."""
    if entry is None:
        return None
    for person in (entry.duty, entry.backup):
        if person.is_active:
            return person
    return None
