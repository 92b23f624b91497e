from __future__ import annotations

import datetime

from django.test import Client, override_settings
from django.utils import timezone

from sigap.intake.channels.conversations import actions
from sigap.intake.channels.conversations.codes import ConversationState, MessageStatus
from sigap.intake.channels.conversations.models import (
    Conversation,
    Message,
    OutboundMessage,
    StaffPhone,
)
from sigap.intake.channels.conversations.outbound import deliver
from sigap.intake.channels.conversations.prefill import conversation_prefill
from sigap.intake.channels.conversations.tests.base import IMMEDIATE_TASKS, WA_ID, ChannelTestCase
from sigap.intake.channels.testing import wa_message, wa_post, wa_text
from sigap.intake.models import Contact
from sigap.vault.models import AuditEntry


class InboxAccessTests(ChannelTestCase):
    def test_who_reaches_the_inbox_and_its_actions(self) -> None:
        conversation = self.link_to_report_of(self.conversation_with(), self.case_worker)
        workers = [self.manager, self.case_worker, self.operator]
        base = f"/pengaduan/inbox/{conversation.pk}/"
        self.assertAllowedOnly("get", "/pengaduan/inbox/", workers)
        self.assertAllowedOnly("get", base, workers)
        self.assertAllowedOnly("post", base + "ambil/", workers)
        self.assertAllowedOnly("post", base + "serahkan/", workers, {"to": self.operator.pk})
        self.assertAllowedOnly("post", base + "balas/", workers, {"quick": "aman"})
        self.assertAllowedOnly("post", base + "jangan-hubungi/", workers, {"value": "0"})
        self.assertAllowedOnly("post", base + "buat-laporan/", workers)

    def test_who_may_close_a_conversation_or_open_its_media(self) -> None:
        with override_settings(TASKS=IMMEDIATE_TASKS), self.captureOnCommitCallbacks(execute=True):
            self.fake.add_media("55", b"\xff\xd8\xff\xe0 jpeg bytes", "image/jpeg")
            wa_post(self.client, wa_message(WA_ID, "wamid.IMG", "image", image={"id": "55", "mime_type": "image/jpeg"}))
        message = Message.objects.get()
        conversation = self.link_to_report_of(message.conversation, self.case_worker)
        workers = [self.manager, self.case_worker, self.operator]
        self.assertAllowedOnly("get", f"/pengaduan/inbox/{conversation.pk}/pesan/{message.pk}/media/", workers)
        self.assertAllowedOnly("post", f"/pengaduan/inbox/{conversation.pk}/selesai/", workers,
                               {"outcome": "informasi"})

    def test_an_outbound_message_can_be_resent_only_by_the_inbox_team(self) -> None:
        conversation = self.link_to_report_of(self.conversation_with(), self.case_worker)
        message = actions.queue_reply(conversation, "Halo", by=self.operator)
        url = f"/pengaduan/inbox/{conversation.pk}/pesan/{message.pk}/kirim-ulang/"
        self.assertAllowedOnly("post", url, [self.manager, self.case_worker, self.operator])

    def test_the_notification_setting_is_for_staff_only(self) -> None:
        self.assertAllowedOnly("get", "/notifikasi/whatsapp/", self.staff_cast)

    def test_an_unknown_conversation_is_404(self) -> None:
        client = self.login(self.operator)
        self.assertEqual(client.get("/pengaduan/inbox/999999/").status_code, 404)

    def test_the_inbox_is_in_the_operators_navigation(self) -> None:
        response = self.login(self.operator).get("/staf/")
        self.assertContains(response, 'href="/pengaduan/inbox/"')
        response = self.login(self.data_officer, client=Client()).get("/staf/")
        self.assertNotContains(response, "/pengaduan/inbox/")


