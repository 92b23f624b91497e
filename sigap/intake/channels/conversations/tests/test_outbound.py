from __future__ import annotations

import datetime

from django.test import override_settings
from django.utils import timezone

from sigap.intake.actions import record_contact
from sigap.intake.channels.conversations import actions
from sigap.intake.channels.conversations.autoreply import maybe_auto_reply
from sigap.intake.channels.conversations.codes import MessageStatus, OutboundState
from sigap.intake.channels.conversations.models import Message, OutboundMessage
from sigap.intake.channels.conversations.outbound import MAX_ATTEMPTS, deliver
from sigap.intake.channels.conversations.tasks import run_sweep
from sigap.intake.channels.conversations.tests.base import E164, WA_ID, ChannelTestCase, jakarta
from sigap.intake.channels.testing import ACCESS_TOKEN, PHONE_NUMBER_ID
from sigap.intake.codes import Channel, ContactOutcome
from sigap.intake.tests.factories import create_report, report_payload
from sigap.intake.validation import ContactInput


def outbound_of(message: Message) -> OutboundMessage:
    return OutboundMessage.objects.get(message=message)


class ReplyTests(ChannelTestCase):
    def test_a_reply_reaches_the_graph_api_with_the_documented_json(self) -> None:
        conversation = self.conversation_with()
        message = actions.queue_reply(conversation, "Apakah Anda aman untuk berbicara sekarang?", by=self.operator)
        self.assertEqual(message.status, MessageStatus.QUEUED)
        self.assertEqual(deliver(outbound_of(message).pk), OutboundState.SENT)
        [request] = self.fake.sent_messages()
        self.assertEqual(request.path, f"/v21.0/{PHONE_NUMBER_ID}/messages")
        self.assertEqual(request.headers["authorization"], f"Bearer {ACCESS_TOKEN}")
        self.assertEqual(request.headers["content-type"], "application/json")
        self.assertEqual(
            request.json,
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": WA_ID,
                "type": "text",
                "text": {"preview_url": False, "body": "Apakah Anda aman untuk berbicara sekarang?"},
            },
        )
        message.refresh_from_db()
        self.assertEqual(message.status, MessageStatus.SENT)
        self.assertTrue(message.provider_id.startswith("wamid.FAKE"))
        conversation.refresh_from_db()
        self.assertIsNone(conversation.waiting_since)
        self.assertEqual(conversation.assigned_to, self.operator)

    def test_a_500_is_retried_after_a_pause_and_then_goes_through(self) -> None:
        conversation = self.conversation_with()
        message = actions.queue_reply(conversation, "Kami segera membantu.", by=self.operator)
        outbound = outbound_of(message)
        self.fake.fail_next(500)
        now = timezone.now()
        self.assertEqual(deliver(outbound.pk, now=now), OutboundState.RETRY)
        outbound.refresh_from_db()
        message.refresh_from_db()
        self.assertEqual((outbound.attempts, outbound.state), (1, OutboundState.RETRY))
        self.assertEqual(outbound.next_attempt_at, now + datetime.timedelta(seconds=30))
        self.assertEqual(message.status, MessageStatus.QUEUED)
        self.assertEqual(message.error_code, "2")  # the operator sees that a try failed
        # Not yet due: the sweep leaves it alone.
        run_sweep(now + datetime.timedelta(seconds=10))
        self.assertEqual(len(self.fake.sent_messages()), 1)
        run_sweep(now + datetime.timedelta(seconds=31))
        first, second = self.fake.sent_messages()
        self.assertEqual(first.json, second.json)
        message.refresh_from_db()
        outbound.refresh_from_db()
        self.assertEqual((message.status, outbound.attempts, outbound.state),
                         (MessageStatus.SENT, 2, OutboundState.SENT))

    def test_a_send_that_keeps_failing_ends_failed_and_visible(self) -> None:
        conversation = self.conversation_with()
        message = actions.queue_reply(conversation, "Halo", by=self.operator)
        outbound = outbound_of(message)
        self.fake.fail_next(503, times=MAX_ATTEMPTS)
        moment = timezone.now()
        for _ in range(MAX_ATTEMPTS):
            deliver(outbound.pk, now=moment)
            moment += datetime.timedelta(hours=2)
        outbound.refresh_from_db()
        message.refresh_from_db()
        self.assertEqual((outbound.state, outbound.attempts), (OutboundState.FAILED, MAX_ATTEMPTS))
        self.assertEqual(message.status, MessageStatus.FAILED)
        self.assertEqual(len(self.fake.sent_messages()), MAX_ATTEMPTS)

    def test_a_final_provider_error_is_not_retried(self) -> None:
        conversation = self.conversation_with()
        message = actions.queue_reply(conversation, "Halo", by=self.operator)
        self.fake.fail_next(400, {"error": {"message": "(#131026) Message Undeliverable.", "type": "OAuthException",
                                            "code": 131026, "fbtrace_id": "Az8"}})
        self.assertEqual(deliver(outbound_of(message).pk), OutboundState.FAILED)
        message.refresh_from_db()
        self.assertEqual((message.status, message.error_code), (MessageStatus.FAILED, "131026"))
        self.assertEqual(message.error_title, "(#131026) Message Undeliverable.")

    def test_a_failed_reply_can_be_sent_again(self) -> None:
        conversation = self.conversation_with()
        message = actions.queue_reply(conversation, "Halo", by=self.operator)
        self.fake.fail_next(400, {"error": {"message": "Invalid parameter", "code": 100}})
        deliver(outbound_of(message).pk)
        actions.resend(message, by=self.operator)
        self.assertEqual(deliver(outbound_of(message).pk), OutboundState.SENT)


