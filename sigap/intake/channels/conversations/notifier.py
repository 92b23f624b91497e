"""Staff notifications by WhatsApp: a ``Notifier`` for ``sigap.core.notify``.

Only the notification's own text goes out (it is written to hold no personal
data: records by number, staff by username), never its link or anything
looked up. Staff opt in with their number at /notifikasi/whatsapp/; the send
goes through the worker like every other message (``actions.queue_notification``).
"""

from __future__ import annotations

from typing import Any

from sigap.intake.channels.conversations.actions import queue_notification


class WhatsAppNotifier:
    name = "whatsapp"

    def send(self, notification: Any) -> None:
        queue_notification(notification.recipient, f"SIGAP: {notification.text}")


WHATSAPP_NOTIFIER = WhatsAppNotifier()


def register() -> None:
    from sigap.core.notify import register_channel

    register_channel(WHATSAPP_NOTIFIER)