class InboxTests(ChannelTestCase):
    def test_waiting_conversations_come_first_longest_waiting_on_top(self) -> None:
        now = timezone.now()
        answered = self.conversation_with("Sudah dibalas", message_id="w.1", wa_id="6281100000001",
                                          now=now - datetime.timedelta(minutes=5))
        actions.queue_reply(answered, "Baik", by=self.operator)
        self.conversation_with("Baru saja", message_id="w.2", wa_id="6281100000002",
                               now=now - datetime.timedelta(minutes=2))
        self.conversation_with("Sudah lama", message_id="w.3", wa_id="6281100000003",
                               now=now - datetime.timedelta(minutes=40))
        response = self.login(self.operator).get("/pengaduan/inbox/")
        self.assertEqual(response.status_code, 200)
        order = [row["number"][-3:] for row in response.context["rows"]]
        self.assertEqual(order, ["003", "002", "001"])
        self.assertContains(response, "40 menit")
        self.assertEqual(response.context["waiting_count"], 2)
        waiting = self.login(self.operator).get("/pengaduan/inbox/?tampil=menunggu")
        self.assertEqual(len(waiting.context["rows"]), 2)

    def test_the_inbox_shows_no_full_number(self) -> None:
        self.conversation_with()
        response = self.login(self.operator).get("/pengaduan/inbox/")
        self.assertNotContains(response, "81234567890")
        self.assertContains(response, "Pelapor Uji")

    def test_reading_a_conversation_is_audited_and_shows_the_messages(self) -> None:
        conversation = self.conversation_with("Suami saya memukul saya")
        response = self.login(self.operator).get(f"/pengaduan/inbox/{conversation.pk}/")
        self.assertContains(response, "Suami saya memukul saya")
        self.assertContains(response, "Apakah Anda aman untuk berbicara sekarang?")
        self.assertTrue(AuditEntry.objects.filter(action="conversations.conversation.open",
                                                  object_id=str(conversation.pk)).exists())

    def test_an_operator_takes_and_another_is_assigned(self) -> None:
        conversation = self.conversation_with()
        client = self.login(self.operator)
        self.assertRedirects(client.post(f"/pengaduan/inbox/{conversation.pk}/ambil/"),
                             f"/pengaduan/inbox/{conversation.pk}/")
        conversation.refresh_from_db()
        self.assertEqual(conversation.assigned_to, self.operator)
        client.post(f"/pengaduan/inbox/{conversation.pk}/serahkan/", {"to": self.case_worker.pk})
        conversation.refresh_from_db()
        self.assertEqual(conversation.assigned_to, self.case_worker)
        response = client.post(f"/pengaduan/inbox/{conversation.pk}/serahkan/", {"to": self.data_officer.pk})
        self.assertEqual(response.status_code, 400)  # not someone who works the inbox

    def test_a_typed_reply_and_a_quick_reply_are_queued(self) -> None:
        conversation = self.conversation_with()
        client = self.login(self.operator)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(f"/pengaduan/inbox/{conversation.pk}/balas/", {"text": "Kami di sini untuk Anda."})
        self.assertRedirects(response, f"/pengaduan/inbox/{conversation.pk}/")
        client.post(f"/pengaduan/inbox/{conversation.pk}/balas/", {"quick": "aman"})
        bodies = list(Message.objects.filter(direction="keluar").order_by("id").values_list("pk", flat=True))
        texts = [Message.objects.get(pk=pk).body for pk in bodies]
        self.assertEqual(texts, ["Kami di sini untuk Anda.", "Apakah Anda aman untuk berbicara sekarang?"])

    def test_an_empty_reply_is_a_clear_error(self) -> None:
        conversation = self.conversation_with()
        response = self.login(self.operator).post(f"/pengaduan/inbox/{conversation.pk}/balas/", {"text": "  "})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Tulis balasan atau pilih templat.", status_code=400)

    def test_a_refused_reply_shows_why_and_keeps_the_text(self) -> None:
        conversation = self.conversation_with()
        actions.set_never_contact(conversation, True, by=self.operator)
        response = self.login(self.operator).post(
            f"/pengaduan/inbox/{conversation.pk}/balas/", {"text": "Teks yang diketik"}
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "jangan pernah hubungi", status_code=409)
        self.assertContains(response, "Teks yang diketik", status_code=409)
        self.assertFalse(Message.objects.filter(direction="keluar").exists())

    def test_a_failed_send_is_visible_with_a_way_to_retry(self) -> None:
        conversation = self.conversation_with()
        message = actions.queue_reply(conversation, "Halo", by=self.operator)
        self.fake.fail_next(400, {"error": {"message": "(#131026) Message Undeliverable.", "code": 131026}})
        deliver(OutboundMessage.objects.get(message=message).pk)
        response = self.login(self.operator).get(f"/pengaduan/inbox/{conversation.pk}/")
        self.assertContains(response, "Gagal")
        self.assertContains(response, "Message Undeliverable")
        self.assertContains(response, f"/pesan/{message.pk}/kirim-ulang/")
        self.assertContains(self.login(self.operator).get("/pengaduan/inbox/"), "ada pesan gagal terkirim")

    def test_buat_laporan_records_the_contact_and_opens_the_prefilled_report_form(self) -> None:
        conversation = self.conversation_with("Anak tetangga dipukul setiap malam", message_id="w.1")
        self.deliver(wa_text(WA_ID, "w.2", "Di Desa Contoh"))
        client = self.login(self.operator)
        response = client.post(f"/pengaduan/inbox/{conversation.pk}/buat-laporan/")
        self.assertRedirects(response, f"/pengaduan/laporan/baru/?conversation={conversation.pk}",
                             fetch_redirect_response=False)
        conversation.refresh_from_db()
        contact = conversation.contact
        assert contact is not None
        self.assertEqual((contact.channel, contact.outcome, contact.caller_phone),
                         ("whatsapp", "laporan_baru", "+6281234567890"))
        data = conversation_prefill(str(conversation.pk), self.operator)
        assert data is not None
        self.assertEqual((data["channel"], data["contact"]), ("whatsapp", contact.pk))
        self.assertIn("Anak tetangga dipukul setiap malam", data["description"])
        self.assertLess(data["description"].index("Anak tetangga"), data["description"].index("Di Desa Contoh"))
        form = client.get(response["Location"])
        self.assertEqual(form.status_code, 200)
        self.assertContains(form, "Anak tetangga dipukul setiap malam")
        # the sender's number is the reporter's phone, carried by the same mechanism as a contact's
        self.assertEqual(form.context["entry"].reporter["phone"].value(), "+6281234567890")
        # Pressing it again does not record a second contact.
        client.post(f"/pengaduan/inbox/{conversation.pk}/buat-laporan/")
        self.assertEqual(Contact.objects.count(), 1)

    def test_the_prefill_gives_nothing_to_someone_outside_the_inbox(self) -> None:
        conversation = self.conversation_with()
        self.assertIsNone(conversation_prefill(str(conversation.pk), self.data_officer))
        self.assertIsNone(conversation_prefill("bukan-angka", self.operator))
        self.assertIsNone(conversation_prefill("99999", self.operator))

    def test_closing_records_the_contact_with_its_outcome(self) -> None:
        conversation = self.conversation_with()
        actions.set_never_contact(conversation, True, by=self.operator)
        response = self.login(self.operator).post(
            f"/pengaduan/inbox/{conversation.pk}/selesai/", {"outcome": "informasi"}
        )
        self.assertRedirects(response, "/pengaduan/inbox/")
        conversation.refresh_from_db()
        self.assertEqual(conversation.state, ConversationState.CLOSED)
        contact = conversation.contact
        assert contact is not None
        self.assertEqual((contact.outcome, contact.do_not_call_back), ("informasi", True))

    def test_media_is_served_decrypted_and_each_opening_is_audited(self) -> None:
        with override_settings(TASKS=IMMEDIATE_TASKS), self.captureOnCommitCallbacks(execute=True):
            self.fake.add_media("66", b"OggS voice", "audio/ogg; codecs=opus")
            wa_post(self.client, wa_message(WA_ID, "wamid.V", "audio", audio={"id": "66", "voice": True,
                                                                               "mime_type": "audio/ogg; codecs=opus"}))
        message = Message.objects.get()
        client = self.login(self.operator)
        page = client.get(f"/pengaduan/inbox/{message.conversation_id}/")
        self.assertContains(page, "<audio controls")
        response = client.get(f"/pengaduan/inbox/{message.conversation_id}/pesan/{message.pk}/media/")
        self.assertEqual(response.content, b"OggS voice")
        self.assertEqual(response["Content-Type"], "audio/ogg")
        self.assertTrue(AuditEntry.objects.filter(action="conversations.media_opened").exists())

    def test_a_document_is_downloaded_never_rendered(self) -> None:
        with override_settings(TASKS=IMMEDIATE_TASKS), self.captureOnCommitCallbacks(execute=True):
            self.fake.add_media("77", b"<html><script>alert(1)</script>", "text/html")
            wa_post(self.client, wa_message(WA_ID, "wamid.D", "document", document={"id": "77", "mime_type": "text/html"}))
        message = Message.objects.get()
        response = self.login(self.operator).get(f"/pengaduan/inbox/{message.conversation_id}/pesan/{message.pk}/media/")
        self.assertEqual(response["Content-Type"], "application/octet-stream")
        self.assertTrue(response["Content-Disposition"].startswith("attachment"))


