"""The accompaniment calendar as a month grid: per worker and per case, who may see whose, hostile months."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sigap.accompaniment import actions
from sigap.accompaniment.monthgrid import Month, parse_month
from sigap.accompaniment.tests.factories import plain_case
from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.lib.testing import SigapTestCase, create_user


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


class MonthGridTests(SigapTestCase):
    other_worker: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other_worker = create_user(Role.CASE_WORKER, "pendamping-b", first_name="Budi")

    def page(self, user: Any, url: str, status: int = 200) -> str:
        response = self.login(user, client=Client()).get(url)
        self.assertEqual(response.status_code, status, url)
        return response.content.decode()

    def grid(self, user: Any, url: str) -> str:
        """The month grid of the page (not the list of past appointments without an outcome)."""
        return self.page(user, url).split('<ol class="month-grid"')[1]

    def schedule(self, case: Any, kind: str, when: datetime.datetime, worker: Any = None, **extra: Any) -> Any:
        return actions.schedule_appointment(case, by=self.case_worker, kind=kind, starts_at=when,
                                            worker=worker or self.case_worker, **extra)

    def test_worker_sees_the_month_with_each_appointment_on_its_day_by_kind_without_its_place(self) -> None:
        case = plain_case(self)
        self.schedule(case, "sidang", at(2026, 3, 17, 9, 30), place="Ruang Sidang Rahasia")
        self.schedule(case, "konseling", at(2026, 3, 17, 14))
        self.schedule(case, "konseling", at(2026, 4, 2))  # another month
        page = self.page(self.case_worker, reverse("accompaniment:calendar") + "?bulan=2026-03")
        self.assertIn("Maret 2026", page)
        self.assertIn("2 jadwal bulan ini: Sesi konseling 1 · Sidang pengadilan 1", page)
        self.assertIn("Selasa, 17 Maret 2026", page)
        day = page.split("Selasa, 17 Maret 2026")[1].split("</li>\n</ul>")[0]
        self.assertIn("09:30</time> <span class=\"kind\">Sidang pengadilan</span>", day)
        self.assertIn("14:00</time> <span class=\"kind\">Sesi konseling</span>", day)
        self.assertIn(reverse("accompaniment:case", args=[case.pk]), day)
        self.assertIn(case.number, day)
        self.assertNotIn("Ruang Sidang Rahasia", page)
        self.assertNotIn("02 Apr", page)
        # Monday first; 1 March 2026 is a Sunday, so the grid opens with six days of February.
        self.assertEqual(page.count('class="day outside free"'), 6 + 5)  # and ends with 5 days of April
        self.assertIn('href="?bulan=2026-02" rel="prev"', page)
        self.assertIn('href="?bulan=2026-04" rel="next"', page)

    def test_appointments_belong_to_the_local_day_and_month(self) -> None:
        case = plain_case(self)
        self.schedule(case, "visum", at(2026, 3, 31, 23, 30))  # 16:30 UTC, still 31 March in Jakarta
        self.schedule(case, "bap", at(2026, 4, 1, 0, 15))  # 31 March 17:15 UTC, already April here
        march = self.grid(self.case_worker, reverse("accompaniment:calendar") + "?bulan=2026-03")
        april = self.grid(self.case_worker, reverse("accompaniment:calendar") + "?bulan=2026-04")
        self.assertIn("Visum et repertum", march)
        self.assertNotIn("Pemeriksaan polisi (BAP)", march)
        self.assertIn("Pemeriksaan polisi (BAP)", april.split("Rabu, 1 April 2026")[1])
        self.assertNotIn("Visum et repertum", april)

    def test_today_is_marked_and_the_default_is_this_month(self) -> None:
        today = timezone.localdate()
        page = self.page(self.case_worker, reverse("accompaniment:calendar"))
        self.assertEqual(page.count('aria-current="date"'), 1)
        marked = page.split('aria-current="date"')[1]
        self.assertIn(f"{today:%Y}", marked.split("</p>")[0])
        self.assertIn("Hari ini", marked.split("</p>")[0])
        self.assertNotIn(f'?bulan={today:%Y-%m}">Bulan ini', page)  # no "this month" link on this month
        other = self.page(self.case_worker, reverse("accompaniment:calendar") + "?bulan=2030-01")
        self.assertNotIn('aria-current="date"', other)
        self.assertIn(f'?bulan={today:%Y-%m}">Bulan ini', other)

    def test_the_next_appointment_outside_the_month_is_offered(self) -> None:
        case = plain_case(self)
        soon = timezone.localtime() + datetime.timedelta(days=70)
        self.schedule(case, "sidang", soon)
        page = self.page(self.case_worker, reverse("accompaniment:calendar"))
        self.assertIn(f'href="?bulan={soon:%Y-%m}">Jadwal berikutnya: {soon:%d-%m-%Y}', page)

    def test_navigation_stops_at_the_years_sigap_shows(self) -> None:
        first = self.page(self.case_worker, reverse("accompaniment:calendar") + "?bulan=2000-01")
        self.assertNotIn('rel="prev"', first)
        self.assertIn('href="?bulan=2000-02" rel="next"', first)
        last = self.page(self.case_worker, reverse("accompaniment:calendar") + "?bulan=2100-12")
        self.assertNotIn('rel="next"', last)
        self.assertIn('href="?bulan=2100-11" rel="prev"', last)
        february = self.page(self.case_worker, reverse("accompaniment:calendar") + "?bulan=2028-02")
        self.assertIn("Selasa, 29 Februari 2028", february)
        self.assertNotIn("30 Februari", february)

    def test_a_month_that_is_not_one_gets_a_clear_400_and_this_month(self) -> None:
        for value in ("2026-13", "2026-00", "2026-1", "1999-12", "2101-01", "9" * 40 + "-01", "2026-" + "9" * 30,
                      "\u0662\u0660\u0662\u0666-\u0661\u0662", "\uff12\uff10\uff12\uff16-12", "2026-12\n", " 2026-12",
                      "2026/12", "-2026-12", "abcd-ef"):
            with self.subTest(value=value):
                response = self.login(self.case_worker, client=Client()).get(
                    reverse("accompaniment:calendar"), {"bulan": value})
                self.assertEqual(response.status_code, 400)
                page = response.content.decode()
                self.assertIn("Bulan tidak dikenal", page)
                self.assertIn(f"{timezone.localdate().year}</h2>", page)
        response = self.login(self.case_worker, client=Client()).get(reverse("accompaniment:calendar") + "?bulan=%00")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.page(self.case_worker, reverse("accompaniment:calendar") + "?bulan=").count(
            "Bulan tidak dikenal"), 0)

    def test_parse_month_reads_ascii_digits_only(self) -> None:
        self.assertEqual(parse_month("2026-03"), Month(2026, 3))
        for value in ("٢٠٢٦-٠٣", "²⁰²⁶-03", "2026-03\n", "2026-3", None, 202603):
            self.assertIsNone(parse_month(value))  # type: ignore[arg-type]
        self.assertIsNone(Month(2100, 12).shift(1))
        self.assertEqual(Month(2026, 12).shift(1), Month(2027, 1))

    def test_past_appointments_without_an_outcome_are_listed_apart(self) -> None:
        case = plain_case(self)
        past = timezone.localtime() - datetime.timedelta(days=40)
        self.schedule(case, "kunjungan_rumah", past)
        page = self.page(self.case_worker, reverse("accompaniment:calendar"))
        self.assertIn("Hasil belum dicatat", page)
        self.assertIn(f"{past:%d-%m-%Y %H:%M} · Kunjungan rumah", page)

    def test_a_worker_sees_only_their_own_calendar_and_the_manager_everyones(self) -> None:
        case = plain_case(self)
        self.schedule(case, "sidang", at(2026, 5, 12), worker=self.other_worker)
        self.schedule(case, "konseling", at(2026, 5, 13))
        budi = reverse("accompaniment:worker_calendar", args=[self.other_worker.pk]) + "?bulan=2026-05"
        sari = reverse("accompaniment:worker_calendar", args=[self.case_worker.pk]) + "?bulan=2026-05"
        self.page(self.case_worker, budi, 404)
        self.page(self.other_worker, sari, 404)
        own = self.page(self.case_worker, sari)
        self.assertIn("Jadwal pendampingan saya", own)
        self.assertNotIn("Budi", own)
        self.assertIn("Sesi konseling", own)
        self.assertNotIn("Sidang pengadilan", own)
        seen = self.page(self.manager, budi)
        self.assertIn("Jadwal pendampingan Budi", seen)
        self.assertIn("Sidang pengadilan", seen)
        self.assertNotIn("Sesi konseling", seen)
        self.assertIn(reverse("accompaniment:worker_calendar", args=[self.case_worker.pk]), seen)  # the team's links
        self.assertNotIn("Jadwal petugas:", own)  # a worker gets no links to others
        for user in (self.operator, self.data_officer, self.volunteer_a, self.partner, self.admin):
            with self.subTest(role=user.role):
                self.page(user, reverse("accompaniment:calendar"), 403)
                self.page(user, budi, 403)
        # Only a worker's calendar exists: not an operator's, not a user who does not exist.
        self.page(self.manager, reverse("accompaniment:worker_calendar", args=[self.operator.pk]), 404)
        self.page(self.manager, reverse("accompaniment:worker_calendar", args=[9_999_999]), 404)
        self.page(self.manager, f"/pendampingan/jadwal/petugas/{'9' * 30}/", 404)

    def test_the_case_calendar_shows_every_worker_of_the_case_to_whoever_sees_the_case(self) -> None:
        case = plain_case(self)
        other_case = plain_case(self)
        self.schedule(case, "sidang", at(2026, 6, 9), worker=self.other_worker)
        self.schedule(case, "psikolog", at(2026, 6, 10))
        self.schedule(other_case, "bantuan_hukum", at(2026, 6, 11))
        url = reverse("accompaniment:case_calendar", args=[case.pk]) + "?bulan=2026-06"
        for user in (self.case_worker, self.manager):
            page = self.page(user, url)
            self.assertIn("Sidang pengadilan", page)
            self.assertIn("Budi", page)
            self.assertIn("Sesi psikolog", page)
            self.assertNotIn("Konsultasi bantuan hukum", page)
        self.assertIn(reverse("accompaniment:case_calendar", args=[case.pk]),
                      self.page(self.case_worker, reverse("accompaniment:case", args=[case.pk])))
        self.page(self.other_worker, url, 404)  # not assigned to the case
        self.page(self.operator, url, 404)  # the case is assigned: operators no longer see it
        for user in (self.data_officer, self.volunteer_a, self.partner):
            self.page(user, url, 403)
        self.page(self.case_worker, reverse("accompaniment:case_calendar", args=[case.pk]) + "?bulan=2026-6", 400)

    def test_the_page_costs_the_same_queries_for_one_or_many_appointments(self) -> None:
        case = plain_case(self)
        client = self.login(self.case_worker, client=Client())
        url = reverse("accompaniment:calendar") + "?bulan=2026-07"

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(client.get(url).status_code, 200)
            return len(captured)

        self.schedule(case, "konseling", at(2026, 7, 1))
        one = queries()
        for day in range(2, 20):
            self.schedule(case, "konseling", at(2026, 7, day), partner=None)
        self.assertEqual(queries(), one)

    def test_a_worker_attending_a_colleagues_case_sees_it_on_their_own_calendar_and_today(self) -> None:
        case = plain_case(self)  # assigned to the first case worker
        today = timezone.localtime()
        when = today.replace(hour=23, minute=0, second=0, microsecond=0)
        self.schedule(case, "sidang", when, worker=self.other_worker, place="Ruang Sidang Rahasia")
        month = f"?bulan={when:%Y-%m}"
        for url in (reverse("accompaniment:calendar") + month,
                    reverse("accompaniment:worker_calendar", args=[self.other_worker.pk]) + month):
            grid = self.grid(self.other_worker, url)
            self.assertIn("Sidang pengadilan", grid)
            self.assertIn(case.number, grid)
            self.assertIn("kasus rekan", grid)
            self.assertNotIn(reverse("accompaniment:case", args=[case.pk]), grid)  # the case stays closed
            self.assertNotIn("Ruang Sidang Rahasia", grid)
        self.page(self.other_worker, reverse("accompaniment:case", args=[case.pk]), 404)
        home = self.page(self.other_worker, reverse("core:staff_home"))
        self.assertIn(f"23.00 · Sidang pengadilan · {case.number}", home)
        # The assigned worker still sees it on the case's calendar, with a link; a third worker nowhere.
        self.assertIn(reverse("accompaniment:case", args=[case.pk]),
                      self.grid(self.manager, reverse("accompaniment:worker_calendar",
                                                      args=[self.other_worker.pk]) + month))
        third = create_user(Role.CASE_WORKER, "pendamping-c")
        self.assertNotIn(case.number, self.grid(third, reverse("accompaniment:calendar") + month))
        self.assertNotIn(case.number, self.page(third, reverse("core:staff_home")))
