"""Background tasks of the messaging channels, run by the django-tasks worker.

* ``fetch_media``: a received photo, voice note or document into sealed storage;
* ``deliver_outbound``: one attempt at a queued send;
* ``auto_reply``: the out-of-hours answer;
* ``sweep`` (every minute): retries that are due and work whose task got lost.

Webhooks and actions enqueue after commit through ``enqueue``, which never
raises: the sweep picks up anything that could not be queued.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.utils import timezone
from django_tasks import task

from sigap.core.schedule import periodic

logger = logging.getLogger(__name__)

SWEEP_GRACE = datetime.timedelta(minutes=1)
SWEEP_LIMIT = 50


def enqueue(task_obj: Any, *args: Any) -> None:
    try:
        task_obj.enqueue(*args)
    except Exception:
        logger.exception("could not enqueue %s; the sweep will retry", getattr(task_obj, "name", task_obj))


def enqueue_at(task_obj: Any, when: datetime.datetime, *args: Any) -> None:
    """Queue for later when the backend can defer; otherwise the sweep will find it."""
    try:
        backend = task_obj.get_backend()
        if getattr(backend, "supports_defer", False):
            task_obj.using(run_after=when).enqueue(*args)
    except Exception:
        logger.exception("could not defer %s; the sweep will retry", getattr(task_obj, "name", task_obj))


def auto_reply_may_be_due() -> bool:
    from sigap.intake.channels.conversations.hours import office_hours

    return not office_hours().is_open(timezone.now())


@task()
def fetch_media(message_id: int) -> str:
    from sigap.intake.channels.conversations.media import fetch

    return str(fetch(message_id))


@task()
def deliver_outbound(outbound_id: int) -> str:
    from sigap.intake.channels.conversations.outbound import deliver

    return str(deliver(outbound_id))


@task()
def auto_reply(conversation_id: int) -> str:
    from sigap.intake.channels.conversations.autoreply import maybe_auto_reply

    return maybe_auto_reply(conversation_id)


def run_sweep(now: datetime.datetime | None = None) -> dict[str, int]:
    from sigap.intake.channels.conversations import media, outbound

    now = now or timezone.now()
    sent = fetched = 0
    for outbound_id in outbound.due_outbound(now, grace=SWEEP_GRACE, limit=SWEEP_LIMIT):
        outbound.deliver(outbound_id, now=now)
        sent += 1
    for message_id in media.due_media(now, grace=SWEEP_GRACE, limit=SWEEP_LIMIT):
        media.fetch(message_id)
        fetched += 1
    exhausted = media.mark_exhausted()
    return {"outbound_tried": sent, "media_tried": fetched, "media_given_up": exhausted}


@periodic(name="conversations.sweep", minutes=1)
@task()
def sweep() -> dict[str, int]:
    return run_sweep()
