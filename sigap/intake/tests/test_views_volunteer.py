"""Village volunteers: the report form on a phone, and only their own reports, coarse status only."""

from __future__ import annotations

from django.urls import reverse

from sigap.intake.models import Report
from sigap.intake.tests.factories import create_report
from sigap.intake.tests.form_data import report_form_data
from sigap.lib.testing import DESA_A, DESA_B, SigapTestCase

HOME = reverse("intake:volunteer_home")
NEW = reverse("intake:volunteer_report_new")


class VolunteerTests(SigapTestCase):
    own: Report
    neighbours: Report
    office: Report

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.own = create_report(cls.volunteer_a, channel="relawan").report
        cls.neighbours = create_report(cls.volunteer_b, channel="relawan",
                                       victims=[{**create_report_victim(), "desa": DESA_B}]).report
        cls.office = create_report(cls.operator).report

    def test_only_volunteers_have_a_village_report_list(self) -> None:
        self.assertAllowedOnly("get", HOME, [self.volunteer_a, self.volunteer_b])

    def test_the_list_shows_only_own_reports_with_number_date_and_coarse_status(self) -> None:
        self.login(self.volunteer_a)
        page = self.client.get(HOME)
        self.assertContains(page, self.own.registration_number)
        self.assertContains(page, "Diterima")
        self.assertNotContains(page, self.neighbours.registration_number)
        self.assertNotContains(page, self.office.registration_number)
        for secret in ("Siti", "Budi", "Risiko", "sedang"):
            self.assertNotContains(page, secret)

    def test_a_volunteer_cannot_open_another_villages_report_by_guessing_ids(self) -> None:
        self.login(self.volunteer_a)
        for report in (self.neighbours, self.office):
            self.assertEqual(self.client.get(reverse("intake:report_detail", args=[report.pk])).status_code, 404)
        for pk in range(1, self.office.pk + 3):
            status = self.client.get(reverse("intake:report_detail", args=[pk])).status_code
            self.assertEqual(status, 200 if pk == self.own.pk else 404, pk)

    def test_own_report_opens_with_the_coarse_status_only(self) -> None:
        self.login(self.volunteer_a)
        page = self.client.get(reverse("intake:report_detail", args=[self.own.pk]))
        self.assertContains(page, self.own.registration_number)
        self.assertContains(page, "Diterima")
        for secret in ("Siti", "Budi", "Uraian", "Risiko", "Pelapor R-"):
            self.assertNotContains(page, secret)

    def test_the_form_preselects_the_volunteers_desa_and_files_on_the_relawan_channel(self) -> None:
        self.login(self.volunteer_a)
        page = self.client.get(NEW)
        self.assertContains(page, f'<option value="{DESA_A}" selected>', html=False)
        self.assertNotContains(page, 'name="channel"')
        response = self.client.post(NEW, report_form_data(channel=None))
        self.assertEqual(response.status_code, 200)
        report = Report.objects.latest("pk")
        self.assertEqual(report.channel, "relawan")
        self.assertEqual(report.submitted_by, self.volunteer_a)
        self.assertContains(response, report.registration_number)
        self.assertContains(response, response.context["submitted"].pin)
        self.assertNotContains(response, "Risiko")

    def test_volunteer_bad_input_saves_nothing(self) -> None:
        self.login(self.volunteer_a)
        before = Report.objects.count()
        response = self.client.post(NEW, report_form_data(channel=None, **{"victims-0-sex": ""}))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Report.objects.count(), before)

    def test_volunteers_cannot_reach_staff_screens(self) -> None:
        self.login(self.volunteer_a)
        for name in ("intake:report_list", "intake:report_new", "intake:contact_new"):
            self.assertEqual(self.client.get(reverse(name)).status_code, 403, name)


def create_report_victim() -> dict[str, object]:
    from sigap.intake.tests.factories import adult_victim

    return adult_victim()
