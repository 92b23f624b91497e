"""'Buka kasus' on the report page only for those who may open a case, and only while the report can become
one (issue 18 point 7); the awaiting list's numbers lead to the reports."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse

from sigap.cases import actions
from sigap.cases.models import Case
from sigap.intake.codes import ReportStatus
from sigap.intake.models import Report
from sigap.intake.tests.factories import create_report
from sigap.lib.testing import SigapTestCase

AWAITING = reverse("cases:awaiting_reports")


class OpenCaseLinkTests(SigapTestCase):
    def setUp(self) -> None:
        self.report = create_report(self.operator).report
        self.detail = reverse("intake:report_detail", args=[self.report.pk])

    def page(self, user: object) -> str:
        client = self.login(user)  # type: ignore[arg-type]
        response = client.get(self.detail)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_operators_and_managers_see_buka_kasus_on_a_report_without_a_case(self) -> None:
        for user in (self.operator, self.manager):
            with self.subTest(user=user.username):
                self.assertIn('id="open-case"', self.page(user))

    def test_a_case_worker_who_may_read_the_report_but_not_open_cases_does_not(self) -> None:
        own = create_report(self.case_worker).report
        page = self.login(self.case_worker).get(reverse("intake:report_detail", args=[own.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'id="open-case"')

    def test_a_report_already_in_a_case_has_no_buka_kasus(self) -> None:
        actions.open_case([self.report], by=self.operator)
        self.assertNotIn('id="open-case"', self.page(self.manager))

    def test_a_finished_report_has_none_and_one_being_handled_without_a_case_has_it(self) -> None:
        Report.objects.filter(pk=self.report.pk).update(status=ReportStatus.SELESAI)
        self.assertNotIn('id="open-case"', self.page(self.operator))
        Report.objects.filter(pk=self.report.pk).update(status=ReportStatus.DITANGANI)
        self.assertIn('id="open-case"', self.page(self.operator))

    def test_following_buka_kasus_ticks_the_report_and_opens_its_case(self) -> None:
        client = self.login(self.operator)
        link = f"{AWAITING}?pilih={self.report.pk}"
        self.assertContains(client.get(self.detail), f'href="{link}#report-{self.report.pk}"')
        awaiting = client.get(link)
        self.assertContains(awaiting, f'value="{self.report.pk}" id="report-{self.report.pk}" checked')
        response = client.post(link, {"reports": [self.report.pk]})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Case.objects.get().primary_report_id, self.report.pk)

    def test_the_chosen_report_is_on_the_awaiting_list_even_when_others_fill_it(self) -> None:
        later = create_report(self.operator).report
        Report.objects.filter(pk=later.pk).update(response_due_at=self.report.response_due_at.replace(year=2099))
        client = self.login(self.operator)
        with mock.patch("sigap.cases.views.AWAITING_ROWS", 1):
            self.assertNotContains(client.get(AWAITING), f'id="report-{later.pk}"')
            self.assertContains(client.get(f"{AWAITING}?pilih={later.pk}"),
                                f'value="{later.pk}" id="report-{later.pk}" checked')
            # A report that cannot become a case is not added by its id.
            actions.open_case([later], by=self.operator)
            self.assertNotContains(client.get(f"{AWAITING}?pilih={later.pk}"), f'id="report-{later.pk}"')
            for hostile in ("١", "9" * 40, "-1"):
                self.assertEqual(client.get(AWAITING, {"pilih": hostile}).status_code, 200)

    def test_the_awaiting_list_numbers_lead_to_the_reports(self) -> None:
        page = self.login(self.manager).get(AWAITING)
        url = reverse("intake:report_detail", args=[self.report.pk])
        self.assertContains(page, f'<a href="{url}">{self.report.registration_number}</a>', html=True)
