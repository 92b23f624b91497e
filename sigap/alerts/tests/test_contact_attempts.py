"""A call-back that did not reach the person is an attempt: recorded, shown, counted as still open; the chain goes on."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.alerts import actions
from sigap.alerts.models import AlertState, ContactAttempt, ReportAlert
from sigap.alerts.tests.base import ReportEscalationCase
from sigap.cases import actions as case_actions
from sigap.intake.models import Contact
from sigap.vault.models import AuditEntry

PHONE = "081299887766"
NAME = "Ibu Kenanga Rahasia"


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def attempt(**overrides: Any) -> dict[str, Any]:
    data = {"pc-attempted_at": local(timezone.now()), "pc-channel": "telepon", "pc-result": "tidak_diangkat"}
    data.update({f"pc-{key}": value for key, value in overrides.items()})
    return data


class ContactAttemptTests(ReportEscalationCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = reverse("alerts:report_contact_attempt", args=[self.report.pk])
        self.alert_page = reverse("alerts:report_alert", args=[self.report.pk])
        self.report_page = reverse("intake:report_detail", args=[self.report.pk])

    def post(self, user: Any, data: dict[str, Any] | None = None) -> Any:
        return self.login(user, client=Client()).post(self.url, data or attempt())

    def test_an_attempt_is_recorded_with_who_and_when_and_does_not_end_the_chain(self) -> None:
        response = self.post(self.operator, {**attempt(note=f"{NAME} {PHONE}"), "kembali": "laporan"})
        self.assertRedirects(response, self.report_page, fetch_redirect_response=False)
        row = ContactAttempt.objects.get(report=self.report)
        self.assertEqual((row.by, row.channel, row.result), (self.operator, "telepon", "tidak_diangkat"))
        self.assertEqual(ReportAlert.objects.get(report=self.report).state, AlertState.OPEN)
        self.assertFalse(Contact.objects.filter(report=self.report, created_at__gt=self.report.created_at).exists())
        self.assertTrue(AuditEntry.objects.filter(action="alerts.contact_attempt_recorded", actor=self.operator)
                        .exists())
        # The chain goes on: the duty person is alerted at the deadline.
        self.assertEqual(self.run_at(1), {"operator"})

    def test_it_is_shown_on_the_report_and_alert_pages_without_a_name_or_number(self) -> None:
        self.post(self.operator, attempt(result="nomor_tidak_aktif", note=PHONE))
        for url in (self.report_page, self.alert_page):
            page = self.login(self.operator).get(url)
            self.assertContains(page, "Percobaan menghubungi")
            self.assertContains(page, "Nomor tidak aktif")
            self.assertContains(page, "· operator</li>")
            self.assertNotContains(page, PHONE)
            self.assertContains(page, "Simpan kontak pertama")  # still awaiting the first contact

    def test_it_counts_as_still_open_on_the_home_and_in_the_handover(self) -> None:
        self.post(self.operator)
        self.post(self.operator_b, attempt(result="bukan_waktu_aman"))
        home = self.login(self.operator).get(reverse("core:staff_home"))
        self.assertContains(home, "Belum berhasil dihubungi")
        self.assertContains(home, f"{self.report.registration_number} · 2 percobaan")
        self.assertContains(home, "bukan waktu aman")
        handover = self.login(self.operator).get(reverse("alerts:handover"))
        self.assertContains(handover, "Belum berhasil dihubungi (1)")
        self.assertContains(handover, "2 percobaan")
        # The first contact ends it: no longer counted as open.
        actions.record_first_contact(self.report, by=self.operator, channel="telepon", outcome="tindak_lanjut",
                                     started_at=timezone.now())
        handover = self.login(self.operator).get(reverse("alerts:handover"))
        self.assertNotContains(handover, "Belum berhasil dihubungi (")
        home = self.login(self.operator).get(reverse("core:staff_home"))
        self.assertNotContains(home, "2 percobaan")

    def test_only_who_may_record_the_first_contact_may_record_an_attempt(self) -> None:
        for user in (self.admin, self.data_officer, self.volunteer_a, self.partner, self.case_worker):
            self.assertEqual(self.post(user).status_code, 403, user.username)
        self.assertFalse(ContactAttempt.objects.exists())
        self.entry.duty = self.case_worker
        self.entry.save()
        self.assertEqual(self.post(self.case_worker).status_code, 302)

    def test_bad_input_is_refused_and_records_nothing(self) -> None:
        client = self.login(self.operator)
        for data, message in (
            (attempt(attempted_at=local(timezone.now() + datetime.timedelta(hours=2))), "masa depan"),
            (attempt(attempted_at=local(self.report.received_at - datetime.timedelta(days=1))), "sebelum laporan"),
            (attempt(result="diangkat"), "pilihan yang valid"),
            (attempt(channel="datang_langsung"), "pilihan yang valid"),
            (attempt(attempted_at="٢٠٢٦-١٢-٠٤T10:00"), "Tulis tanggal dan jam percobaan"),
            ({"pc-attempted_at": local(timezone.now()), "pc-channel": "telepon"}, "Pilih hasil percobaan"),
        ):
            self.assertContains(client.post(self.url, data), message, status_code=400)
        self.assertFalse(ContactAttempt.objects.exists())

    def test_once_a_case_is_opened_an_attempt_is_refused(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            case_actions.open_case([self.report], by=self.manager)
        response = self.post(self.operator)
        self.assertContains(response, "Kasus sudah dibuka", status_code=400)
        self.assertFalse(ContactAttempt.objects.exists())
