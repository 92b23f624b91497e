"""Kontak baru: recording a call and seeing at once whether the number called before."""

from __future__ import annotations

from django.urls import reverse

from sigap.intake.models import Contact
from sigap.intake.tests.factories import REPORTER_PHONE, create_report
from sigap.intake.tests.form_data import contact_form_data
from sigap.lib.testing import SigapTestCase

URL = reverse("intake:contact_new")
CHECK_URL = reverse("intake:caller_check")


class ContactScreenTests(SigapTestCase):
    def test_only_those_who_record_contacts_reach_the_screen(self) -> None:
        self.assertAllowedOnly("get", URL, [self.manager, self.case_worker, self.operator])

    def test_only_those_who_record_contacts_may_check_a_number(self) -> None:
        self.assertAllowedOnly("post", CHECK_URL, [self.manager, self.case_worker, self.operator],
                               data={"caller_phone": "0812-0000-2222"})

    def test_the_form_starts_now_on_the_phone_channel(self) -> None:
        self.login(self.operator)
        page = self.client.get(URL)
        self.assertContains(page, 'value="telepon" selected')
        self.assertContains(page, 'type="datetime-local"')
        self.assertContains(page, "Cek nomor")

    def test_operator_records_a_call_that_needs_no_report(self) -> None:
        self.login(self.operator)
        response = self.client.post(URL, contact_form_data())
        self.assertRedirects(response, URL)
        contact = Contact.objects.get()
        self.assertEqual(contact.operator, self.operator)
        self.assertEqual(contact.duration_seconds, 270)
        self.assertEqual(contact.caller_phone, "+6281200002222")
        self.assertEqual(contact.outcome, "informasi")
        self.assertIsNone(contact.report)

    def test_outcome_new_report_leads_to_the_report_form_with_the_contact(self) -> None:
        self.login(self.operator)
        response = self.client.post(URL, contact_form_data(outcome="laporan_baru"))
        contact = Contact.objects.get()
        self.assertRedirects(response, reverse("intake:report_new") + f"?contact={contact.pk}")
        form = self.client.get(response["Location"])
        self.assertContains(form, f'name="contact" value="{contact.pk}"')

    def test_bad_input_shows_indonesian_errors_and_saves_nothing(self) -> None:
        self.login(self.operator)
        response = self.client.post(
            URL, contact_form_data(caller_phone="12", duration="lama", outcome="", channel="merpati")
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Tulis durasi sebagai menit", status_code=400)
        self.assertFalse(Contact.objects.exists())

    def test_unknown_code_and_bad_number_are_reported_next_to_their_fields(self) -> None:
        self.login(self.operator)
        response = self.client.post(URL, contact_form_data(channel="merpati"))
        self.assertContains(response, "Nilai tidak dikenal", status_code=400)
        response = self.client.post(URL, contact_form_data(caller_phone="12"))
        self.assertContains(response, "Nomor telepon tidak sah.", status_code=400)
        self.assertFalse(Contact.objects.exists())

    def test_check_without_javascript_shows_the_history_and_saves_nothing(self) -> None:
        create_report(self.operator)  # reporter phone REPORTER_PHONE
        self.login(self.operator)
        self.client.post(URL, contact_form_data(caller_phone=REPORTER_PHONE, do_not_call_back="on"))
        count = Contact.objects.count()
        response = self.client.post(URL, contact_form_data(caller_phone="+62 812 0000 1111", action="check"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Nomor ini pernah menghubungi 1 kali.")
        self.assertContains(response, "JANGAN TELEPON BALIK")
        self.assertContains(response, "1811-")  # the linked registration number
        self.assertEqual(Contact.objects.count(), count)

    def test_check_of_a_new_number_says_so(self) -> None:
        self.login(self.operator)
        response = self.client.post(CHECK_URL, {"caller_phone": "0813 9999 0000"})
        body = response.json()
        self.assertTrue(body["ok"])
        self.assertFalse(body["known"])
        self.assertIn("belum pernah menghubungi", body["html"])

    def test_json_check_returns_counts_dates_numbers_and_flags(self) -> None:
        submitted = create_report(self.operator)
        self.login(self.operator)
        self.client.post(URL, contact_form_data(caller_phone=REPORTER_PHONE))
        self.client.post(URL, contact_form_data(caller_phone=REPORTER_PHONE, do_not_call_back="on"))
        body = self.client.post(CHECK_URL, {"caller_phone": "6281200001111"}).json()
        self.assertEqual(body["contact_count"], 2)
        self.assertEqual(body["registration_numbers"], [submitted.registration_number])
        self.assertTrue(body["do_not_call_back"])
        self.assertIsNotNone(body["last_contact_at"])

    def test_number_check_is_post_only(self) -> None:
        self.login(self.operator)
        self.assertEqual(self.client.get(CHECK_URL, {"caller_phone": "0812"}).status_code, 405)

    def test_unreadable_number_gets_a_message_not_an_error(self) -> None:
        self.login(self.operator)
        body = self.client.post(CHECK_URL, {"caller_phone": "abc"}).json()
        self.assertFalse(body["ok"])
        self.assertIn("Nomor telepon tidak sah.", body["html"])