class SafetyRuleTests(ChannelTestCase):
    def test_nothing_is_sent_to_a_number_an_operator_marked_never_contact(self) -> None:
        conversation = self.conversation_with()
        queued = actions.queue_reply(conversation, "Halo", by=self.operator)
        actions.set_never_contact(conversation, True, by=self.operator)
        self.assertEqual(deliver(outbound_of(queued).pk), "skipped")
        with self.assertRaises(actions.SendRefused) as refused:
            actions.queue_reply(conversation, "Halo lagi", by=self.operator)
        self.assertEqual(refused.exception.refusal.code, "never_contact")
        queued.refresh_from_db()
        self.assertEqual(queued.status, MessageStatus.REFUSED)
        self.assertEqual(self.fake.sent_messages(), [])

    def test_the_flag_holds_for_the_senders_next_conversation_too(self) -> None:
        first = self.conversation_with(message_id="wamid.1")
        actions.set_never_contact(first, True, by=self.operator)
        actions.close(first, "informasi", by=self.operator)
        second = self.conversation_with(message_id="wamid.2")
        with self.assertRaises(actions.SendRefused) as refused:
            actions.queue_reply(second, "Halo", by=self.operator)
        self.assertEqual(refused.exception.refusal.code, "never_call_back")

    def test_a_report_saying_never_call_back_stops_every_message(self) -> None:
        payload = report_payload(safe_contact={"never_call_back": True, "safe_times": None})
        payload["reporter"]["phone"] = "0812-3456-7890"
        create_report(self.operator, **payload)
        conversation = self.conversation_with()
        with self.assertRaises(actions.SendRefused) as refused:
            actions.queue_reply(conversation, "Halo", by=self.operator)
        self.assertEqual(refused.exception.refusal.code, "never_call_back")

    def test_a_contact_marked_do_not_call_back_in_intake_stops_every_message(self) -> None:
        record_contact(
            ContactInput(channel=Channel.TELEPON, outcome=ContactOutcome.INFORMATION, caller_phone="081234567890",
                         do_not_call_back=True),
            by=self.operator,
        )
        conversation = self.conversation_with()
        with self.assertRaises(actions.SendRefused):
            actions.queue_reply(conversation, "Halo", by=self.operator)

    def test_stated_safe_times_are_respected(self) -> None:
        payload = report_payload(safe_contact={"never_call_back": False, "safe_times": "jam 08.00 - 12.00 WIB"})
        payload["reporter"]["phone"] = E164
        create_report(self.operator, **payload)
        monday_morning, monday_afternoon = jakarta(2026, 3, 2, 9), jakarta(2026, 3, 2, 14)
        conversation = self.conversation_with(now=monday_morning - datetime.timedelta(minutes=5))
        with self.assertRaises(actions.SendRefused) as refused:
            actions.queue_reply(conversation, "Halo", by=self.operator, now=monday_afternoon)
        self.assertEqual(refused.exception.refusal.code, "outside_safe_time")
        message = actions.queue_reply(conversation, "Halo", by=self.operator, now=monday_morning)
        # The worker asks again: by now the safe time has passed.
        self.assertEqual(deliver(outbound_of(message).pk, now=monday_afternoon), OutboundState.REFUSED)
        self.assertEqual(self.fake.sent_messages(), [])

    def test_safe_times_the_machine_cannot_read_need_the_operators_confirmation(self) -> None:
        payload = report_payload(safe_contact={"never_call_back": False, "safe_times": "sore, setelah suami berangkat"})
        payload["reporter"]["phone"] = E164
        create_report(self.operator, **payload)
        conversation = self.conversation_with()
        with self.assertRaises(actions.SendRefused) as refused:
            actions.queue_reply(conversation, "Halo", by=self.operator)
        self.assertTrue(refused.exception.refusal.needs_confirmation)
        message = actions.queue_reply(conversation, "Halo", by=self.operator, safe_time_confirmed=True)
        self.assertEqual(deliver(outbound_of(message).pk), OutboundState.SENT)

    def test_outside_the_24_hour_window_only_an_approved_template_goes(self) -> None:
        now = timezone.now()
        conversation = self.conversation_with(now=now - datetime.timedelta(hours=25))
        conversation.last_inbound_at = now - datetime.timedelta(hours=25)
        conversation.save(update_fields=["last_inbound_at"])
        with self.assertRaises(actions.SendRefused) as refused:
            actions.queue_reply(conversation, "Halo", by=self.operator)
        self.assertEqual(refused.exception.refusal.code, "window_closed")
        with self.assertRaises(actions.SendRefused):
            actions.queue_reply(conversation, "", by=self.operator, template_name="tidak_ada")
        with override_settings(SIGAP_WHATSAPP_TEMPLATES=["sigap_tindak_lanjut"]):
            message = actions.queue_reply(conversation, "", by=self.operator, template_name="sigap_tindak_lanjut")
            self.assertEqual(deliver(outbound_of(message).pk), OutboundState.SENT)
        [request] = self.fake.sent_messages()
        self.assertEqual(request.json["type"], "template")
        self.assertEqual(request.json["template"], {"name": "sigap_tindak_lanjut", "language": {"code": "id"}})

    def test_a_channel_without_credentials_sends_nothing(self) -> None:
        conversation = self.conversation_with()
        with override_settings(SIGAP_WHATSAPP_ACCESS_TOKEN=""), self.assertRaises(actions.SendRefused) as refused:
            actions.queue_reply(conversation, "Halo", by=self.operator)
        self.assertEqual(refused.exception.refusal.code, "channel_off")


