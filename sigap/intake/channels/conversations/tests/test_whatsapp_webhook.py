from __future__ import annotations

import json
from typing import Any
from unittest import mock

from django.db import OperationalError, connection
from django.test import override_settings

from sigap.intake.channels.conversations import actions
from sigap.intake.channels.conversations.codes import (
    Direction,
    MediaState,
    MessageKind,
    MessageStatus,
)
from sigap.intake.channels.conversations.models import (
    Conversation,
    MediaBlob,
    Message,
    OutboundMessage,
)
from sigap.intake.channels.conversations.tests.base import (
    E164,
    IMMEDIATE_TASKS,
    WA_ID,
    ChannelTestCase,
)
from sigap.intake.channels.testing import (
    ACCESS_TOKEN,
    VERIFY_TOKEN,
    wa_message,
    wa_post,
    wa_status,
    wa_text,
)
from sigap.vault.models import AuditEntry


def raw_bytes(table: str, column: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - fixed names in tests
        return b"".join(bytes(row[0]) for row in cursor.fetchall() if row[0] is not None)


class VerificationTests(ChannelTestCase):
    def test_meta_verification_handshake_echoes_the_challenge(self) -> None:
        response = self.client.get(
            "/webhooks/whatsapp",
            {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"1158201444")

    def test_verification_with_a_wrong_token_is_refused(self) -> None:
        response = self.client.get(
            "/webhooks/whatsapp", {"hub.mode": "subscribe", "hub.verify_token": "salah", "hub.challenge": "1"}
        )
        self.assertEqual(response.status_code, 403)

    def test_a_channel_without_credentials_is_off(self) -> None:
        with override_settings(SIGAP_WHATSAPP_APP_SECRET=""):
            response = self.client.get(
                "/webhooks/whatsapp",
                {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
            )
            self.assertEqual(response.status_code, 404)
            response = wa_post(self.client, wa_text(WA_ID, "wamid.X", "Halo"))
            self.assertEqual(response.status_code, 404)
        self.assertFalse(Message.objects.exists())


class DeliveryTests(ChannelTestCase):
    def test_a_signed_text_message_is_stored_sealed_in_a_conversation(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = wa_post(self.client, wa_text(WA_ID, "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBE", "Tolong saya"))
        self.assertEqual(response.status_code, 200)
        conversation = Conversation.objects.get()
        message = Message.objects.get()
        self.assertEqual((conversation.sender, conversation.profile_name, conversation.channel),
                         (E164, "Pelapor Uji", "whatsapp"))
        self.assertEqual((message.body, message.kind, message.direction), ("Tolong saya", "text", Direction.INBOUND))
        self.assertIsNotNone(conversation.waiting_since)
        self.assertIsNotNone(conversation.last_inbound_at)
        self.assertNotIn(b"Tolong saya", raw_bytes("conversations_message", "body"))
        self.assertNotIn(b"81234567890", raw_bytes("conversations_conversation", "sender"))
        self.assertNotIn(b"Pelapor", raw_bytes("conversations_conversation", "profile_name"))
        self.assertTrue(AuditEntry.objects.filter(action="conversations.conversation_started").exists())

    def test_a_bad_signature_gets_401_and_stores_nothing(self) -> None:
        response = wa_post(self.client, wa_text(WA_ID, "wamid.A", "Halo"), secret="rahasia-lain")
        self.assertEqual(response.status_code, 401)
        response = wa_post(self.client, wa_text(WA_ID, "wamid.A", "Halo"), signature="")
        self.assertEqual(response.status_code, 401)
        response = wa_post(self.client, wa_text(WA_ID, "wamid.A", "Halo"), signature="sha256=" + "0" * 64)
        self.assertEqual(response.status_code, 401)
        self.assertFalse(Message.objects.exists())
        self.assertFalse(Conversation.objects.exists())

    def test_a_body_changed_after_signing_is_refused(self) -> None:
        body = json.dumps(wa_text(WA_ID, "wamid.A", "Halo")).encode()
        from sigap.intake.channels.testing import wa_signature

        tampered = body.replace(b"Halo", b"Hola")
        response = self.client.post(
            "/webhooks/whatsapp", data=tampered, content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=wa_signature(body),
        )
        self.assertEqual(response.status_code, 401)
        self.assertFalse(Message.objects.exists())

    def test_the_same_delivery_three_times_stores_one_message(self) -> None:
        payload = wa_text(WA_ID, "wamid.DUP", "Pesan yang sama")
        for _ in range(3):
            self.assertEqual(wa_post(self.client, payload).status_code, 200)
        self.assertEqual(Message.objects.count(), 1)
        self.assertEqual(Conversation.objects.count(), 1)

    def test_messages_of_one_sender_share_a_conversation_and_others_get_their_own(self) -> None:
        wa_post(self.client, wa_text(WA_ID, "wamid.1", "Satu"))
        wa_post(self.client, wa_text(WA_ID, "wamid.2", "Dua"))
        wa_post(self.client, wa_text("6285700001111", "wamid.3", "Lain"))
        self.assertEqual(Conversation.objects.count(), 2)
        self.assertEqual(Conversation.objects.get(messages__provider_id="wamid.1").messages.count(), 2)

    def test_a_message_after_the_conversation_closed_starts_a_new_one(self) -> None:
        first = self.conversation_with(message_id="wamid.1")
        actions.close(first, "informasi", by=self.operator)
        self.conversation_with(message_id="wamid.2")
        self.assertEqual(Conversation.objects.count(), 2)

    def test_a_delivery_is_acknowledged_only_once_committed(self) -> None:
        payload = wa_text(WA_ID, "wamid.1", "Satu")
        payload["entry"][0]["changes"][0]["value"]["messages"].append(
            {"from": WA_ID, "id": "wamid.2", "timestamp": "1700000000", "type": "text", "text": {"body": "Dua"}}
        )
        real = actions._store_inbound
        calls: list[int] = []

        def second_fails(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            if len(calls) == 2:
                raise OperationalError("database is locked")
            return real(*args, **kwargs)

        with mock.patch.object(actions, "_store_inbound", side_effect=second_fails):
            response = wa_post(self.client, payload)
        self.assertEqual(response.status_code, 503)
        self.assertFalse(Message.objects.exists())
        self.assertFalse(Conversation.objects.exists())
        # Meta retries; now it goes through, once.
        self.assertEqual(wa_post(self.client, payload).status_code, 200)
        self.assertEqual(Message.objects.count(), 2)

    def test_a_signed_body_that_is_not_json_is_a_bad_request(self) -> None:
        from sigap.intake.channels.testing import wa_signature

        body = b"{not json"
        response = self.client.post(
            "/webhooks/whatsapp", data=body, content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=wa_signature(body),
        )
        self.assertEqual(response.status_code, 400)

    def test_deliveries_for_another_phone_number_are_ignored(self) -> None:
        payload = wa_text(WA_ID, "wamid.1", "Halo")
        payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
        self.assertEqual(wa_post(self.client, payload).status_code, 200)
        self.assertFalse(Message.objects.exists())

    def test_the_log_never_holds_the_text_or_the_number(self) -> None:
        with self.assertLogs("sigap", level="INFO") as logs:
            wa_post(self.client, wa_text(WA_ID, "wamid.1", "Rahasia sekali"))
            wa_post(self.client, wa_text(WA_ID, "wamid.2", "x"), secret="salah")
        text = "\n".join(logs.output)
        self.assertNotIn("Rahasia", text)
        self.assertNotIn("81234567890", text)

    def test_a_foreign_sender_keeps_their_country_code(self) -> None:
        wa_post(self.client, wa_text("14155550123", "wamid.US", "Hello"))
        self.assertEqual(Conversation.objects.get().sender, "+14155550123")

    def test_every_message_type_is_kept(self) -> None:
        deliveries = [
            wa_message(WA_ID, "wamid.img", "image", image={"id": "1001", "mime_type": "image/jpeg",
                                                           "sha256": "abc", "caption": "Foto luka"}),
            wa_message(WA_ID, "wamid.doc", "document", document={"id": "1002", "mime_type": "application/pdf",
                                                                 "sha256": "abc", "filename": "surat.pdf"}),
            wa_message(WA_ID, "wamid.loc", "location", location={"latitude": -3.8, "longitude": 105.4,
                                                                 "name": "Balai desa", "address": "Jl. Desa"}),
            wa_message(WA_ID, "wamid.btn", "interactive", interactive={
                "type": "button_reply", "button_reply": {"id": "ya", "title": "Ya, aman"}}),
            wa_message(WA_ID, "wamid.list", "interactive", interactive={
                "type": "list_reply", "list_reply": {"id": "l1", "title": "Kekerasan fisik", "description": "Dipukul"}}),
            wa_message(WA_ID, "wamid.unsup", "unsupported", errors=[{"code": 131051, "title": "Message type unknown"}]),
        ]
        for payload in deliveries:
            self.assertEqual(wa_post(self.client, payload).status_code, 200)
        kept = {m.provider_id: m for m in Message.objects.all()}
        self.assertEqual((kept["wamid.img"].kind, kept["wamid.img"].body, kept["wamid.img"].media_id),
                         (MessageKind.IMAGE, "Foto luka", "1001"))
        self.assertEqual(kept["wamid.img"].media_state, MediaState.PENDING)
        self.assertEqual(kept["wamid.doc"].body, "surat.pdf")
        self.assertIn("Balai desa", kept["wamid.loc"].body or "")
        self.assertIn("-3.8, 105.4", kept["wamid.loc"].body or "")
        self.assertEqual(kept["wamid.btn"].body, "Ya, aman")
        self.assertEqual(kept["wamid.list"].body, "Kekerasan fisik\nDipukul")
        self.assertEqual(kept["wamid.unsup"].kind, MessageKind.UNSUPPORTED)
        self.assertEqual(Conversation.objects.count(), 1)


class StatusTests(ChannelTestCase):
    def _outbound(self) -> Message:
        conversation = self.conversation_with()
        message = actions.queue_reply(conversation, "Kami di sini", by=self.operator)
        message.refresh_from_db()
        from sigap.intake.channels.conversations.outbound import deliver

        deliver(OutboundMessage.objects.get(message=message).pk)
        message.refresh_from_db()
        self.assertEqual(message.status, MessageStatus.SENT)
        return message

    def test_status_updates_move_the_message_up_and_never_back(self) -> None:
        message = self._outbound()
        wa_post(self.client, wa_status(message.provider_id, "delivered", WA_ID))
        message.refresh_from_db()
        self.assertEqual(message.status, MessageStatus.DELIVERED)
        wa_post(self.client, wa_status(message.provider_id, "read", WA_ID))
        wa_post(self.client, wa_status(message.provider_id, "delivered", WA_ID))  # late, out of order
        message.refresh_from_db()
        self.assertEqual(message.status, MessageStatus.READ)

    def test_a_failed_status_shows_the_providers_reason(self) -> None:
        message = self._outbound()
        wa_post(self.client, wa_status(message.provider_id, "failed", WA_ID, errors=[
            {"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable",
             "error_data": {"details": "Message Undeliverable."}}]))
        message.refresh_from_db()
        self.assertEqual((message.status, message.error_code, message.error_title),
                         (MessageStatus.FAILED, "131026", "Message undeliverable"))

    def test_a_status_for_an_unknown_message_is_ignored(self) -> None:
        self.assertEqual(wa_post(self.client, wa_status("wamid.UNKNOWN", "read", WA_ID)).status_code, 200)


@override_settings(TASKS=IMMEDIATE_TASKS)
class MediaTests(ChannelTestCase):
    VOICE = b"OggS\x00\x02" + bytes(range(256)) * 40

    def test_a_voice_note_is_fetched_through_the_graph_api_and_stored_sealed(self) -> None:
        self.fake.add_media("1146685829823722", self.VOICE, "audio/ogg; codecs=opus")
        payload = wa_message(WA_ID, "wamid.VOICE", "audio", audio={
            "mime_type": "audio/ogg; codecs=opus", "sha256": "ignored-by-us", "id": "1146685829823722",
            "voice": True})
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(wa_post(self.client, payload).status_code, 200)
        message = Message.objects.get()
        self.assertEqual((message.kind, message.voice, message.media_state), (MessageKind.AUDIO, True,
                                                                             MediaState.STORED))
        blob = MediaBlob.objects.get(message=message)
        self.assertEqual(bytes(blob.data), self.VOICE)
        self.assertEqual(blob.size, len(self.VOICE))
        self.assertNotIn(self.VOICE[:200], raw_bytes("conversations_mediablob", "data"))
        lookups = [r for r in self.fake.requests if r.method == "GET"]
        self.assertEqual([r.path.split("?")[0] for r in lookups],
                         ["/v21.0/1146685829823722", "/whatsapp_business/attachments/"])
        self.assertTrue(all(r.headers["authorization"] == f"Bearer {ACCESS_TOKEN}" for r in lookups))

    def test_media_that_cannot_be_fetched_stays_pending_then_fails(self) -> None:
        from sigap.intake.channels.conversations.media import MAX_MEDIA_ATTEMPTS, fetch

        payload = wa_message(WA_ID, "wamid.IMG", "image", image={"id": "404404", "mime_type": "image/jpeg"})
        wa_post(self.client, payload)
        message = Message.objects.get()
        self.assertEqual(fetch(message.pk), "failed")  # the fake answers 404: final
        message.refresh_from_db()
        self.assertEqual(message.media_state, MediaState.FAILED)
        self.assertLessEqual(message.media_attempts, MAX_MEDIA_ATTEMPTS)

    def test_media_over_the_limit_is_not_stored(self) -> None:
        self.fake.add_media("777", b"x" * (1024 * 1024 + 1), "video/mp4")
        with override_settings(SIGAP_WHATSAPP_MEDIA_MAX_MB=1), self.captureOnCommitCallbacks(execute=True):
            wa_post(self.client, wa_message(WA_ID, "wamid.VID", "video", video={"id": "777", "mime_type": "video/mp4"}))
        message = Message.objects.get()
        self.assertEqual(message.media_state, MediaState.TOO_LARGE)
        self.assertFalse(MediaBlob.objects.exists())
