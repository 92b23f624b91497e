"""Telling users that something happened: in-app rows now, other channels later.

``notify()`` is called inside the transaction of the change it announces and
does its work only after that transaction commits (a rolled-back change sends
nothing). Every notification is a ``Notification`` row (the in-app inbox at
/notifikasi/); extra channels (WhatsApp, e-mail) implement ``Notifier`` and are
added with ``register_channel``. Text must never carry personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol

from django.db import transaction

from sigap.core.models import Notification

logger = logging.getLogger("sigap.notify")

TEXT_LIMIT = 300


class Notifier(Protocol):
    """A channel that forwards a stored notification (e.g. WhatsApp, e-mail)."""

    name: str

    def send(self, notification: Notification) -> None: ...


_channels: list[Notifier] = []


def register_channel(channel: Notifier) -> None:
    if channel not in _channels:
        _channels.append(channel)


def unregister_channel(channel: Notifier) -> None:
    if channel in _channels:
        _channels.remove(channel)


def channels() -> list[Notifier]:
    return list(_channels)


def notify(users: Iterable[Any], kind: str, text: str, link: str = "") -> None:
    """Queue one notification per active user, written when the transaction commits."""
    recipients = sorted({user.pk for user in users if user is not None and user.is_active})
    if not recipients:
        return
    text = str(text)[:TEXT_LIMIT]

    def deliver() -> None:
        rows = Notification.objects.bulk_create(
            Notification(recipient_id=pk, kind=kind, text=text, link=link[:200]) for pk in recipients
        )
        for channel in channels():
            for row in rows:
                try:
                    channel.send(row)
                except Exception:  # one failing channel must not stop the others
                    logger.exception("notification channel %s failed for notification %s",
                                     getattr(channel, "name", "?"), row.pk)

    transaction.on_commit(deliver)
