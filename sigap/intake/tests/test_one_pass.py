"""Every problem the server would refuse comes back in one round, on the staff and the volunteer forms too
(issue 20 point 1): beside each field and in the summary, with what was typed kept."""

from __future__ import annotations

from django.urls import reverse

from sigap.intake.models import Report
from sigap.intake.tests.form_data import report_form_data
from sigap.intake.tests.test_unknown_place import problems as summary
from sigap.lib.testing import DESA_B, SigapTestCase

STAFF_URL = reverse("intake:report_new")
VOLUNTEER_URL = reverse("intake:volunteer_report_new")


class StaffOnePassTests(SigapTestCase):
    def test_a_broken_date_a_missing_desa_a_missing_sex_and_a_late_entry_without_reason_come_together(self) -> None:
        self.login(self.operator)
        data = report_form_data(**{
            "chronology-0-date": "31-02-2026",  # no such day: a shape error
            "victims-0-desa": "",  # then the rules' errors, in the same round
            "victims-0-sex": "",
            "received_at": "2020-01-01T08:00",
            "chronology-0-description": "Uraian yang sudah diketik petugas.",
        })
        response = self.client.post(STAFF_URL, data)
        self.assertEqual(response.status_code, 400)
        found = summary(response)
        for field in ("id_chronology-0-date", "id_victims-0-desa", "id_victims-0-sex", "id_received_at",
                      "id_late_entry_reason"):
            self.assertIn(field, found)
        self.assertContains(response, "Uraian yang sudah diketik petugas.", status_code=400)
        self.assertFalse(Report.objects.exists())


class VolunteerOnePassTests(SigapTestCase):
    def test_another_desa_a_missing_event_desa_and_no_violence_type_come_together(self) -> None:
        self.login(self.volunteer_a)
        data = report_form_data(channel=None, **{"victims-0-desa": DESA_B, "chronology-0-desa": "",
                                                 "violence_types": None, "victims-0-age": ""})
        response = self.client.post(VOLUNTEER_URL, data)
        self.assertEqual(response.status_code, 400)
        found = summary(response)
        for field in ("id_victims-0-desa", "id_chronology-0-desa", "id_violence_types", "id_victims-0-birth_date"):
            self.assertIn(field, found)
        self.assertIn("desanya sendiri", found["id_victims-0-desa"])
        self.assertFalse(Report.objects.exists())
