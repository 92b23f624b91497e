"""Periodic jobs on top of the django-tasks queue.

The database worker runs what is queued but has no clock of its own. Apps
declare periodic tasks with ``@periodic(...)`` in their ``tasks.py``; ``tick()``
enqueues every job whose interval has passed. ``manage.py serve`` calls
``tick()`` every ``TICK_SECONDS``; a deployment without ``serve`` runs
``manage.py schedule_tick`` from a systemd timer or cron (docs/OPERATIONS.md).

The row lock on ``ScheduledJob`` makes concurrent tickers enqueue a job once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger("sigap.schedule")

TICK_SECONDS = 30


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    task: Any  # a django_tasks Task (has .enqueue())


JOBS: dict[str, Job] = {}


def periodic(*, name: str, minutes: int = 0, hours: int = 0) -> Callable[[Any], Any]:
    """Register a django-tasks task to be enqueued every ``minutes``/``hours``."""
    every = timedelta(minutes=minutes, hours=hours)
    if every <= timedelta(0):
        raise ValueError("a periodic job needs a positive interval")

    def register(task: Any) -> Any:
        JOBS[name] = Job(name=name, every=every, task=task)
        return task

    return register


_discovered = False


def discover() -> dict[str, Job]:
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True
    return JOBS


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue the jobs that are due; returns their names."""
    from sigap.core.models import ScheduledJob

    now = now or timezone.now()
    enqueued: list[str] = []
    for job in discover().values():
        try:
            with transaction.atomic():
                row, _ = ScheduledJob.objects.select_for_update().get_or_create(name=job.name)
                if row.last_enqueued_at is not None and now - row.last_enqueued_at < job.every:
                    continue
                job.task.enqueue()
                row.last_enqueued_at = now
                row.save(update_fields=["last_enqueued_at"])
            enqueued.append(job.name)
        except Exception:
            # One broken job must not stop the others; the next tick retries it.
            logger.exception("could not enqueue periodic job %s", job.name)
    return enqueued
