"""Staff notifications by WhatsApp and SMS: ``Notifier`` channels for ``sigap.core.notify``.

Only the notification's own text goes out (it is written to hold no personal
data: records by number, staff by username), never its link or anything
looked up. Staff opt in with their number, per channel, at /notifikasi/whatsapp/;
the send goes through the worker like every other message
(``actions.queue_notification``), through the same providers (the WhatsApp
Cloud API, the SMS gateway) and their retries.
"""

from __future__ import annotations

from typing import Any

from sigap.intake.channels.conversations.actions import queue_notification
from sigap.intake.codes import Channel


class WhatsAppNotifier:
    name = "whatsapp"

    def send(self, notification: Any) -> None:
        queue_notification(notification.recipient, f"SIGAP: {notification.text}")


class SmsNotifier:
    name = "sms"

    def send(self, notification: Any) -> None:
        queue_notification(notification.recipient, f"SIGAP: {notification.text}", channel=Channel.SMS)


WHATSAPP_NOTIFIER = WhatsAppNotifier()
SMS_NOTIFIER = SmsNotifier()


def register() -> None:
    from sigap.core.notify import register_channel

    register_channel(WHATSAPP_NOTIFIER)
    register_channel(SMS_NOTIFIER)
