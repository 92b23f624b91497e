"""Village volunteers: the report form on a phone, and only their own reports, coarse status only."""

from __future__ import annotations

import json

from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.intake.actions import submit_report
from sigap.intake.api import issue_token
from sigap.intake.models import RegistrationCounter, Report
from sigap.intake.tests.factories import OTHER_DISTRICT_DESA, create_report, report_payload
from sigap.intake.tests.form_data import report_form_data
from sigap.intake.validation import ReportInput, ReportInvalid
from sigap.lib.testing import DESA_A, DESA_B, SigapTestCase
from sigap.network.models import Member, MemberKind

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


class VolunteerOwnDesaTests(SigapTestCase):
    """A volunteer files village reports only for their own desa: the form and the action refuse others."""

    def _refused_form(self, **overrides: object) -> None:
        self.login(self.volunteer_a)
        before = (Report.objects.count(), RegistrationCounter.objects.aggregate(n=Sum("last_value"))["n"])
        response = self.client.post(NEW, report_form_data(channel=None, **overrides))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "desanya sendiri", status_code=400)
        self.assertEqual((Report.objects.count(), RegistrationCounter.objects.aggregate(n=Sum("last_value"))["n"]),
                         before)

    def test_the_form_offers_only_the_volunteers_desa_for_victims(self) -> None:
        self.login(self.volunteer_a)
        entry = self.client.get(NEW).context["entry"]
        victim_choices = [c for c in entry.victims.forms[0].fields["desa"].widget.choices]
        # their own desa, or "not known" (the report is then flagged for follow-up)
        self.assertEqual([code for code, _name in victim_choices], [DESA_A, "tidak-tahu"])
        self.assertEqual([code for code, _n in entry.victims.empty_form.fields["desa"].widget.choices],
                         [DESA_A, "tidak-tahu"])
        page = self.client.get(NEW)
        self.assertNotContains(page, 'name="victims-0-desa_other"')
        self.assertContains(page, 'name="chronology-0-desa_other"')  # events may happen elsewhere
        self.assertContains(page, f'<option value="{DESA_B}"')  # in the event rows' list

    def test_the_form_refuses_a_victim_in_another_desa_and_stores_nothing(self) -> None:
        self._refused_form(**{"victims-0-desa": DESA_B})

    def test_the_form_refuses_a_desa_of_another_district_typed_as_a_code(self) -> None:
        self._refused_form(**{"victims-0-desa": "lain", "victims-0-desa_other": OTHER_DISTRICT_DESA})

    def test_the_refusal_comes_with_the_other_messages_in_one_round(self) -> None:
        self.login(self.volunteer_a)
        response = self.client.post(NEW, report_form_data(channel=None, **{"victims-0-desa": DESA_B,
                                                                           "victims-0-sex": ""}))
        self.assertContains(response, "desanya sendiri", status_code=400)
        self.assertTrue(response.context["entry"].formsets["victims"].forms[0].errors.get("sex"))
        self.assertEqual(Report.objects.count(), 0)

    def test_the_action_refuses_another_desa(self) -> None:
        payload = report_payload(victims=[{**report_payload()["victims"][0], "desa": DESA_B}])
        with self.assertRaises(ReportInvalid) as caught:
            submit_report(ReportInput.model_validate(payload), by=self.volunteer_a)
        self.assertIn("desanya sendiri", caught.exception.fields["victims.0.desa"])
        self.assertEqual(Report.objects.count(), 0)

    def test_every_victim_must_live_in_the_desa_but_events_may_happen_elsewhere(self) -> None:
        victim = report_payload()["victims"][0]
        payload = report_payload(victims=[victim, {**victim, "name": "Ani Contoh", "desa": DESA_B}])
        with self.assertRaises(ReportInvalid) as caught:
            submit_report(ReportInput.model_validate(payload), by=self.volunteer_a)
        self.assertEqual(set(caught.exception.fields), {"victims.1.desa"})
        chronology = [{**report_payload()["chronology"][0], "desa": DESA_B}]
        report = submit_report(ReportInput.model_validate(report_payload(chronology=chronology)),
                               by=self.volunteer_a).report
        self.assertEqual(report.desa_id, DESA_A)

    def test_staff_file_for_any_desa(self) -> None:
        payload = report_payload(victims=[{**report_payload()["victims"][0], "desa": DESA_B}])
        for user in (self.operator, self.case_worker, self.manager):
            submit_report(ReportInput.model_validate(payload), by=user)
        self.assertEqual(Report.objects.filter(desa_id=DESA_B).count(), 3)

    def test_the_api_refuses_another_desa_with_a_json_error(self) -> None:
        token = issue_token(self.volunteer_a)
        payload = report_payload(victims=[{**report_payload()["victims"][0], "desa": DESA_B}])
        response = Client().post("/api/v1/reports", json.dumps(payload), content_type="application/json",
                                 headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("victims.0.desa", response.json()["error"]["fields"])
        self.assertEqual(Report.objects.count(), 0)

    def test_a_network_membership_elsewhere_or_ended_refuses_every_desa(self) -> None:
        member = Member.objects.create(desa_id=DESA_B, kind=MemberKind.PATBM, name="Relawan Contoh",
                                       user=self.volunteer_a)
        with self.assertRaises(ReportInvalid):
            submit_report(ReportInput.model_validate(report_payload()), by=self.volunteer_a)
        Member.objects.filter(pk=member.pk).update(desa_id=DESA_A, left_at=timezone.now())
        with self.assertRaises(ReportInvalid):
            submit_report(ReportInput.model_validate(report_payload()), by=self.volunteer_a)
        Member.objects.filter(pk=member.pk).update(left_at=None)
        submit_report(ReportInput.model_validate(report_payload()), by=self.volunteer_a)
        self.assertEqual(Report.objects.count(), 1)


def create_report_victim() -> dict[str, object]:
    from sigap.intake.tests.factories import adult_victim

    return adult_victim()
