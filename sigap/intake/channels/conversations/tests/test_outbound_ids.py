"""An id placed in an outbound URL is checked and encoded (security review finding 8).

A WhatsApp media id comes from the webhook body; joined into the Graph API URL
unencoded, "../<phone-number-id>/messages" or "x?fields=" would have sent our
bearer token to another endpoint of the API.
"""

from __future__ import annotations

from django.test import override_settings

from sigap.intake.channels.conversations.codes import MediaState
from sigap.intake.channels.conversations.models import Message
from sigap.intake.channels.conversations.providers import SendError
from sigap.intake.channels.conversations.tests.base import IMMEDIATE_TASKS, WA_ID, ChannelTestCase
from sigap.intake.channels.testing import wa_message, wa_post
from sigap.intake.channels.whatsapp.client import WhatsAppProvider


class OutboundIdTests(ChannelTestCase):
    def test_a_malformed_media_id_never_reaches_the_graph_api(self) -> None:
        for bad in ("../123/messages", "55?fields=all", "55#x", "a/b", "..", "", "x" * 200, "５５"):
            with self.assertRaises(SendError) as caught:
                WhatsAppProvider().fetch_media(bad, max_bytes=1000)
            self.assertEqual(caught.exception.code, "bad_id", bad)
            self.assertFalse(caught.exception.retryable)
        self.assertEqual(self.fake.requests, [])

    def test_a_delivered_media_id_with_a_path_in_it_fails_the_media_and_sends_nothing(self) -> None:
        with override_settings(TASKS=IMMEDIATE_TASKS), self.captureOnCommitCallbacks(execute=True):
            wa_post(self.client, wa_message(WA_ID, "wamid.IMG", "image",
                                            image={"id": "../123/messages", "mime_type": "image/jpeg"}))
        self.assertEqual(Message.objects.get().media_state, MediaState.FAILED)
        self.assertEqual([r for r in self.fake.requests if r.method == "GET"], [])

    def test_a_good_media_id_is_fetched_at_its_own_path(self) -> None:
        self.fake.add_media("5512", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg")
        media = WhatsAppProvider().fetch_media("5512", max_bytes=1000)
        self.assertEqual(media.data, b"\xff\xd8\xff\xe0 jpeg")
        self.assertTrue(self.fake.requests[0].path.endswith("/5512"))
