"""Accept what the person knows: an unknown desa, an unknown hour; every problem in one round."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from sigap.intake import api as intake_api
from sigap.intake.api import issue_token
from sigap.intake.codes import Authority
from sigap.intake.models import ChronologyEvent, Report, Victim
from sigap.intake.tests.factories import create_report, report_payload
from sigap.intake.tests.form_data import report_form_data
from sigap.lib.testing import SigapTestCase
from sigap.vault.models import AuditEntry

UNKNOWN = "tidak-tahu"
PUBLIC_URL = reverse("intake:public_report")
STAFF_URL = reverse("intake:report_new")
VOLUNTEER_URL = reverse("intake:volunteer_report_new")


def problems(response: object) -> dict[str, str]:
    """{field id: message} of the error summary."""
    entry = response.context["entry"]  # type: ignore[attr-defined]
    return {target: message for target, _label, message in entry.error_list}


class PublicUnknownPlaceTests(SigapTestCase):
    def test_the_public_may_say_they_do_not_know_the_desa_and_the_hour(self) -> None:
        data = report_form_data(public=True, **{"victims-0-desa": UNKNOWN, "chronology-0-desa": UNKNOWN,
                                                "chronology-0-time": ""})
        response = self.client.post(PUBLIC_URL, data)
        self.assertEqual(response.status_code, 200, problems(response) if response.status_code == 400 else "")
        report = Report.objects.get()
        self.assertTrue(report.place_unknown)
        self.assertEqual(report.authority, Authority.UNDECIDED)  # staff decide
        self.assertIsNone(report.desa_id)
        self.assertEqual(report.kecamatan_code, "")
        victim = Victim.objects.get()
        self.assertIsNone(victim.desa_id)
        event = ChronologyEvent.objects.get()
        self.assertIsNone(event.desa_id)
        self.assertFalse(event.time_known)
        self.assertRegex(event.when_display(), r"^\d{1,2} \w+ \d{4}, jam tidak diketahui$")
        self.assertNotIn("00:00", event.when_display())

    def test_the_list_offers_tidak_tahu_to_the_public(self) -> None:
        page = self.client.get(PUBLIC_URL)
        self.assertContains(page, f'<option value="{UNKNOWN}">Tidak tahu</option>', html=True)
        self.assertNotContains(page, "desa_unknown_reason")  # no reason asked of the public

    def test_three_problems_come_back_in_one_round_with_what_was_typed(self) -> None:
        data = report_form_data(public=True, **{
            "victims-0-age": "", "victims-0-desa": "", "chronology-0-desa": "", "violence_types": None,
            "chronology-0-description": "Cerita yang sudah diketik.",
        })
        response = self.client.post(PUBLIC_URL, data)
        self.assertEqual(response.status_code, 400)
        found = problems(response)
        for field in ("id_victims-0-birth_date", "id_victims-0-desa", "id_chronology-0-desa", "id_violence_types"):
            self.assertIn(field, found)
        self.assertIn("tidak tahu", found["id_victims-0-desa"])
        self.assertContains(response, "Cerita yang sudah diketik.", status_code=400)
        self.assertFalse(Report.objects.exists())


class StaffUnknownPlaceTests(SigapTestCase):
    def setUp(self) -> None:
        self.login(self.operator)

    def test_staff_mark_a_desa_unknown_only_with_a_reason_in_the_same_round_as_other_problems(self) -> None:
        data = report_form_data(**{"victims-0-desa": UNKNOWN, "chronology-0-desa": UNKNOWN,
                                   "reporter-name": "", "violence_types": None})
        response = self.client.post(STAFF_URL, data)
        self.assertEqual(response.status_code, 400)
        found = problems(response)
        self.assertEqual(set(found), {"id_reporter-name", "id_victims-0-desa_unknown_reason",
                                      "id_chronology-0-desa_unknown_reason", "id_violence_types"})
        self.assertFalse(Report.objects.exists())

    def test_with_a_reason_the_report_is_filed_and_the_reason_sealed(self) -> None:
        data = report_form_data(**{"victims-0-desa": UNKNOWN,
                                   "victims-0-desa_unknown_reason": "Penelepon baru pindah, belum tahu nama desa."})
        response = self.client.post(STAFF_URL, data)
        self.assertEqual(response.status_code, 200)
        report = Report.objects.get()
        self.assertTrue(report.place_unknown)
        # where the victim lives is not known, so whether the case crosses a border is not either: staff decide
        self.assertEqual(report.authority, Authority.UNDECIDED)
        victim = Victim.objects.get()
        self.assertEqual(victim.desa_unknown_reason, "Penelepon baru pindah, belum tahu nama desa.")
        detail = self.client.get(reverse("intake:report_detail", args=[report.pk]))
        self.assertContains(detail, "tempat kejadian: pastikan")


class VolunteerUnknownPlaceTests(SigapTestCase):
    def test_a_volunteer_may_say_tidak_tahu_without_a_reason(self) -> None:
        self.login(self.volunteer_a)
        data = report_form_data(**{"victims-0-desa": UNKNOWN, "chronology-0-desa": UNKNOWN, "channel": None})
        response = self.client.post(VOLUNTEER_URL, data)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(Report.objects.get().place_unknown)


class ApiUnknownPlaceTests(SigapTestCase):
    def post(self, body: dict[str, object]) -> object:
        intake_api.lookup_limiter.reset()
        return Client().post("/api/v1/reports", json.dumps(body), content_type="application/json",
                             headers={"Authorization": f"Bearer {issue_token(self.operator)}"})

    def test_a_missing_desa_is_still_refused(self) -> None:
        body = report_payload()
        del body["victims"][0]["desa"]
        response = self.post(body)
        self.assertEqual(response.status_code, 422)  # type: ignore[attr-defined]
        self.assertIn("victims.0.desa", response.json()["error"]["fields"])  # type: ignore[attr-defined]

    def test_unknown_with_a_reason_is_accepted(self) -> None:
        body = report_payload()
        body["victims"][0].update(desa=None, desa_unknown=True)
        refused = self.post(body)
        self.assertEqual(refused.status_code, 422)  # type: ignore[attr-defined]
        self.assertIn("victims.0.desa_unknown_reason", refused.json()["error"]["fields"])  # type: ignore[attr-defined]
        body["victims"][0]["desa_unknown_reason"] = "Belum diketahui."
        self.assertEqual(self.post(body).status_code, 201)  # type: ignore[attr-defined]


class DecideAuthorityTests(SigapTestCase):
    def test_managers_and_operators_decide_the_authority_of_a_report(self) -> None:
        report = create_report(by=self.operator).report
        Report.objects.filter(pk=report.pk).update(authority=Authority.UNDECIDED, place_unknown=True)
        url = reverse("intake:report_authority", args=[report.pk])
        self.assertAllowedOnly("post", url, [self.manager, self.operator],
                               {"authority": "sendiri", "reason": "Desa korban sudah dipastikan."})
        report.refresh_from_db()
        self.assertEqual(report.authority, Authority.OWN)
        self.assertTrue(AuditEntry.objects.filter(action="intake.authority_decided").exists())

    def test_a_bad_choice_changes_nothing(self) -> None:
        report = create_report(by=self.operator).report
        Report.objects.filter(pk=report.pk).update(authority=Authority.UNDECIDED)
        self.login(self.manager)
        response = self.client.post(reverse("intake:report_authority", args=[report.pk]),
                                    {"authority": "belum", "reason": "Belum tahu."})
        self.assertEqual(response.status_code, 400)
        report.refresh_from_db()
        self.assertEqual(report.authority, Authority.UNDECIDED)
