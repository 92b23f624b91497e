"""Every new report and conversation reaches the people on duty; escalation before a case exists."""

from __future__ import annotations

import datetime
import json

from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from sigap.alerts import actions
from sigap.alerts.models import AlertEnd, AlertState, ReportAlert, RosterGapWarning
from sigap.alerts.tasks import escalate_reports
from sigap.alerts.tests.base import AlertsTestCase, ReportEscalationCase
from sigap.cases import actions as case_actions
from sigap.core.models import Notification
from sigap.intake.api import issue_token
from sigap.intake.channels.conversations.actions import receive
from sigap.intake.channels.conversations.inbound import Delivery, InboundMessage
from sigap.intake.codes import Channel
from sigap.intake.models import Contact, Report
from sigap.intake.tests.factories import report_payload
from sigap.intake.tests.form_data import report_form_data
from sigap.intake.views import public

HIGH = {"injury_needs_care": True}
# Invented personal data; none of it may appear in any notification.
REPORTER = {"reporter-name": "Wulan Rahasia Uji", "reporter-phone": "0813-5555-7771",
            "reporter-nik": "1811046703920099", "reporter-address": "Jalan Kamboja Tersembunyi 3"}
VICTIM_NAME = "Putri Rahasia Uji"
CHRONOLOGY = "Kejadian rahasia dekat pohon beringin ungu"
SECRETS = [*REPORTER.values(), "6281355557771", "081355557771", VICTIM_NAME, CHRONOLOGY, "Kenari Senyap 8"]


class AlertOnFilingTests(AlertsTestCase):
    def setUp(self) -> None:
        for limiter in public.ALL_LIMITERS:
            limiter.reset()

    def assert_no_personal_data(self) -> None:
        for n in Notification.objects.all():
            for secret in SECRETS:
                self.assertNotIn(secret.lower(), f"{n.text} {n.link}".lower())

    def form(self, **extra: object) -> dict[str, object]:
        data = report_form_data(**REPORTER, **extra)
        data["victims-0-name"] = VICTIM_NAME
        data["chronology-0-description"] = CHRONOLOGY
        return data

    def test_each_channel_alerts_duty_backup_and_manager_for_high_risk_and_nobody_else(self) -> None:
        self.plan_now()
        expected = {"operator", "operator-b", "kepala"}
        # The public form.
        citizen = Client(REMOTE_ADDR="10.1.2.3")
        page = citizen.get(reverse("intake:public_report"))
        with self.captureOnCommitCallbacks(execute=True):
            response = citizen.post(reverse("intake:public_report"),
                                    self.form(public=True, form_token=page.context["form_token"],
                                              injury_needs_care="on"))
        self.assertEqual(response.status_code, 200)
        # A village volunteer.
        volunteer = self.login(self.volunteer_a, client=Client())
        with self.captureOnCommitCallbacks(execute=True):
            response = volunteer.post(reverse("intake:volunteer_report_new"),
                                      self.form(channel=None, injury_needs_care="on"))
        self.assertEqual(response.status_code, 200)
        # The staff form (a case worker filing by phone).
        staff = self.login(self.case_worker, client=Client())
        with self.captureOnCommitCallbacks(execute=True):
            response = staff.post(reverse("intake:report_new"), self.form(injury_needs_care="on"))
        self.assertIn(response.status_code, (200, 302))
        # The API.
        payload = report_payload(injury_needs_care=True, reporter={**report_payload()["reporter"],
                                 "name": REPORTER["reporter-name"], "address": "Kenari Senyap 8"})
        with self.captureOnCommitCallbacks(execute=True):
            response = Client().post("/api/v1/reports", json.dumps(payload), content_type="application/json",
                                     headers={"Authorization": f"Bearer {issue_token(self.operator)}"})
        self.assertEqual(response.status_code, 201)

        reports = list(Report.objects.order_by("pk"))
        self.assertEqual([r.channel for r in reports], ["web", "relawan", "telepon", "whatsapp"])
        for report in reports:
            self.assertEqual(report.risk, "tinggi")
            sent = Notification.objects.filter(text__contains=report.registration_number)
            self.assertEqual({n.recipient.username for n in sent}, expected, report.channel)
            text = sent[0].text
            self.assertIn("risiko tinggi", text)
            self.assertIn(report.get_channel_display(), text)
            self.assertIn(timezone.localtime(report.response_due_at).strftime("%d-%m-%Y %H:%M"), text)
            self.assertIn("Kec. ", text)
            self.assertEqual(sent[0].link, reverse("alerts:report_alert", args=[report.pk]))
        self.assertEqual(self.recipients(), expected)
        self.assert_no_personal_data()

    def test_lower_risk_goes_to_the_duty_person_only(self) -> None:
        self.plan_now()
        report = self.file()
        self.assertNotEqual(report.risk, "tinggi")
        self.assertEqual(self.recipients("alerts.filed"), {"operator"})
        self.assertEqual(ReportAlert.objects.get(report=report).state, AlertState.OPEN)

    def test_nobody_on_duty_falls_back_to_the_manager(self) -> None:
        self.file(**HIGH)
        self.assertEqual(self.recipients(), {"kepala"})

    def test_a_disabled_duty_account_hands_over_to_the_backup(self) -> None:
        self.plan_now()
        self.operator.is_active = False
        self.operator.save()
        self.file(by=self.manager)
        self.assertEqual(self.recipients(), {"operator-b"})

    def test_a_replayed_submission_alerts_nobody_again(self) -> None:
        self.plan_now()
        page = self.login(self.operator).get(reverse("intake:report_new"))
        data = self.form(form_token=page.context["form_token"])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("intake:report_new"), data)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("intake:report_new"), data)
        self.assertEqual(Report.objects.count(), 1)
        self.assertEqual(Notification.objects.count(), 1)

    def test_a_new_conversation_alerts_the_duty_person_with_its_reference_only(self) -> None:
        self.plan_now()
        message = InboundMessage(provider_id="wamid.ALERT1", sender="6281355557771", kind="text",
                                 body=CHRONOLOGY, profile_name=VICTIM_NAME)
        with self.captureOnCommitCallbacks(execute=True):
            receive(Channel.WHATSAPP, Delivery(messages=[message]))
        with self.captureOnCommitCallbacks(execute=True):  # a second message: no second alert
            receive(Channel.WHATSAPP, Delivery(messages=[InboundMessage(
                provider_id="wamid.ALERT2", sender="6281355557771", kind="text", body="lagi")]))
        sent = Notification.objects.get(kind="alerts.conversation")
        self.assertEqual(sent.recipient, self.operator)
        self.assertIn("WhatsApp", sent.text)
        self.assert_no_personal_data()

    def test_risk_raised_alerts_again_and_reopens_an_acknowledged_alert(self) -> None:
        self.plan_now()
        report = self.file()
        actions.acknowledge(report.alert, by=self.operator)
        self.clear()
        report.risk = "tinggi"
        with self.captureOnCommitCallbacks(execute=True):
            actions.alert_report(report, reason=actions.AlertReason.RISK_RAISED)
        self.assertEqual(self.recipients("alerts.risk_raised"), {"operator", "operator-b", "kepala"})
        self.assertEqual(ReportAlert.objects.get(report=report).state, AlertState.OPEN)


