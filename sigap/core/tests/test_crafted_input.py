"""Crafted input gets a clear 4xx (or, from a webhook, 200 and the bad part skipped), never a 500.

Security review finding 9, one test per class of input (the permanent fuzz over
every URL and role is ``test_url_fuzz.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any

from django.test import Client

from sigap.cases.tests.factories import create_case
from sigap.intake.channels.conversations.models import Conversation, Message
from sigap.intake.channels.conversations.tests.base import ChannelTestCase
from sigap.intake.channels.testing import (
    SMS_SECRET,
    sms_event,
    sms_post,
    wa_post,
    wa_signature,
    wa_text,
)
from sigap.intake.models import Report
from sigap.intake.tests.factories import report_payload
from sigap.lib.params import clean_text, json_depth, parse_id
from sigap.lib.testing import SigapTestCase


class EdgeTests(SigapTestCase):
    def test_nul_in_a_path_or_query_or_form_value_is_refused_with_400(self) -> None:
        client = self.login(self.manager, client=Client(raise_request_exception=False))
        for response in (
            Client(raise_request_exception=False).get("/lacak", {"kode": "AB\x00CD"}),
            client.get("/kasus/", {"q": "1811\x00"}),
            client.get("/pengaduan/laporan/", {"nomor\x00": "1"}),
            client.get("/jaringan/desa/18.11.01.2001%00/"),
            client.post("/pengaduan/laporan/", "kind=phone&value=0812%00",
                        content_type="application/x-www-form-urlencoded"),
        ):
            self.assertEqual(response.status_code, 400)
            self.assertContains(response, "Permintaan tidak sah.", status_code=400)

    def test_unicode_digits_and_huge_integers_in_ids_and_filters_are_ignored_or_404(self) -> None:
        client = self.login(self.manager, client=Client(raise_request_exception=False))
        self.assertEqual(client.get("/kasus/", {"worker": "²"}).status_code, 200)
        self.assertEqual(client.get("/kasus/", {"worker": "9" * 30}).status_code, 200)
        self.assertEqual(client.get("/kasus/", {"after": "1-" + "9" * 30}).status_code, 200)
        self.assertEqual(client.get("/pengaduan/laporan/", {"after": "1_١٢٣"}).status_code, 200)
        self.assertEqual(client.get("/statistik/publik/", {"tahun": "9" * 30}).status_code, 200)
        self.assertEqual(client.get("/pengaduan/laporan/baru/", {"contact": "9" * 30}).status_code, 200)
        self.assertEqual(client.get(f"/kasus/{'9' * 25}/").status_code, 404)
        self.assertEqual(client.get(f"/pengaduan/inbox/{2**64}/").status_code, 404)
        self.assertEqual(client.get(f"/notifikasi/{'9' * 40}/baca/").status_code, 404)
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        response = client.post(f"/kasus/{case.pk}/rencana/", {"action": "remove_item", "item": "٣"})
        self.assertIn(response.status_code, (302, 400, 404))

    def test_the_helpers(self) -> None:
        self.assertEqual(parse_id("12"), 12)
        for bad in ("²", "١٢٣", "9" * 20, str(2**63), "0", "-1", "", None, "1.0", " 1"):
            self.assertIsNone(parse_id(bad), bad)
        self.assertEqual(clean_text("a\ud800b"), "a\ufffdb")
        self.assertEqual(clean_text("\ud83d\ude00"), "\U0001F600")
        self.assertEqual(json_depth(b'{"a": [1, {"b": "[[[["}]}'), 3)

    def test_a_refusal_is_logged_in_one_line_without_a_traceback(self) -> None:
        client = self.login(self.data_officer)
        with self.assertLogs("django.request", level="WARNING") as logs:
            self.assertEqual(client.get("/kasus/").status_code, 403)
        record = logs.records[-1]
        self.assertIsNone(record.exc_info)
        self.assertNotIn("Traceback", logging.Formatter().format(record))


class ApiCraftedInputTests(SigapTestCase):
    def test_json_nested_too_deep_and_lone_surrogates_in_the_api_get_4xx_or_are_sealed_as_u_fffd(self) -> None:
        from sigap.intake.api import issue_token

        token = issue_token(self.operator)
        headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        client = Client(raise_request_exception=False)
        deep = "[" * 5000 + "]" * 5000
        response = client.post("/api/v1/reports", data=deep, content_type="application/json", **headers)
        self.assertIn(response.status_code, (400, 422))
        payload = report_payload()
        payload["victims"][0]["name"] = "Siti \ud800 Contoh"
        payload["chronology"][0]["description"] = "Uraian \udfff kejadian."
        body = json.dumps(payload)  # ASCII escapes: "\\ud800" reaches the server as a lone surrogate
        response = client.post("/api/v1/reports", data=body, content_type="application/json", **headers)
        self.assertEqual(response.status_code, 201, response.content)
        victim = Report.objects.get().victims.get()
        self.assertEqual(victim.name, "Siti \ufffd Contoh")


class WebhookCraftedInputTests(ChannelTestCase):
    def test_an_unsigned_sms_with_a_huge_timestamp_gets_401(self) -> None:
        response = Client(raise_request_exception=False).post(
            "/webhooks/sms", data=b"{}", content_type="application/json", HTTP_X_TIMESTAMP="9" * 400,
            HTTP_X_SIGNATURE="00")
        self.assertEqual(response.status_code, 401)
        response = Client(raise_request_exception=False).post(
            "/webhooks/sms", data=b"{}", content_type="application/json", HTTP_X_TIMESTAMP="١٧٠٠٠٠٠٠٠٠",
            HTTP_X_SIGNATURE="00")
        self.assertEqual(response.status_code, 401)

    def test_an_sms_with_an_out_of_range_date_is_answered_200_and_kept_with_the_arrival_time(self) -> None:
        for n, when in enumerate(("0001-01-01T00:00:00-01:00", "9999-12-31T23:59:59+14:00", "2026-02-30T10:00:00Z")):
            payload = sms_event("sms:received", f"ev-{n}", message="Tolong", messageId="m", phoneNumber="+6285711112222",
                                receivedAt=when)
            response = sms_post(Client(raise_request_exception=False), payload)
            self.assertEqual(response.status_code, 200, when)
        self.assertEqual(Message.objects.count(), 3)

    def test_signed_json_nested_too_deep_gets_400_and_nothing_stored(self) -> None:
        body = ("[" * 3000 + "]" * 3000).encode()
        stamp = str(int(time.time()))
        sig = hmac.new(SMS_SECRET.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
        client = Client(raise_request_exception=False)
        response = client.post("/webhooks/sms", data=body, content_type="application/json",
                               HTTP_X_TIMESTAMP=stamp, HTTP_X_SIGNATURE=sig)
        self.assertEqual(response.status_code, 400)
        response = client.post("/webhooks/whatsapp", data=body, content_type="application/json",
                               HTTP_X_HUB_SIGNATURE_256=wa_signature(body))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Conversation.objects.exists())

    def test_a_whatsapp_message_with_lone_surrogates_and_a_wild_timestamp_is_stored_and_answered_200(self) -> None:
        payload = wa_text("6281234567890", "wamid.S1", "Tolong \ud800 saya")
        payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = "9" * 400
        payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = "\udfff"
        response = wa_post(Client(raise_request_exception=False), payload)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Message.objects.get().body, "Tolong \ufffd saya")
