"""The person on duty may open and take what the alerts sent them, only during their shift (issue 15).

A case worker sees, by the need-to-know rules, only conversations assigned to them and reports
of their own cases. On the roster they are alerted to new conversations and reports: while they
hold the running shift they may open those not yet taken and take them; every such open is
audited; off shift it stops; once taken, the normal rules apply.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.accounts.roles import Role
from sigap.alerts import actions
from sigap.alerts.models import ConversationAlert
from sigap.alerts.tests.base import AlertsTestCase
from sigap.intake.channels.conversations import actions as chat_actions
from sigap.intake.channels.conversations.inbound import Delivery, InboundMessage
from sigap.intake.channels.conversations.models import Conversation
from sigap.intake.codes import Channel
from sigap.lib.testing import create_user
from sigap.vault.models import AuditEntry

BODY = "Tolong, saya di rumah paman di Gang Cempaka Uji"


class DutyAccessCase(AlertsTestCase):
    case_worker_b: Any

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.case_worker_b = create_user(Role.CASE_WORKER, "pendamping-b")

    def setUp(self) -> None:
        # The case worker holds the phone; the second case worker is the backup (not sent a sedang alert).
        self.entry = self.plan_now(duty=self.case_worker, backup=self.case_worker_b)

    def off_shift(self) -> None:
        """Move the roster entry to next week: nobody of the two is on duty now."""
        self.entry.date += datetime.timedelta(days=7)
        self.entry.save()

    def audited(self, action: str, user: Any) -> int:
        return AuditEntry.objects.filter(action=action, actor=user).count()


class ConversationOnDutyTests(DutyAccessCase):
    def setUp(self) -> None:
        super().setUp()
        with self.captureOnCommitCallbacks(execute=True):
            chat_actions.receive(Channel.WHATSAPP, Delivery(messages=[InboundMessage(
                provider_id="wamid.DUTY1", sender="6281355550001", kind="text", body=BODY)]))
        self.conversation = Conversation.objects.get()
        self.detail = reverse("conversations:detail", args=[self.conversation.pk])
        self.take = reverse("conversations:take", args=[self.conversation.pk])

    def test_the_duty_case_worker_alerted_can_open_it_audited_and_sees_only_take(self) -> None:
        self.assertEqual(self.recipients("alerts.conversation"), {"pendamping"})
        response = self.login(self.case_worker).get(self.detail)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, BODY)
        self.assertContains(response, "karena sedang piket")
        self.assertContains(response, self.take)
        self.assertNotContains(response, reverse("conversations:reply", args=[self.conversation.pk]))
        self.assertNotContains(response, reverse("conversations:close", args=[self.conversation.pk]))
        self.assertEqual(self.audited("conversations.conversation_opened_on_duty", self.case_worker), 1)
        alert_page = self.login(self.case_worker).get(reverse("alerts:conversation_alert",
                                                              args=[self.conversation.pk]))
        self.assertContains(alert_page, self.detail)

    def test_before_taking_it_the_duty_case_worker_cannot_reply_close_or_hand_it_on(self) -> None:
        client = self.login(self.case_worker)
        for name, data in (("reply", {"text": "Halo"}), ("close", {"outcome": "informasi"}),
                           ("assign", {"to": self.case_worker_b.pk}), ("never_contact", {"value": "1"})):
            response = client.post(reverse(f"conversations:{name}", args=[self.conversation.pk]), data)
            self.assertEqual(response.status_code, 404, name)
        self.conversation.refresh_from_db()
        self.assertIsNone(self.conversation.assigned_to_id)
        self.assertFalse(self.conversation.never_contact)

    def test_the_duty_case_worker_takes_it_and_then_it_follows_the_normal_rules(self) -> None:
        client = self.login(self.case_worker)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(self.take)
        self.assertRedirects(response, self.detail)
        self.conversation.refresh_from_db()
        self.assertEqual(self.conversation.assigned_to_id, self.case_worker.pk)
        self.assertEqual(self.audited("conversations.conversation_taken_on_duty", self.case_worker), 1)
        page = client.get(self.detail)
        self.assertNotContains(page, "karena sedang piket")
        self.assertContains(page, reverse("conversations:reply", args=[self.conversation.pk]))
        # Theirs now by assignment: still theirs after the shift, and not audited as a duty open.
        self.off_shift()
        self.assertEqual(client.get(self.detail).status_code, 200)
        self.assertEqual(self.audited("conversations.conversation_opened_on_duty", self.case_worker), 0)

    def test_a_taken_conversation_is_no_longer_open_to_other_people_on_duty(self) -> None:
        # Escalated to the backup, who may then open it; once the duty person takes it, the backup may not.
        now = timezone.now()
        ConversationAlert.objects.filter(conversation=self.conversation).update(  # step 1 went out 16 minutes ago
            due_at=now - datetime.timedelta(minutes=20), level=1, last_escalated_at=now - datetime.timedelta(minutes=16))
        with self.captureOnCommitCallbacks(execute=True):
            actions.escalate_due(now=now)
        self.assertIn("pendamping-b", self.recipients("alerts.conversation_escalated"))
        backup = self.login(self.case_worker_b, client=Client())
        self.assertEqual(backup.get(self.detail).status_code, 200)
        chat_actions.take(self.conversation, by=self.case_worker)
        self.assertEqual(backup.get(self.detail).status_code, 404)
        self.assertEqual(backup.post(self.take).status_code, 404)

    def test_the_same_case_worker_off_shift_cannot_open_or_take_it(self) -> None:
        self.off_shift()
        client = self.login(self.case_worker)
        self.assertEqual(client.get(self.detail).status_code, 404)
        self.assertEqual(client.post(self.take).status_code, 404)
        alert_page = client.get(reverse("alerts:conversation_alert", args=[self.conversation.pk]))
        self.assertNotContains(alert_page, self.detail)
        self.conversation.refresh_from_db()
        self.assertIsNone(self.conversation.assigned_to_id)

    def test_a_case_worker_not_on_duty_or_not_sent_the_alert_cannot_open_it(self) -> None:
        outsider = create_user(Role.CASE_WORKER, "pendamping-c")
        for user in (outsider, self.case_worker_b):  # the backup was not sent this alert
            client = self.login(user, client=Client())
            self.assertEqual(client.get(self.detail).status_code, 404, user.username)
            self.assertEqual(client.post(self.take).status_code, 404, user.username)

    def test_the_inbox_list_stays_need_to_know_but_today_lists_it_by_reference(self) -> None:
        client = self.login(self.case_worker)
        self.assertNotContains(client.get(reverse("conversations:inbox")), self.detail)
        home = client.get(reverse("core:staff_home"))
        self.assertContains(home, f"#{self.conversation.pk} · belum diambil")
        self.assertContains(home, self.detail)
        self.assertNotContains(home, BODY)
        self.off_shift()
        self.assertNotContains(client.get(reverse("core:staff_home")), self.detail)


class ReportOnDutyTests(DutyAccessCase):
    def setUp(self) -> None:
        super().setUp()
        self.report = self.file()  # risiko sedang/rendah: the duty person only
        self.url = reverse("intake:report_detail", args=[self.report.pk])

    def test_the_duty_case_worker_alerted_can_open_the_report_audited(self) -> None:
        self.assertEqual(self.recipients(), {"pendamping"})
        client = self.login(self.case_worker)
        response = client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.report.registration_number)
        self.assertEqual(self.audited("intake.report_opened_on_duty", self.case_worker), 1)
        self.assertEqual(self.audited("intake.report_opened", self.case_worker), 0)
        alert_page = client.get(reverse("alerts:report_alert", args=[self.report.pk]))
        self.assertContains(alert_page, self.url)

    def test_taking_it_keeps_it_open_to_them_until_the_first_contact(self) -> None:
        client = self.login(self.case_worker)
        with self.captureOnCommitCallbacks(execute=True):
            client.post(reverse("alerts:report_alert_acknowledge", args=[self.report.pk]))
        self.assertEqual(client.get(self.url).status_code, 200)
        actions.record_first_contact(self.report, by=self.case_worker, channel="telepon", outcome="tindak_lanjut",
                                     started_at=timezone.now())
        self.assertEqual(client.get(self.url).status_code, 404)

    def test_the_duty_grant_opens_the_page_only_never_a_change(self) -> None:
        response = self.login(self.case_worker).post(reverse("intake:report_note", args=[self.report.pk]),
                                                     {"text": "catatan"})
        self.assertEqual(response.status_code, 404)

    def test_the_same_case_worker_off_shift_cannot_open_it(self) -> None:
        self.off_shift()
        self.assertEqual(self.login(self.case_worker).get(self.url).status_code, 404)

    def test_a_case_worker_not_on_duty_or_not_sent_the_alert_cannot_open_it(self) -> None:
        outsider = create_user(Role.CASE_WORKER, "pendamping-c")
        for user in (outsider, self.case_worker_b):
            self.assertEqual(self.login(user, client=Client()).get(self.url).status_code, 404, user.username)

    def test_a_report_someone_else_took_is_not_opened_on_duty(self) -> None:
        actions.acknowledge(self.report.alert, by=self.operator)
        self.assertEqual(self.login(self.case_worker).get(self.url).status_code, 404)
