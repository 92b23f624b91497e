from __future__ import annotations

import hashlib
import hmac
import time

from django.test import override_settings

from sigap.intake.channels.conversations import actions
from sigap.intake.channels.conversations.codes import MessageStatus, OutboundState
from sigap.intake.channels.conversations.models import Conversation, Message, OutboundMessage
from sigap.intake.channels.conversations.outbound import deliver
from sigap.intake.channels.conversations.tests.base import ChannelTestCase
from sigap.intake.channels.testing import SMS_SECRET, sms_event, sms_post


def received(event_id: str, text: str = "Tolong, saya di rumah", phone: str = "+6285711112222") -> dict[str, object]:
    return sms_event("sms:received", event_id, message=text, messageId="69bde8d0", phoneNumber=phone,
                     simNumber=1, receivedAt="2026-03-14T07:29:55.000+07:00")


class SmsWebhookTests(ChannelTestCase):
    def test_a_signed_sms_lands_in_a_conversation_of_channel_sms(self) -> None:
        response = sms_post(self.client, received("-9qZ4oiiZZRm-h_A3mrp2"))
        self.assertEqual(response.status_code, 200)
        conversation = Conversation.objects.get()
        message = Message.objects.get()
        self.assertEqual((conversation.channel, conversation.sender), ("sms", "+6285711112222"))
        self.assertEqual(message.body, "Tolong, saya di rumah")

    def test_a_local_number_and_the_international_form_are_one_sender(self) -> None:
        sms_post(self.client, received("e1", phone="085711112222"))
        sms_post(self.client, received("e2", phone="+62 857-1111-2222"))
        self.assertEqual(Conversation.objects.count(), 1)

    def test_a_bad_signature_or_an_old_timestamp_gets_401(self) -> None:
        self.assertEqual(sms_post(self.client, received("e1"), secret="salah").status_code, 401)
        self.assertEqual(sms_post(self.client, received("e1"), signature="").status_code, 401)
        self.assertEqual(sms_post(self.client, received("e1"), timestamp=int(time.time()) - 3600).status_code, 401)
        self.assertFalse(Message.objects.exists())

    def test_a_retried_event_is_stored_once(self) -> None:
        for _ in range(3):
            self.assertEqual(sms_post(self.client, received("same-event")).status_code, 200)
        self.assertEqual(Message.objects.count(), 1)

    def test_a_ping_is_answered(self) -> None:
        self.assertEqual(sms_post(self.client, sms_event("system:ping", "p1", health={})).status_code, 200)

    def test_the_channel_is_off_without_a_secret(self) -> None:
        with override_settings(SIGAP_SMS_GATEWAY_SECRET=""):
            self.assertEqual(sms_post(self.client, received("e1")).status_code, 404)


class SmsOutboundTests(ChannelTestCase):
    def test_a_reply_goes_to_the_gateway_signed_and_its_events_update_the_status(self) -> None:
        sms_post(self.client, received("e1"))
        conversation = Conversation.objects.get()
        message = actions.queue_reply(conversation, "Kami akan menghubungi Anda.", by=self.operator)
        outbound = OutboundMessage.objects.get(message=message)
        self.assertEqual(deliver(outbound.pk), OutboundState.SENT)
        [request] = self.fake.sms_sent()
        self.assertEqual(request.json, {"id": f"sigap-{outbound.pk}", "message": "Kami akan menghubungi Anda.",
                                        "phoneNumbers": ["+6285711112222"]})
        expected = hmac.new(SMS_SECRET.encode(), request.body + request.headers["x-timestamp"].encode(),
                            hashlib.sha256).hexdigest()
        self.assertEqual(request.headers["x-signature"], expected)
        message.refresh_from_db()
        self.assertEqual((message.status, message.provider_id), (MessageStatus.SENT, f"sigap-{outbound.pk}"))
        sms_post(self.client, sms_event("sms:delivered", "e2", messageId=f"sigap-{outbound.pk}",
                                        phoneNumber="+6285711112222", deliveredAt="2026-03-14T07:31:00.000+07:00"))
        message.refresh_from_db()
        self.assertEqual(message.status, MessageStatus.DELIVERED)

    def test_a_gateway_failure_event_is_shown(self) -> None:
        sms_post(self.client, received("e1"))
        message = actions.queue_reply(Conversation.objects.get(), "Halo", by=self.operator)
        deliver(OutboundMessage.objects.get(message=message).pk)
        message.refresh_from_db()
        sms_post(self.client, sms_event("sms:failed", "e3", messageId=message.provider_id,
                                        phoneNumber="+6285711112222", reason="RESULT_ERROR_NO_SERVICE"))
        message.refresh_from_db()
        self.assertEqual((message.status, message.error_title), (MessageStatus.FAILED, "RESULT_ERROR_NO_SERVICE"))

    def test_a_gateway_that_is_down_is_retried(self) -> None:
        sms_post(self.client, received("e1"))
        message = actions.queue_reply(Conversation.objects.get(), "Halo", by=self.operator)
        self.fake.fail_next(502)
        self.assertEqual(deliver(OutboundMessage.objects.get(message=message).pk), OutboundState.RETRY)
