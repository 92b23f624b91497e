"""Nothing asked twice: a recorded contact and a volunteer's own form carry over into the report form."""

from __future__ import annotations

from django.urls import reverse

from sigap.intake.actions import record_contact
from sigap.intake.models import Contact, Report
from sigap.intake.prefill import prefill_for
from sigap.intake.tests.factories import create_report
from sigap.intake.tests.form_data import report_form_data
from sigap.intake.validation import ContactInput
from sigap.lib.testing import DESA_A, SigapTestCase
from sigap.network.models import Member, MemberKind

URL = reverse("intake:report_new")
VOLUNTEER_URL = reverse("intake:volunteer_report_new")
CALLER = "0812-3456-7890"
STORED = "+6281234567890"  # the contact keeps the number normalised
NOTE = "Ibu korban menelepon dari pasar, suara pelan."


def contact_by(user: object, **overrides: object) -> Contact:
    data = {"channel": "telepon", "outcome": "laporan_baru", "caller_phone": CALLER, "note": NOTE, **overrides}
    return record_contact(ContactInput.model_validate(data), by=user)


class ContactCarryOverTests(SigapTestCase):
    def test_laporan_baru_after_a_contact_opens_with_the_number_and_the_note(self) -> None:
        contact = contact_by(self.operator)
        self.login(self.operator)
        url = f"{URL}?contact={contact.pk}"
        self.assertNotIn(CALLER.replace("-", ""), url)  # only the id travels in the URL
        entry = self.client.get(url).context["entry"]
        self.assertEqual(entry.reporter["phone"].value(), STORED)
        self.assertEqual(entry.events.forms[0]["description"].value(), NOTE)
        self.assertEqual(entry.details["channel"].value(), "telepon")

    def test_the_contact_screen_sends_only_the_id(self) -> None:
        self.login(self.operator)
        response = self.client.post(reverse("intake:contact_new"), {
            "channel": "telepon", "caller_phone": CALLER, "outcome": "laporan_baru", "note": NOTE,
        })
        self.assertEqual(response.status_code, 302)
        self.assertRegex(response["Location"], r"\?contact=\d+$")

    def test_the_filed_report_keeps_the_number_sealed_and_attaches_the_contact(self) -> None:
        contact = contact_by(self.operator)
        self.login(self.operator)
        data = report_form_data(contact=str(contact.pk), **{"reporter-phone": CALLER})
        self.assertEqual(self.client.post(URL, data).status_code, 200)
        report = Report.objects.get()
        contact.refresh_from_db()
        self.assertEqual(contact.report_id, report.pk)
        assert report.reporter is not None
        self.assertEqual(report.reporter.phone, STORED)

    def test_who_may_carry_a_contact_over(self) -> None:
        contact = contact_by(self.operator)
        params = {"contact": str(contact.pk)}
        # the operator who recorded it, and whoever manages reports (they take over each other's calls)
        for user in (self.operator, self.manager):
            with self.subTest(user=user.username):
                self.assertEqual(prefill_for(params, user).reporter_phone, STORED)
        # a case worker who did not record it, a volunteer, an admin, the data officer: nothing
        for user in (self.case_worker, self.volunteer_a, self.admin, self.data_officer, self.partner):
            with self.subTest(user=user.username):
                prefill = prefill_for(params, user)
                self.assertIsNone(prefill.contact)
                self.assertNotEqual(prefill.reporter_phone, STORED)
                self.assertIsNone(prefill.description)
        # the case worker's page opens empty, without a 500
        self.login(self.case_worker)
        page = self.client.get(URL, params)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, NOTE)

    def test_a_contact_already_tied_to_a_report_or_a_bad_id_carries_nothing(self) -> None:
        contact = contact_by(self.operator)
        Contact.objects.filter(pk=contact.pk).update(report=create_report(by=self.operator).report)
        for raw in (str(contact.pk), "abc", "-1", "9" * 40):
            with self.subTest(raw=raw):
                prefill = prefill_for({"contact": raw}, self.operator)
                self.assertEqual((prefill.contact, prefill.reporter_phone, prefill.description), (None, None, None))


class VolunteerCarryOverTests(SigapTestCase):
    def test_a_volunteers_report_starts_with_the_volunteer_as_reporter(self) -> None:
        self.volunteer_a.first_name, self.volunteer_a.last_name = "Sri", "Relawati"
        self.volunteer_a.save()
        Member.objects.create(desa_id=DESA_A, kind=MemberKind.SAPA, name="Sri Relawati", phone="0813-1111-2222",
                              user=self.volunteer_a)
        self.login(self.volunteer_a)
        page = self.client.get(VOLUNTEER_URL)
        entry = page.context["entry"]
        self.assertEqual(entry.reporter["name"].value(), "Sri Relawati")
        self.assertEqual(entry.reporter["phone"].value(), "0813-1111-2222")
        self.assertEqual(entry.reporter["relation"].value(), "relawan")
        # editable: a posted other name wins
        data = report_form_data(channel=None, **{"reporter-name": "Nama Lain"})
        self.assertEqual(self.client.post(VOLUNTEER_URL, data).status_code, 200)
        report = Report.objects.get()
        assert report.reporter is not None
        self.assertEqual(report.reporter.name, "Nama Lain")

    def test_the_volunteer_form_hides_staff_only_fields(self) -> None:
        self.login(self.volunteer_a)
        page = self.client.get(VOLUNTEER_URL).content.decode()
        self.assertNotIn('name="channel"', page)
        # education, occupation and marital status are the staff's to record
        for name in ("victims-0-education", "victims-0-occupation", "victims-0-marital_status"):
            self.assertNotIn(f'name="{name}"', page)

    def test_staff_are_not_prefilled_as_reporters(self) -> None:
        prefill = prefill_for({}, self.operator)
        self.assertEqual((prefill.reporter_name, prefill.reporter_phone, prefill.reporter_relation),
                         (None, None, None))