class AutoReplyTests(ChannelTestCase):
    SATURDAY = jakarta(2026, 3, 7, 20)

    @override_settings(SIGAP_OFFICE_HOURS="mon-fri 08:00-16:00", SIGAP_EMERGENCY_NUMBERS=["110", "129"])
    def test_outside_office_hours_the_sender_gets_the_emergency_numbers_once(self) -> None:
        conversation = self.conversation_with(now=self.SATURDAY)
        self.assertEqual(maybe_auto_reply(conversation.pk, now=self.SATURDAY), OutboundState.SENT)
        [request] = self.fake.sent_messages()
        body = request.json["text"]["body"]
        self.assertIn("110, 129", body)
        self.assertIn("Senin pukul 08.00 WIB", body)
        self.assertEqual(
            maybe_auto_reply(conversation.pk, now=self.SATURDAY + datetime.timedelta(hours=1)), "already_sent"
        )
        conversation.refresh_from_db()
        self.assertIsNotNone(conversation.waiting_since)  # still waiting for a person

    @override_settings(SIGAP_OFFICE_HOURS="mon-fri 08:00-16:00")
    def test_inside_office_hours_there_is_no_automatic_reply(self) -> None:
        monday = jakarta(2026, 3, 2, 10)
        conversation = self.conversation_with(now=monday)
        self.assertEqual(maybe_auto_reply(conversation.pk, now=monday), "office_open")
        self.assertEqual(self.fake.sent_messages(), [])

    @override_settings(SIGAP_OFFICE_HOURS="mon-fri 08:00-16:00")
    def test_no_automatic_reply_to_a_number_that_must_not_be_contacted(self) -> None:
        conversation = self.conversation_with(now=self.SATURDAY)
        actions.set_never_contact(conversation, True, by=self.operator)
        self.assertEqual(maybe_auto_reply(conversation.pk, now=self.SATURDAY), "refused")
        self.assertEqual(self.fake.sent_messages(), [])
