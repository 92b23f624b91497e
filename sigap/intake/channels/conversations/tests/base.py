"""A test case with the fixed cast and a fake WhatsApp Graph API / SMS gateway."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import override_settings

from sigap.intake.channels.conversations.actions import receive
from sigap.intake.channels.conversations.models import Conversation
from sigap.intake.channels.testing import PHONE_NUMBER_ID, FakeProvider, wa_text
from sigap.intake.channels.whatsapp.payloads import parse
from sigap.intake.codes import Channel
from sigap.lib.testing import SigapTestCase

WA_ID = "6281234567890"
E164 = "+6281234567890"
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def jakarta(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    from zoneinfo import ZoneInfo

    return datetime.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Jakarta"))


class ChannelTestCase(SigapTestCase):
    fake: FakeProvider
    _overrides: Any

    @classmethod
    def setUpClass(cls) -> None:
        cls.fake = FakeProvider().start()
        cls._overrides = override_settings(**cls.fake.settings())
        cls._overrides.enable()
        try:
            super().setUpClass()
        except Exception:
            cls._overrides.disable()
            cls.fake.stop()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            super().tearDownClass()
        finally:
            cls._overrides.disable()
            cls.fake.stop()

    def setUp(self) -> None:
        super().setUp()
        self.fake.requests.clear()
        self.fake.failures.clear()

    def deliver(self, payload: dict[str, Any], **kwargs: Any) -> Any:
        return receive(Channel.WHATSAPP, parse(payload, phone_number_id=PHONE_NUMBER_ID), **kwargs)

    def link_to_report_of(self, conversation: Conversation, user: Any) -> Conversation:
        """Record ``conversation`` as a contact of a report filed by ``user`` (a case worker sees it then)."""
        from sigap.intake.models import Contact
        from sigap.intake.tests.factories import create_report

        report = create_report(user).report
        contact = Contact.objects.create(channel=conversation.channel, operator=user, outcome="laporan_baru",
                                         report=report)
        Conversation.objects.filter(pk=conversation.pk).update(contact=contact)
        conversation.refresh_from_db()
        return conversation

    def conversation_with(self, text: str = "Tolong, saya butuh bantuan", *, message_id: str = "wamid.IN1",
                          wa_id: str = WA_ID, **kwargs: Any) -> Conversation:
        self.deliver(wa_text(wa_id, message_id, text), **kwargs)
        return Conversation.objects.get(sender_index__isnull=False, messages__provider_id=message_id)
