""""Kontak pertama dilakukan" before a case exists: who may record it, bad input, and the chain it stops."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from sigap.alerts import actions
from sigap.alerts.models import AlertEnd, AlertState, ReportAlert
from sigap.alerts.tests.base import AlertsTestCase, ReportEscalationCase
from sigap.cases import actions as case_actions
from sigap.core.models import Notification
from sigap.intake.models import Contact
from sigap.vault.models import AuditEntry

HIGH = {"injury_needs_care": True}
NOTE = "Ibu Kenanga Rahasia dihubungi di rumah adiknya"


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form(**overrides: Any) -> dict[str, Any]:
    data = {"kp-started_at": local(timezone.now()), "kp-channel": "telepon", "kp-outcome": "tindak_lanjut",
            "kp-note": NOTE}
    data.update({f"kp-{key}": value for key, value in overrides.items()})
    return data


class FirstContactAccessTests(AlertsTestCase):
    def setUp(self) -> None:
        self.report = self.file(**HIGH)
        self.url = reverse("alerts:report_first_contact", args=[self.report.pk])

    def post(self, user: Any, data: dict[str, Any] | None = None, **extra: Any) -> Any:
        client = self.login(user, client=Client())
        with self.captureOnCommitCallbacks(execute=True):
            return client.post(self.url, data or form(), **extra)

    def test_the_operator_and_the_manager_may_record_it(self) -> None:
        self.assertEqual(self.post(self.operator).status_code, 302)
        contact = Contact.objects.get(report=self.report, created_at__gt=self.report.created_at)
        self.assertEqual((contact.operator, contact.channel, contact.outcome, contact.note),
                         (self.operator, "telepon", "tindak_lanjut", NOTE))
        other = self.file()
        self.url = reverse("alerts:report_first_contact", args=[other.pk])
        self.assertEqual(self.post(self.manager).status_code, 302)

    def test_nobody_outside_the_hotline_team_may(self) -> None:
        for user in (self.admin, self.data_officer, self.volunteer_a, self.partner):
            self.assertEqual(self.post(user).status_code, 403, user.username)
        self.assertEqual(Client().post(self.url, form()).status_code, 302)  # to sign in
        self.assertFalse(Contact.objects.filter(report=self.report).exists())

    def test_a_case_worker_may_only_when_on_duty_or_having_taken_the_alert(self) -> None:
        self.assertEqual(self.post(self.case_worker).status_code, 403)
        self.assertFalse(Contact.objects.filter(report=self.report).exists())
        page = self.login(self.case_worker).get(reverse("alerts:report_alert", args=[self.report.pk]))
        self.assertNotContains(page, "Simpan kontak pertama")

        entry = self.plan_now(duty=self.case_worker, backup=self.operator)
        page = self.login(self.case_worker).get(reverse("alerts:report_alert", args=[self.report.pk]))
        self.assertContains(page, "Simpan kontak pertama")
        self.assertEqual(self.post(self.case_worker).status_code, 302)
        self.assertTrue(Contact.objects.filter(report=self.report, operator=self.case_worker).exists())

        entry.delete()
        other = self.file()
        self.url = reverse("alerts:report_first_contact", args=[other.pk])
        self.assertEqual(self.post(self.case_worker).status_code, 403)
        actions.acknowledge(ReportAlert.objects.get(report=other), by=self.case_worker)
        self.assertEqual(self.post(self.case_worker).status_code, 302)

    def test_from_the_report_page_it_returns_to_the_report(self) -> None:
        page = self.login(self.operator).get(reverse("intake:report_detail", args=[self.report.pk]))
        self.assertContains(page, "Kontak pertama dilakukan")
        self.assertContains(page, self.url)
        response = self.post(self.operator, {**form(), "kembali": "laporan"})
        self.assertRedirects(response, reverse("intake:report_detail", args=[self.report.pk]),
                             fetch_redirect_response=False)
        page = self.login(self.operator).get(reverse("intake:report_detail", args=[self.report.pk]))
        self.assertContains(page, "Kontak pertama:")
        self.assertNotContains(page, "Simpan kontak pertama")

    def test_the_report_page_offers_it_only_to_who_answers_the_hotline_and_only_before_a_case(self) -> None:
        page = self.login(self.volunteer_a).get(reverse("intake:report_detail", args=[self.report.pk]))
        self.assertNotContains(page, "Simpan kontak pertama", status_code=page.status_code)
        with self.captureOnCommitCallbacks(execute=True):
            case_actions.open_case([self.report], by=self.manager)
        page = self.login(self.operator).get(reverse("intake:report_detail", args=[self.report.pk]))
        self.assertNotContains(page, "Simpan kontak pertama")


class FirstContactInputTests(AlertsTestCase):
    def setUp(self) -> None:
        self.report = self.file(**HIGH)
        self.url = reverse("alerts:report_first_contact", args=[self.report.pk])
        self.client = self.login(self.operator)

    def refused(self, data: dict[str, Any], message: str) -> None:
        response = self.client.post(self.url, data)
        self.assertContains(response, message, status_code=400)
        self.assertFalse(Contact.objects.filter(report=self.report).exists())
        self.assertEqual(ReportAlert.objects.get(report=self.report).state, AlertState.OPEN)

    def test_a_time_in_the_future_is_refused(self) -> None:
        self.refused(form(started_at=local(timezone.now() + datetime.timedelta(hours=2))), "masa depan")

    def test_a_time_before_the_report_was_received_is_refused(self) -> None:
        self.refused(form(started_at=local(self.report.received_at - datetime.timedelta(days=1))),
                     "sebelum laporan diterima")

    def test_missing_or_unknown_choices_are_refused(self) -> None:
        self.refused(form(channel="api"), "pilihan yang valid")
        self.refused(form(outcome=""), "Wajib diisi")
        self.refused(form(outcome="laporan_baru"), "pilihan yang valid")

    def test_hostile_times_and_a_huge_note_are_refused(self) -> None:
        self.refused(form(started_at="٢٠٢٦-١٢-٠٤T١٠:٠٠"), "Tulis tanggal dan jam")
        self.refused(form(started_at="99999999-12-04T10:00"), "Tulis tanggal dan jam")
        self.refused(form(note="x" * 1001), "1000")
        response = self.client.post(self.url, form(note="a\x00b"))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Contact.objects.filter(report=self.report).exists())

    def test_an_unknown_or_huge_report_id_is_not_found(self) -> None:
        self.assertEqual(self.client.post(reverse("alerts:report_first_contact", args=[999999]), form()).status_code,
                         404)
        self.assertEqual(self.client.post(f"/piket/peringatan/{2**70}/kontak-pertama/", form()).status_code, 404)

    def test_after_a_case_is_opened_it_points_to_the_case(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            case_actions.open_case([self.report], by=self.manager)
        response = self.client.post(self.url, form())
        self.assertContains(response, "Kasus sudah dibuka", status_code=400)
        self.assertFalse(Contact.objects.filter(report=self.report, created_at__gt=self.report.created_at).exists())


@override_settings(SIGAP_ALERT_ESCALATION_MINUTES=15, SIGAP_ALERT_REPEAT_MINUTES=60, SIGAP_ALERT_MAX_REPEATS=2)
class FirstContactStopsTheChainTests(ReportEscalationCase):
    def test_recording_it_ends_the_alert_at_once_and_nothing_escalates_after(self) -> None:
        self.assertEqual(self.run_at(1), {"operator"})
        self.assertEqual(self.run_at(16), {"operator-b"})
        self.clear()
        with self.assertLogs("sigap", level=logging.DEBUG) as logs, self.captureOnCommitCallbacks(execute=True):
            logging.getLogger("sigap").debug("start")
            response = self.login(self.operator_b).post(
                reverse("alerts:report_first_contact", args=[self.report.pk]), form())
        self.assertEqual(response.status_code, 302)
        alert = ReportAlert.objects.get(report=self.report)
        self.assertEqual((alert.state, alert.end_reason), (AlertState.ENDED, AlertEnd.CONTACT))
        # Those escalated to learn it is in hand, without the note or any personal data.
        told = Notification.objects.filter(kind="alerts.first_contact")
        self.assertEqual({n.recipient.username for n in told}, {"kepala"})
        for row in told:
            self.assertIn(self.report.registration_number, row.text)
            self.assertNotIn("Kenanga", row.text)
        self.assertFalse(any("Kenanga" in line for line in logs.output))
        audit = AuditEntry.objects.filter(action__in=["alerts.first_contact_recorded", "intake.contact_recorded"])
        self.assertEqual(audit.count(), 2)
        self.assertFalse(any("Kenanga" in str(entry.__dict__) for entry in audit))
        for minutes in (31, 91, 600):
            self.assertEqual(self.run_at(minutes), set())

    def test_before_the_deadline_it_ends_the_alert_and_no_step_is_ever_sent(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            actions.record_first_contact(self.report, by=self.operator, channel="whatsapp", outcome="dirujuk",
                                         started_at=timezone.now())
        self.assertFalse(Notification.objects.filter(kind="alerts.first_contact").exists())  # nobody escalated to
        self.assertEqual(self.run_at(1), set())
        self.assertEqual(self.run_at(31), set())