@override_settings(SIGAP_ALERT_ESCALATION_MINUTES=15, SIGAP_ALERT_REPEAT_MINUTES=60, SIGAP_ALERT_MAX_REPEATS=2)
class EscalationTests(ReportEscalationCase):
    def test_duty_then_backup_then_manager_with_spaced_repeats(self) -> None:
        self.assertEqual(self.run_at(-1), set())
        self.assertEqual(self.run_at(0.5), {"operator"})
        sent = Notification.objects.get(kind="alerts.escalated")
        self.assertIn(self.report.registration_number, sent.text)
        self.assertIn("lewat 0 menit", sent.text)
        self.assertEqual(self.run_at(5), set())  # spaced, never a flood
        self.assertEqual(self.run_at(15), {"operator-b"})
        self.assertEqual(self.run_at(20), set())
        self.assertEqual(self.run_at(31), {"kepala"})
        self.assertIn("lewat 31 menit", Notification.objects.get(kind="alerts.escalated").text)
        self.assertEqual(self.run_at(60), set())
        self.assertEqual(self.run_at(91), {"kepala"})
        self.assertEqual(self.run_at(151), {"kepala"})
        self.assertEqual(self.run_at(600), set())  # the repeats are capped
        self.assertEqual(ReportAlert.objects.get().level, 5)

    def test_a_late_worker_sends_one_step_per_run(self) -> None:
        self.assertEqual(self.run_at(45), {"operator"})
        self.assertEqual(self.run_at(46), {"operator-b"})
        self.assertEqual(self.run_at(47), {"kepala"})

    def test_acknowledging_stops_the_chain(self) -> None:
        self.assertEqual(self.run_at(1), {"operator"})
        client = self.login(self.operator_b)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(reverse("alerts:report_alert_acknowledge", args=[self.report.pk]))
        self.assertEqual(response.status_code, 302)
        alert = ReportAlert.objects.get()
        self.assertEqual((alert.state, alert.acknowledged_by), (AlertState.ACKNOWLEDGED, self.operator_b))
        page = client.get(reverse("alerts:report_alert", args=[self.report.pk]))
        self.assertContains(page, "operator-b")
        self.assertNotContains(page, "Saya tangani</button>")
        self.assertEqual(self.run_at(16), set())
        self.assertEqual(self.run_at(200), set())

    def test_a_first_contact_ends_it(self) -> None:
        Contact.objects.create(channel="telepon", operator=self.operator, outcome="informasi", report=self.report)
        self.assertEqual(self.run_at(1), set())
        alert = ReportAlert.objects.get()
        self.assertEqual((alert.state, alert.end_reason), (AlertState.ENDED, AlertEnd.CONTACT))

    def test_the_contact_it_was_filed_from_does_not_count(self) -> None:
        Contact.objects.create(channel="telepon", operator=self.operator, outcome="informasi", report=self.report,
                               created_at=self.report.created_at - datetime.timedelta(minutes=5))
        self.assertEqual(self.run_at(1), {"operator"})

    def test_opening_a_case_ends_it(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            case_actions.open_case([self.report], by=self.manager)
        self.assertEqual(self.run_at(1), set())
        alert = ReportAlert.objects.get()
        self.assertEqual((alert.state, alert.end_reason), (AlertState.ENDED, AlertEnd.CASE))

    def test_nobody_on_duty_escalates_to_the_manager_at_once(self) -> None:
        self.entry.delete()
        self.clear()
        with self.captureOnCommitCallbacks(execute=True):
            escalate_reports.call(now=(self.due + datetime.timedelta(minutes=1)).isoformat())
        self.assertEqual(self.recipients("alerts.escalated"), {"kepala"})


class RosterGapTests(AlertsTestCase):
    def test_managers_are_warned_a_day_ahead_once_per_empty_shift(self) -> None:
        now = timezone.now()
        with self.captureOnCommitCallbacks(execute=True):
            warned = actions.warn_roster_gaps(now=now)
        slots = actions.roster.slots_between(now, now + datetime.timedelta(hours=24))
        self.assertEqual(warned, len(slots))
        self.assertEqual(self.recipients("alerts.roster_gap"), {"kepala"})
        self.assertIn("Jadwal piket kosong", Notification.objects.first().text)  # type: ignore[union-attr]
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(actions.warn_roster_gaps(now=now), 0)

    def test_a_planned_shift_is_not_warned_and_planning_clears_a_warning(self) -> None:
        now = timezone.now()
        entry = self.plan_now(at=now)
        with self.captureOnCommitCallbacks(execute=True):
            actions.warn_roster_gaps(now=now)
        self.assertFalse(RosterGapWarning.objects.filter(date=entry.date, shift=entry.shift).exists())
        later = actions.roster.slot_at(now + datetime.timedelta(hours=24))
        self.assertTrue(RosterGapWarning.objects.filter(date=later.date, shift=later.shift).exists())
        actions.save_roster_entry(later.date, later.shift, duty=self.operator, backup=self.operator_b, by=self.manager)
        self.assertFalse(RosterGapWarning.objects.filter(date=later.date, shift=later.shift).exists())


class AmendedRiskTests(AlertsTestCase):
    def test_an_amendment_that_raises_the_risk_alerts_the_duty_again(self) -> None:
        from sigap.intake.amend import amend_report
        from sigap.intake.tests.factories import adult_victim

        self.plan_now()
        report = self.file(victims=[adult_victim(birth_date="1990-03-04", age=None)])
        actions.acknowledge(report.alert, by=self.operator)
        self.clear()
        with self.captureOnCommitCallbacks(execute=True):
            amend_report(report, {"needs": "Konseling."}, by=self.operator, reason="Asesmen.")
        self.assertEqual(self.recipients(), set())
        with self.captureOnCommitCallbacks(execute=True):
            amend_report(report, {"victims.0.birth_date": "2012-03-04", "violence_types": ["seksual"]},
                         by=self.operator, reason="Korban ternyata anak; kekerasan seksual.")
        self.assertEqual(self.recipients("alerts.risk_raised"), {"operator", "operator-b", "kepala"})
        self.assertEqual(ReportAlert.objects.get(report=report).state, AlertState.OPEN)
        for sent in Notification.objects.all():  # the victim's name stays out of the text
            self.assertNotIn("rina", sent.text.lower())
