"""A case worker sees the reports of the cases assigned to them and the reports they filed, nothing else.

The rule is intake's ``Report.objects.visible_to``, widened by the grant the cases
app registers; every intake screen (list, detail, lookups, caller history,
duplicates, links) goes through it.
"""

from __future__ import annotations

from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.cases import actions as case_actions
from sigap.cases.tests.factories import create_case
from sigap.intake.access import get_report_for
from sigap.intake.actions import link_reports
from sigap.intake.models import Report
from sigap.intake.queries import caller_history, find_duplicates
from sigap.intake.tests.factories import REPORTER_PHONE, VICTIM_NIK, create_report
from sigap.lib.testing import SigapTestCase, create_user

LIST = reverse("intake:report_list")


def detail(report: Report) -> str:
    return reverse("intake:report_detail", args=[report.pk])


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len([q for q in captured.captured_queries
                if '"django_session"' not in q["sql"] and "SAVEPOINT" not in q["sql"]])


class CaseWorkerReportAccessTests(SigapTestCase):
    assigned: Report
    unassigned: Report
    elsewhere: Report
    colleague: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.colleague = create_user(Role.CASE_WORKER, "pendamping-lain")
        # Three reports by the same reporter phone (so they are each other's duplicates and
        # share the caller history): one in a case assigned to our case worker, one in no
        # case, one in a colleague's case.
        cls.assigned = create_report(cls.operator, victims=[{**_victim(), "nik": VICTIM_NIK}]).report
        cls.unassigned = create_report(cls.operator, victims=[{**_victim(), "nik": VICTIM_NIK}]).report
        cls.elsewhere = create_report(cls.operator).report
        create_case(cls.operator, reports=[cls.assigned], assign_to=cls.case_worker, manager=cls.manager)
        create_case(cls.operator, reports=[cls.elsewhere], assign_to=cls.colleague, manager=cls.manager)

    def test_the_rule_gives_a_case_worker_their_cases_reports_and_what_they_filed(self) -> None:
        own = create_report(self.case_worker).report
        self.assertEqual(set(Report.objects.visible_to(self.case_worker)), {self.assigned, own})
        self.assertEqual(set(Report.objects.visible_to(self.colleague)), {self.elsewhere})
        self.assertEqual(Report.objects.visible_to(self.operator).count(), 4)

    def test_unassigned_report_detail_is_404_and_the_assigned_one_opens(self) -> None:
        client = self.login(self.case_worker)
        self.assertEqual(client.get(detail(self.assigned)).status_code, 200)
        for report in (self.unassigned, self.elsewhere):
            self.assertEqual(client.get(detail(report)).status_code, 404)
            self.assertEqual(client.post(detail(report), {"vault_reveal": "1", "reason": "x"}).status_code, 404)

    def test_reassigning_the_case_moves_the_report_with_it(self) -> None:
        case = self.assigned.case_link.case
        case_actions.assign_case(case, self.colleague, by=self.manager)
        with self.assertRaises(Http404):
            get_report_for(self.case_worker, self.assigned.pk)
        self.assertEqual(get_report_for(self.colleague, self.assigned.pk), self.assigned)

    def test_list_shows_only_their_reports(self) -> None:
        client = self.login(self.case_worker)
        page = client.get(LIST)
        self.assertContains(page, self.assigned.registration_number)
        self.assertNotContains(page, self.unassigned.registration_number)
        self.assertNotContains(page, self.elsewhere.registration_number)
        # Asking for another report by number finds nothing.
        page = client.get(LIST, {"nomor": self.unassigned.registration_number})
        self.assertNotContains(page, self.unassigned.registration_number + "</a>")

    def test_my_work_leads_to_the_list(self) -> None:
        page = self.login(self.case_worker).get(reverse("cases:my_work"))
        self.assertContains(page, f'href="{LIST}"')

    def test_phone_lookup_on_the_list_finds_only_their_reports(self) -> None:
        client = self.login(self.case_worker)
        page = client.post(LIST, {"kind": "phone", "value": REPORTER_PHONE})
        self.assertContains(page, self.assigned.registration_number)
        self.assertNotContains(page, self.unassigned.registration_number)
        self.assertNotContains(page, self.elsewhere.registration_number)

    def test_list_queries_stay_bounded(self) -> None:
        client = self.login(self.case_worker)
        first = page_queries(client, LIST)
        for _ in range(6):
            report = create_report(self.operator).report
            create_case(self.operator, reports=[report], assign_to=self.case_worker, manager=self.manager)
            create_report(self.operator)  # and reports they may not see
        self.assertEqual(page_queries(client, LIST), first)

    def test_caller_history_lists_only_their_report_numbers(self) -> None:
        history = caller_history(REPORTER_PHONE, self.case_worker)
        self.assertEqual(history.registration_numbers, [self.assigned.registration_number])
        # The contact-screen answer (JSON) and its HTML carry no other number either.
        client = self.login(self.case_worker)
        body = client.post(reverse("intake:caller_check"), {"caller_phone": REPORTER_PHONE}).json()
        self.assertEqual(body["registration_numbers"], [self.assigned.registration_number])
        for other in (self.unassigned, self.elsewhere):
            self.assertNotIn(other.registration_number, body["html"])

    def test_duplicates_offer_only_reports_they_may_see(self) -> None:
        self.assertEqual(find_duplicates(self.assigned, self.case_worker), [])
        self.assertEqual({c.report for c in find_duplicates(self.assigned, self.operator)},
                         {self.unassigned, self.elsewhere})
        page = self.login(self.case_worker).get(detail(self.assigned))
        self.assertNotContains(page, self.unassigned.registration_number)
        self.assertNotContains(page, self.elsewhere.registration_number)

    def test_links_to_reports_they_may_not_see_are_left_out(self) -> None:
        link_reports(self.assigned, self.unassigned, by=self.operator, reason="Sama.")
        page = self.login(self.operator).get(detail(self.assigned))
        self.assertContains(page, self.unassigned.registration_number)
        page = self.login(self.case_worker, client=Client()).get(detail(self.assigned))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, self.unassigned.registration_number)


def _victim() -> dict[str, object]:
    from sigap.intake.tests.factories import report_payload

    victim: dict[str, object] = report_payload()["victims"][0]
    return victim
