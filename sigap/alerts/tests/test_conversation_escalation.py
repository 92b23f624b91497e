"""A WhatsApp/SMS conversation nobody takes is escalated like a report: duty, backup, manager, spaced."""

from __future__ import annotations

import datetime

from django.test import override_settings
from django.urls import reverse

from sigap.alerts import actions
from sigap.alerts.models import AlertEnd, AlertState, ConversationAlert
from sigap.alerts.tests.base import AlertsTestCase
from sigap.core.models import Notification
from sigap.intake.channels.conversations import actions as chat_actions
from sigap.intake.channels.conversations.inbound import Delivery, InboundMessage
from sigap.intake.channels.conversations.models import Conversation
from sigap.intake.codes import Channel

SENDER = "6281355557772"
PROFILE = "Melati Rahasia Uji"
BODY = "Tolong, saya di rumah paman di Gang Cempaka Sunyi"


@override_settings(SIGAP_ALERT_ESCALATION_MINUTES=15, SIGAP_ALERT_REPEAT_MINUTES=60, SIGAP_ALERT_MAX_REPEATS=2,
                   SIGAP_CHAT_RESPONSE_MINUTES=30)
class ConversationEscalationTests(AlertsTestCase):
    def setUp(self) -> None:
        self.entry = self.plan_now()
        with self.captureOnCommitCallbacks(execute=True):
            chat_actions.receive(Channel.WHATSAPP, Delivery(messages=[InboundMessage(
                provider_id="wamid.ESC1", sender=SENDER, kind="text", body=BODY, profile_name=PROFILE)]))
        self.conversation = Conversation.objects.get()
        self.alert = ConversationAlert.objects.get(conversation=self.conversation)
        self.due = self.alert.due_at

    def run_at(self, minutes: float) -> set[str]:
        """Run the worker's job ``minutes`` after the deadline; who was notified by it."""
        self.run_job(self.entry, self.due + datetime.timedelta(minutes=minutes))
        return self.recipients("alerts.conversation_escalated")

    def test_its_deadline_is_the_chat_response_time_and_the_first_alert_links_its_alert_page(self) -> None:
        assert self.conversation.waiting_since is not None
        self.assertEqual(self.due, self.conversation.waiting_since + datetime.timedelta(minutes=30))
        first = Notification.objects.get(kind="alerts.conversation")
        self.assertEqual(first.link, reverse("alerts:conversation_alert", args=[self.conversation.pk]))

    def test_duty_then_backup_then_manager_with_spaced_repeats_and_no_personal_data(self) -> None:
        self.assertEqual(self.run_at(-1), set())
        self.assertEqual(self.run_at(0.5), {"operator"})
        self.assertEqual(self.run_at(5), set())
        self.assertEqual(self.run_at(15), {"operator-b"})
        self.assertEqual(self.run_at(31), {"kepala"})
        text = Notification.objects.get(kind="alerts.conversation_escalated").text
        self.assertIn(f"#{self.conversation.pk}", text)
        self.assertIn("lewat 31 menit", text)
        self.assertEqual(self.run_at(60), set())
        self.assertEqual(self.run_at(91), {"kepala"})
        self.assertEqual(self.run_at(151), {"kepala"})
        self.assertEqual(self.run_at(900), set())  # capped
        for row in Notification.objects.all():
            for secret in (SENDER, "081355557772", PROFILE, "Cempaka"):
                self.assertNotIn(secret, row.text)

    def test_a_late_worker_sends_one_step_per_run(self) -> None:
        self.assertEqual(self.run_at(45), {"operator"})
        self.assertEqual(self.run_at(46), {"operator-b"})

    def test_taking_the_conversation_stops_the_chain(self) -> None:
        self.assertEqual(self.run_at(1), {"operator"})
        chat_actions.take(self.conversation, by=self.operator)
        self.assertEqual(self.run_at(16), set())
        self.alert.refresh_from_db()
        self.assertEqual((self.alert.state, self.alert.end_reason), (AlertState.ENDED, AlertEnd.TAKEN))

    def test_closing_it_stops_the_chain(self) -> None:
        chat_actions.close(self.conversation, "informasi", by=self.operator)
        self.assertEqual(self.run_at(1), set())
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.end_reason, AlertEnd.CLOSED)

    def test_acknowledging_on_its_alert_page_stops_the_chain_and_tells_the_managers(self) -> None:
        self.assertEqual(self.run_at(1), {"operator"})
        self.assertEqual(self.run_at(16), {"operator-b"})
        self.clear()
        client = self.login(self.case_worker)
        page = client.get(reverse("alerts:conversation_alert", args=[self.conversation.pk]))
        self.assertContains(page, "Saya tangani")
        self.assertNotContains(page, PROFILE)
        self.assertNotContains(page, "Cempaka")
        self.assertNotContains(page, reverse("conversations:detail", args=[self.conversation.pk]))
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(reverse("alerts:conversation_alert_acknowledge", args=[self.conversation.pk]))
        self.assertEqual(response.status_code, 302)
        self.alert.refresh_from_db()
        self.assertEqual((self.alert.state, self.alert.acknowledged_by), (AlertState.ACKNOWLEDGED, self.case_worker))
        self.assertEqual(self.recipients("alerts.acknowledged"), {"kepala"})
        self.assertEqual(self.run_at(31), set())
        self.assertEqual(self.run_at(200), set())

    def test_the_alert_pages_are_for_the_hotline_team_only(self) -> None:
        url = reverse("alerts:conversation_alert", args=[self.conversation.pk])
        team = [self.manager, self.case_worker, self.operator]
        self.assertAllowedOnly("get", url, team)
        self.assertAllowedOnly("post", reverse("alerts:conversation_alert_acknowledge", args=[self.conversation.pk]),
                               team)
        page = self.login(self.operator).get(url)
        self.assertContains(page, reverse("conversations:detail", args=[self.conversation.pk]))
        self.assertEqual(self.login(self.operator).get(
            reverse("alerts:conversation_alert", args=[999999])).status_code, 404)

    def test_a_settled_conversation_alert_is_ended_by_the_worker_even_when_acknowledged(self) -> None:
        actions.acknowledge_conversation(self.alert, by=self.operator)
        chat_actions.take(self.conversation, by=self.operator_b)
        self.run_at(-20)
        self.alert.refresh_from_db()
        self.assertEqual((self.alert.state, self.alert.end_reason), (AlertState.ENDED, AlertEnd.TAKEN))
