"""The case worker's "Hari ini" shows their appointments of the day, and only theirs."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.accompaniment import actions
from sigap.accompaniment.tests.factories import plain_case
from sigap.lib.testing import SigapTestCase


class TodayAppointmentsTests(SigapTestCase):
    def home(self, user: object) -> str:
        response = self.login(user, client=Client()).get(reverse("core:staff_home"))  # type: ignore[arg-type]
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_case_worker_sees_todays_appointment_without_its_place(self) -> None:
        case = plain_case(self)
        later_today = timezone.localtime().replace(hour=23, minute=30, second=0, microsecond=0)
        tomorrow = later_today + datetime.timedelta(days=1)
        actions.schedule_appointment(case, by=self.case_worker, kind="konseling", starts_at=later_today,
                                     worker=self.case_worker, place="Ruang Contoh Rahasia")
        actions.schedule_appointment(case, by=self.case_worker, kind="sidang", starts_at=tomorrow,
                                     worker=self.case_worker)
        page = self.home(self.case_worker)
        self.assertIn("Jadwal pendampingan hari ini", page)
        self.assertIn(f"23.30 · Sesi konseling · {case.number}", page)
        self.assertIn(reverse("accompaniment:case", args=[case.pk]), page)
        self.assertNotIn("Sidang pengadilan", page)  # tomorrow's is not today's
        self.assertNotIn("Ruang Contoh Rahasia", page)

    def test_roles_that_do_not_work_cases_see_no_appointments(self) -> None:
        for user in (self.operator, self.data_officer):
            self.assertNotIn("Jadwal pendampingan hari ini", self.home(user))
