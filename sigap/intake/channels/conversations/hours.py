"""Office hours (when operators answer) and a sender's stated safe times.

Office hours come from ``SIGAP_OFFICE_HOURS`` ("mon-fri 08:00-16:00; sat
08:00-12:00"), read in the deployment's time zone (Asia/Jakarta). The public
holidays listed in ``SIGAP_HOLIDAYS`` are closed all day: a message then gets
the automatic reply, which names the next opening after the holiday.

Safe times are what the reporter said on the report form ("waktu aman
dihubungi"), free text. The rule (docs in ``safety.py``):

* the text is only time ranges ("08:00-12:00", "jam 8 - 11.30, 16-18",
  "19.00 s/d 21.00 WIB"): sending is allowed inside a range and refused outside;
* anything else ("sore", "setelah suami berangkat kerja", "kecuali Minggu"):
  the machine cannot know, so the operator is asked to confirm before sending
  and automatic messages are not sent.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class TimeRange:
    start: datetime.time
    end: datetime.time  # may be before start: the range runs past midnight

    def contains(self, moment: datetime.time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class OfficeHours:
    weekly: dict[int, tuple[TimeRange, ...]]  # weekday (Monday 0) -> ranges
    holidays: frozenset[datetime.date] = frozenset()  # closed all day

    def is_open(self, now: datetime.datetime) -> bool:
        local = timezone.localtime(now)
        if local.date() in self.holidays:
            return False
        return any(r.contains(local.time()) for r in self.weekly.get(local.weekday(), ()))

    def next_opening(self, now: datetime.datetime) -> datetime.datetime | None:
        """The next moment (local time) the office opens after ``now``; None if never."""
        local = timezone.localtime(now)
        # A week, plus a day for each holiday that may fall in it.
        for offset in range(8 + len(self.holidays)):
            day = local.date() + datetime.timedelta(days=offset)
            if day in self.holidays:
                continue
            for r in sorted(self.weekly.get(day.weekday(), ()), key=lambda r: r.start):
                start = timezone.make_aware(datetime.datetime.combine(day, r.start), local.tzinfo)
                if start > local:
                    return start
        return None


def _expand_days(spec: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if "-" in part:
            first, last = (DAYS.index(p.strip()) for p in part.split("-", 1))
            span = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
            days.extend(span)
        elif part:
            days.append(DAYS.index(part))
    return days


def _clock(text: str) -> datetime.time:
    return datetime.time(0, 0) if text == "24:00" else datetime.time.fromisoformat(text)


def parse_office_hours(text: str, holidays: frozenset[datetime.date] = frozenset()) -> OfficeHours:
    """Parse the setting (already checked against its pattern in settings.py)."""
    weekly: dict[int, list[TimeRange]] = {}
    for chunk in text.split(";"):
        chunk = chunk.strip()
        if not chunk:
            continue
        day_spec, hours = chunk.rsplit(None, 1)
        start, end = hours.split("-")
        span = TimeRange(_clock(start), datetime.time.max if end == "24:00" else _clock(end))
        for day in _expand_days(day_spec.replace(" ", "")):
            weekly.setdefault(day, []).append(span)
    return OfficeHours({day: tuple(ranges) for day, ranges in weekly.items()}, holidays)


def office_hours() -> OfficeHours:
    return parse_office_hours(settings.SIGAP_OFFICE_HOURS, frozenset(settings.SIGAP_HOLIDAYS))


_HOUR = r"(?<!\d)(2[0-4]|[01]?\d)(?:[:.]([0-5]\d))?(?![\d:.]\d)"
_RANGE = re.compile(_HOUR + r"\s*(?:-|–|—|s/d|s\.d\.?|sd|sampai|hingga|to)\s*" + _HOUR, re.IGNORECASE)
# Words that may surround time ranges without changing their meaning.
_FILLER = re.compile(r"\b(jam|pukul|pkl|wib|dan|atau|and|or)\b|[\s,;./]+", re.IGNORECASE)


def _time(hour: str, minute: str | None) -> datetime.time:
    h = int(hour)
    return datetime.time(0, 0) if h == 24 else datetime.time(h, int(minute or 0))


def parse_safe_times(text: str | None) -> tuple[TimeRange, ...] | None:
    """The ranges when ``text`` is nothing but time ranges; None when it says something else."""
    if not text or not text.strip():
        return None
    found = tuple(
        TimeRange(_time(m[1], m[2]), _time(m[3], m[4])) for m in _RANGE.finditer(text)
    )
    if not found or _FILLER.sub("", _RANGE.sub("", text)):
        return None
    return found


def within(ranges: tuple[TimeRange, ...], now: datetime.datetime) -> bool:
    local = timezone.localtime(now).time()
    return any(r.contains(local) for r in ranges)
