"""Identifier lookups (caller check, report-list and case-list lookups) are no oracle for masked numbers.

Security review finding 1: every lookup by a typed phone number or NIK is
limited per user, audited without the value (with how many reports matched),
the managers are told when a user reaches the limit, and masks keep only the
last three digits, so what a page shows does not narrow a search.
"""

from __future__ import annotations

from django.test import Client, override_settings
from django.urls import reverse

from sigap.core.models import Notification
from sigap.intake.channels.conversations.views import masked
from sigap.intake.tests.factories import REPORTER_PHONE, create_report
from sigap.lib.testing import SigapTestCase, create_user
from sigap.vault import masking
from sigap.vault.models import AuditEntry

CHECK_URL = reverse("intake:caller_check")
CONTACT_URL = reverse("intake:contact_new")
LIST_URL = reverse("intake:report_list")
CASES_URL = reverse("cases:case_list")
LIMIT = override_settings(SIGAP_IDENTIFIER_LOOKUPS_PER_HOUR=3, SIGAP_IDENTIFIER_LOOKUPS_PER_DAY=100)


class CallerCheckLimitTests(SigapTestCase):
    @LIMIT
    def test_the_caller_check_stops_answering_past_the_limit_and_the_managers_are_told(self) -> None:
        submitted = create_report(self.operator)  # reporter phone REPORTER_PHONE
        client = self.login(self.operator)
        with self.captureOnCommitCallbacks(execute=True):
            for _i in range(3):
                body = client.post(CHECK_URL, {"caller_phone": REPORTER_PHONE}).json()
                self.assertIn(submitted.report.registration_number, body["registration_numbers"])
            refused = client.post(CHECK_URL, {"caller_phone": REPORTER_PHONE})
            client.post(CHECK_URL, {"caller_phone": "0812 9999 0001"})
        self.assertEqual(refused.status_code, 429)
        body = refused.json()
        self.assertFalse(body["ok"])
        self.assertNotIn("registration_numbers", body)
        self.assertNotIn(submitted.report.registration_number, body["html"])
        self.assertIn("Batas pencarian", body["html"])
        # Every lookup that ran is audited with how many matched, never the number.
        checks = AuditEntry.objects.filter(action="intake.contact.caller_check", actor=self.operator)
        self.assertEqual(checks.count(), 3)
        self.assertEqual(set(checks.values_list("reason", flat=True)), {"phone; matched=1"})
        self.assertEqual(AuditEntry.objects.filter(action="intake.identifier_lookup.refused").count(), 2)
        for entry in AuditEntry.objects.all():
            self.assertNotIn("1111", entry.reason + entry.object_id)
        # One notice per user and hour, to the manager, naming the user and no number.
        notice = Notification.objects.get(kind="intake.identifier_lookup_limit")
        self.assertEqual(notice.recipient, self.manager)
        self.assertIn(self.operator.username, notice.text)
        self.assertNotIn("0812", notice.text)

    @LIMIT
    def test_the_limit_is_per_user(self) -> None:
        client = self.login(self.operator)
        for _i in range(4):
            client.post(CHECK_URL, {"caller_phone": "0812 9999 0001"})
        self.assertEqual(client.post(CHECK_URL, {"caller_phone": "0812 9999 0001"}).status_code, 429)
        other = create_user("operator", "operator-2")
        self.assertEqual(self.login(other, client=Client()).post(
            CHECK_URL, {"caller_phone": "0812 9999 0001"}).status_code, 200)

    @LIMIT
    def test_the_check_without_javascript_counts_too(self) -> None:
        client = self.login(self.operator)
        data = {"caller_phone": "0812 9999 0001", "action": "check", "channel": "telepon"}
        for _i in range(3):
            self.assertEqual(client.post(CONTACT_URL, data).status_code, 200)
        response = client.post(CONTACT_URL, data)
        self.assertContains(response, "Batas pencarian", status_code=429)


class ListLookupLimitTests(SigapTestCase):
    @LIMIT
    def test_the_report_list_lookup_is_limited_and_audited_with_the_match_count(self) -> None:
        submitted = create_report(self.operator)
        client = self.login(self.manager)
        for _i in range(3):
            page = client.post(LIST_URL, {"kind": "phone", "value": REPORTER_PHONE})
            self.assertContains(page, submitted.report.registration_number)
        refused = client.post(LIST_URL, {"kind": "phone", "value": REPORTER_PHONE})
        self.assertContains(refused, "Batas pencarian", status_code=429)
        self.assertFalse(refused.context["looked_up"])
        self.assertNotContains(refused, "Hasil pencarian", status_code=429)
        reasons = AuditEntry.objects.filter(action="intake.report.lookup_phone").values_list("reason", flat=True)
        self.assertEqual(list(reasons), ["phone; matched=1"] * 3)

    @LIMIT
    def test_the_case_list_lookup_shares_the_same_budget(self) -> None:
        client = self.login(self.manager)
        for _i in range(3):
            client.post(LIST_URL, {"kind": "nik", "value": "1811014101140001"})
        refused = client.post(CASES_URL, {"nik": "1811014101140001"})
        self.assertContains(refused, "Batas pencarian", status_code=429)
        self.assertFalse(AuditEntry.objects.filter(action="cases.identifier_lookup").exists())


class MaskTests(SigapTestCase):
    def test_a_masked_phone_shows_only_its_last_three_digits(self) -> None:
        self.assertEqual(masking.mask_phone("0813-1234-2222"), "****222")
        self.assertEqual(masking.mask_phone("+62 812-7185-7372"), "****372")
        self.assertEqual(masking.mask_phone("12"), "****")
        self.assertEqual(masked("+6281234567890"), "••••890")
        self.assertEqual(masked("+1415"), "••••")

    def test_a_masked_nik_hides_the_birth_date_and_the_serial(self) -> None:
        # Digits 7-12 are the birth date (women +40), 13-16 the serial: none of them shows.
        self.assertEqual(masking.mask_nik("1811014507890003"), "181101**********")

    def test_the_report_page_shows_the_reporter_phone_with_three_digits(self) -> None:
        submitted = create_report(self.operator)
        page = self.login(self.operator).get(reverse("intake:report_detail", args=[submitted.report.pk]))
        self.assertContains(page, "****111")
        self.assertNotContains(page, "0812****")
