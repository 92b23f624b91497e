"""Staff who opted in get alerts by SMS through the office's gateway (a local server speaking its protocol)."""

from __future__ import annotations

import hashlib
import hmac

from django.test import override_settings
from django.utils import timezone

from sigap.alerts import roster
from sigap.alerts.models import RosterEntry
from sigap.core.notify import notify
from sigap.intake.channels.conversations import actions as chat_actions
from sigap.intake.channels.conversations.codes import OutboundState
from sigap.intake.channels.conversations.models import OutboundMessage, StaffPhone
from sigap.intake.channels.conversations.outbound import deliver
from sigap.intake.channels.conversations.tests.base import ChannelTestCase
from sigap.intake.channels.testing import SMS_SECRET
from sigap.intake.tests.factories import create_report

SECRETS = ["Budi Contoh", "Siti Contoh", "Jalan Contoh", "Dusun Contoh"]


class SmsNotifierTests(ChannelTestCase):
    def plan_now(self) -> None:
        found = roster.slot_at(timezone.now())
        RosterEntry.objects.create(date=found.date, shift=found.shift, duty=self.operator, backup=self.case_worker,
                                   planned_by=self.manager)

    def sms_outbound(self) -> list[OutboundMessage]:
        return list(OutboundMessage.objects.filter(channel="sms", purpose="notification").order_by("pk"))

    def test_an_opted_in_duty_person_gets_a_new_report_by_sms_and_whatsapp_without_personal_data(self) -> None:
        self.plan_now()
        chat_actions.save_staff_phone(self.operator, "0812 9999 0001", True, sms=True)
        with self.captureOnCommitCallbacks(execute=True):
            report = create_report(self.operator, injury_needs_care=True).report
        [sms] = self.sms_outbound()
        self.assertEqual(sms.recipient_user, self.operator)
        self.assertTrue(OutboundMessage.objects.filter(channel="whatsapp", recipient_user=self.operator).exists())
        self.assertEqual(deliver(sms.pk), OutboundState.SENT)
        [request] = self.fake.sms_sent()
        self.assertEqual(request.json["phoneNumbers"], ["+6281299990001"])
        text = request.json["message"]
        self.assertTrue(text.startswith("SIGAP: Laporan baru: "))
        self.assertIn(report.registration_number, text)
        for secret in SECRETS:
            self.assertNotIn(secret, text)
        expected = hmac.new(SMS_SECRET.encode(), request.body + request.headers["x-timestamp"].encode(),
                            hashlib.sha256).hexdigest()
        self.assertEqual(request.headers["x-signature"], expected)

    def test_nobody_gets_an_sms_without_opting_in_for_it(self) -> None:
        chat_actions.save_staff_phone(self.operator, "081299990001", True)  # WhatsApp only
        chat_actions.save_staff_phone(self.case_worker, "081299990002", False, sms=True)  # SMS only
        with self.captureOnCommitCallbacks(execute=True):
            notify([self.operator, self.case_worker, self.manager], "alerts.test", "Eskalasi 1: laporan 1")
        self.assertEqual([o.recipient_user for o in self.sms_outbound()], [self.case_worker])
        self.assertEqual(list(OutboundMessage.objects.filter(channel="whatsapp").values_list(
            "recipient_user__username", flat=True)), ["operator"])

    def test_with_the_gateway_off_or_the_account_disabled_nothing_is_queued(self) -> None:
        chat_actions.save_staff_phone(self.operator, "081299990001", False, sms=True)
        with override_settings(SIGAP_SMS_GATEWAY_URL=""), self.captureOnCommitCallbacks(execute=True):
            notify([self.operator], "alerts.test", "Eskalasi 1")
        self.assertEqual(self.sms_outbound(), [])
        self.operator.is_active = False
        self.operator.save()
        self.assertIsNone(chat_actions.queue_notification(self.operator, "x", channel="sms"))

    def test_a_gateway_that_is_down_is_retried_then_sent(self) -> None:
        chat_actions.save_staff_phone(self.operator, "081299990001", False, sms=True)
        outbound = chat_actions.queue_notification(self.operator, "SIGAP: Eskalasi 2", channel="sms")
        assert outbound is not None
        self.fake.fail_next(503)
        self.assertEqual(deliver(outbound.pk), OutboundState.RETRY)
        outbound.refresh_from_db()
        self.assertEqual(deliver(outbound.pk, now=outbound.next_attempt_at), OutboundState.SENT)
        first, second = self.fake.sms_sent()  # the refused try and the one that went through
        self.assertEqual(first.json, second.json)
        self.assertEqual(second.json["message"], "SIGAP: Eskalasi 2")

    def test_the_setting_page_saves_the_sms_choice(self) -> None:
        client = self.login(self.case_worker)
        page = client.get("/notifikasi/whatsapp/")
        self.assertContains(page, "Kirim juga lewat SMS")
        response = client.post("/notifikasi/whatsapp/", {"phone": "0812 9999 0003", "sms": "on"})
        self.assertRedirects(response, "/notifikasi/whatsapp/")
        setting = StaffPhone.objects.get(user=self.case_worker)
        self.assertEqual((setting.whatsapp_notifications, setting.sms_notifications), (False, True))
        response = client.post("/notifikasi/whatsapp/", {"phone": "٠٨١٢", "sms": "on"})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(StaffPhone.objects.get(user=self.case_worker).sms_notifications)
