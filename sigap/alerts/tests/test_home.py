"""The "Hari ini" home per role: who sees what."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.alerts import actions
from sigap.alerts.tests.base import AlertsTestCase
from sigap.cases import actions as case_actions
from sigap.intake.models import Report


class HomeTests(AlertsTestCase):
    def home(self, user: object) -> str:
        response = self.login(user, client=Client()).get(reverse("core:staff_home"))  # type: ignore[arg-type]
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_operator_sees_new_unacknowledged_reports_in_deadline_order(self) -> None:
        low = self.file()
        high = self.file(injury_needs_care=True)
        page = self.home(self.operator)
        self.assertIn("Laporan baru belum ditangani", page)
        self.assertLess(page.index(high.registration_number), page.index(low.registration_number))
        self.assertIn("sisa 59 menit", page)
        self.assertIn("Percakapan menunggu balasan", page)
        self.assertNotIn("Tugas kasus lewat tenggat", page)
        actions.acknowledge(high.alert, by=self.operator)
        self.assertNotIn(high.registration_number, self.home(self.operator))

    def test_manager_sees_overdue_reports_cases_without_worker_approvals_and_roster_gaps(self) -> None:
        overdue = self.file()
        Report.objects.filter(pk=overdue.pk).update(response_due_at=timezone.now() - datetime.timedelta(hours=2))
        other = self.file()
        with self.captureOnCommitCallbacks(execute=True):
            case = case_actions.open_case([other], by=self.manager)
        page = self.home(self.manager)
        for title in ("Laporan lewat batas respons", "Tugas kasus lewat tenggat", "Kasus tanpa pendamping",
                      "Menunggu persetujuan Anda", "Kekosongan jadwal piket berikutnya"):
            self.assertIn(title, page)
        self.assertIn(overdue.registration_number, page)
        self.assertIn("lewat 2 jam", page)
        self.assertIn(case.number, page)
        self.plan_now()
        self.assertIn(reverse("alerts:roster"), self.home(self.manager))

    def test_case_worker_sees_own_tasks_and_new_assignments_not_the_hotline(self) -> None:
        report = self.file()
        with self.captureOnCommitCallbacks(execute=True):
            case = case_actions.open_case([report], by=self.manager)
            case_actions.assign_case(case, self.case_worker, by=self.manager)
        page = self.home(self.case_worker)
        self.assertIn("Tugas saya hari ini dan yang lewat tenggat", page)
        self.assertIn("Penugasan baru", page)
        self.assertIn(case.number, page)
        self.assertNotIn("Laporan baru belum ditangani", page)
        self.assertNotIn("Kasus tanpa pendamping", page)
        # On duty, a case worker sees the hotline sections too.
        self.plan_now(duty=self.case_worker)
        self.assertIn("Laporan baru belum ditangani", self.home(self.case_worker))

    def test_volunteer_sees_only_their_reports_coarse_status(self) -> None:
        mine = self.file(by=self.volunteer_a)
        theirs = self.file()
        page = self.home(self.volunteer_a)
        self.assertIn("Laporan yang saya kirim", page)
        self.assertIn(mine.registration_number, page)
        self.assertIn("Diterima", page)
        self.assertNotIn(theirs.registration_number, page)
        self.assertNotIn("Laporan baru belum ditangani", page)

    def test_roles_without_sections_keep_the_menu(self) -> None:
        self.file()
        for user in (self.admin, self.data_officer, self.partner):
            page = self.home(user)
            self.assertNotIn("Laporan baru belum ditangani", page)
            self.assertNotIn("today-section", page)

    def test_the_home_in_english(self) -> None:
        self.file()
        client = self.login(self.operator)
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        page = client.get(reverse("core:staff_home"))
        self.assertContains(page, "New reports not yet taken")
        self.assertContains(page, "hours left")
