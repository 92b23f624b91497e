from __future__ import annotations

import datetime

from django.test import SimpleTestCase, override_settings

from sigap.intake.channels.conversations.hours import (
    office_hours,
    parse_office_hours,
    parse_safe_times,
    within,
)
from sigap.intake.channels.conversations.tests.base import jakarta


class OfficeHoursTests(SimpleTestCase):
    def test_weekdays_open_and_weekends_closed(self) -> None:
        hours = parse_office_hours("mon-fri 08:00-16:00")
        self.assertTrue(hours.is_open(jakarta(2026, 3, 2, 8)))  # Monday
        self.assertFalse(hours.is_open(jakarta(2026, 3, 2, 16)))
        self.assertFalse(hours.is_open(jakarta(2026, 3, 7, 10)))  # Saturday

    def test_the_next_opening_skips_the_weekend(self) -> None:
        hours = parse_office_hours("mon-thu 08:00-16:00; fri 08:00-11:30")
        self.assertEqual(hours.next_opening(jakarta(2026, 3, 6, 12)), jakarta(2026, 3, 9, 8))
        self.assertEqual(hours.next_opening(jakarta(2026, 3, 3, 6)), jakarta(2026, 3, 3, 8))
        self.assertFalse(hours.is_open(jakarta(2026, 3, 6, 11, 45)))

    def test_day_lists_and_a_whole_day(self) -> None:
        hours = parse_office_hours("mon,wed 09:00-12:00; sun 00:00-24:00")
        self.assertTrue(hours.is_open(jakarta(2026, 3, 4, 10)))
        self.assertFalse(hours.is_open(jakarta(2026, 3, 3, 10)))
        self.assertTrue(hours.is_open(jakarta(2026, 3, 8, 23, 59)))

    def test_listed_holidays_are_closed_and_the_next_opening_skips_them(self) -> None:
        # Nyepi 2026 falls on Thursday 19 March; cuti bersama on Friday 20 March.
        holidays = frozenset({datetime.date(2026, 3, 19), datetime.date(2026, 3, 20)})
        hours = parse_office_hours("mon-fri 08:00-16:00", holidays)
        self.assertFalse(hours.is_open(jakarta(2026, 3, 19, 10)))
        self.assertTrue(hours.is_open(jakarta(2026, 3, 18, 10)))
        self.assertEqual(hours.next_opening(jakarta(2026, 3, 18, 17)), jakarta(2026, 3, 23, 8))

    @override_settings(SIGAP_OFFICE_HOURS="mon-fri 08:00-16:00", SIGAP_HOLIDAYS=frozenset({datetime.date(2026, 3, 19)}))
    def test_the_deployment_hours_use_sigap_holidays(self) -> None:
        self.assertFalse(office_hours().is_open(jakarta(2026, 3, 19, 10)))
        self.assertTrue(office_hours().is_open(jakarta(2026, 3, 20, 10)))

    def test_office_hours_are_read_in_jakarta_time(self) -> None:
        hours = parse_office_hours("mon-fri 08:00-16:00")
        self.assertTrue(hours.is_open(datetime.datetime(2026, 3, 2, 1, 30, tzinfo=datetime.UTC)))  # 08:30 WIB


class SafeTimesTests(SimpleTestCase):
    def test_plain_time_ranges_are_understood(self) -> None:
        for text in ("08:00-12:00", "jam 8 - 11.30, 16-18", "19.00 s/d 21.00 WIB", "pukul 7 sampai 9 dan 20-22"):
            self.assertIsNotNone(parse_safe_times(text), text)
        ranges = parse_safe_times("jam 8 - 11.30, 16-18")
        assert ranges is not None
        self.assertTrue(within(ranges, jakarta(2026, 3, 2, 11, 15)))
        self.assertFalse(within(ranges, jakarta(2026, 3, 2, 12)))
        self.assertTrue(within(ranges, jakarta(2026, 3, 2, 17)))

    def test_a_range_past_midnight(self) -> None:
        ranges = parse_safe_times("22:00-02:00")
        assert ranges is not None
        self.assertTrue(within(ranges, jakarta(2026, 3, 2, 1)))
        self.assertFalse(within(ranges, jakarta(2026, 3, 2, 3)))

    def test_anything_else_is_left_to_the_operator(self) -> None:
        for text in ("sore", "setelah suami berangkat kerja", "08:00-12:00 kecuali Minggu", "", None):
            self.assertIsNone(parse_safe_times(text), text)