class StaffPhoneTests(ChannelTestCase):
    def test_a_case_worker_sets_a_sealed_number_for_notifications(self) -> None:
        client = self.login(self.case_worker)
        response = client.post("/notifikasi/whatsapp/", {"phone": "0812 9999 0000", "enabled": "on"})
        self.assertRedirects(response, "/notifikasi/whatsapp/")
        setting = StaffPhone.objects.get(user=self.case_worker)
        self.assertEqual((setting.phone, setting.whatsapp_notifications), ("+6281299990000", True))
        self.assertEqual(client.post("/notifikasi/whatsapp/", {"phone": "abc"}).status_code, 400)
        client.post("/notifikasi/whatsapp/", {"phone": ""})
        self.assertFalse(StaffPhone.objects.exists())

    def test_a_notification_goes_by_whatsapp_with_only_the_generic_text(self) -> None:
        actions.save_staff_phone(self.case_worker, "081299990000", True)
        outbound = actions.queue_notification(self.case_worker, "Ada tugas baru untuk Anda di SIGAP.")
        assert outbound is not None
        self.assertEqual(deliver(outbound.pk), "sent")
        [request] = self.fake.sent_messages()
        self.assertEqual(request.json["to"], "6281299990000")
        self.assertEqual(request.json["text"]["body"], "Ada tugas baru untuk Anda di SIGAP.")

    def test_with_a_template_configured_the_notice_is_its_parameter(self) -> None:
        actions.save_staff_phone(self.case_worker, "081299990000", True)
        with override_settings(SIGAP_WHATSAPP_NOTIFY_TEMPLATE="sigap_pemberitahuan"):
            outbound = actions.queue_notification(self.case_worker, "Ada tugas baru.")
            assert outbound is not None
            deliver(outbound.pk)
        [request] = self.fake.sent_messages()
        self.assertEqual(request.json["template"]["name"], "sigap_pemberitahuan")
        self.assertEqual(request.json["template"]["components"],
                         [{"type": "body", "parameters": [{"type": "text", "text": "Ada tugas baru."}]}])

    def test_core_notifications_reach_opted_in_staff_by_whatsapp(self) -> None:
        from sigap.core.notify import notify

        actions.save_staff_phone(self.case_worker, "081299990000", True)
        with self.captureOnCommitCallbacks(execute=True):
            notify([self.case_worker, self.operator], "case_assigned", "Kasus 1811-2026-000001 ditugaskan kepada Anda.")
        outbound = OutboundMessage.objects.get()
        self.assertEqual((outbound.recipient_user, outbound.body),
                         (self.case_worker, "SIGAP: Kasus 1811-2026-000001 ditugaskan kepada Anda."))

    def test_no_notification_without_opt_in(self) -> None:
        self.assertIsNone(actions.queue_notification(self.case_worker, "Ada tugas baru."))
        actions.save_staff_phone(self.case_worker, "081299990000", False)
        self.assertIsNone(actions.queue_notification(self.case_worker, "Ada tugas baru."))


class ConversationModelTests(ChannelTestCase):
    def test_a_never_contact_flag_stops_messages_already_queued(self) -> None:
        conversation = self.conversation_with()
        message = actions.queue_reply(conversation, "Halo", by=self.operator)
        actions.set_never_contact(conversation, True, by=self.operator)
        message.refresh_from_db()
        self.assertEqual(message.status, MessageStatus.REFUSED)
        self.assertTrue(Conversation.objects.get().never_contact)
