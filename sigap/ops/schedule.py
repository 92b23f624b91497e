"""When to back up, and what the admin page says about it.

The django-tasks worker runs what is queued but has no clock; core's periodic
jobs (``sigap.core.schedule``, ticked by ``manage.py serve`` or by
``manage.py schedule_tick`` from a timer) queue ``check_backup_schedule``
every 15 minutes, which calls ``tick()`` here: it queues ``scheduled_backup``
when the last good backup is older than SIGAP_BACKUP_INTERVAL_HOURS and none is
already waiting or running. ``tick()`` is idempotent and decides from the
database each time, so a missed check, a restart or a killed worker only delays
the next backup.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sigap.ops.models import RUN_TIMEOUT, BackupRun
from sigap.ops.tasks import scheduled_backup

# A task waiting longer than this means the worker is not running.
WORKER_SILENT_AFTER = datetime.timedelta(minutes=30)


def last_good_backup() -> BackupRun | None:
    return BackupRun.objects.filter(status=BackupRun.Status.OK).order_by("-finished_at").first()


def interval() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.SIGAP_BACKUP_INTERVAL_HOURS)


def backup_due(now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    last = last_good_backup()
    return last is None or last.finished_at is None or now - last.finished_at >= interval()


def queued_backups(now: datetime.datetime | None = None) -> list[DBTaskResult]:
    """Scheduled backups waiting for the worker or running now (a run older than RUN_TIMEOUT was killed)."""
    now = now or timezone.now()
    rows = DBTaskResult.objects.filter(
        task_path=scheduled_backup.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    return [
        r for r in rows if r.status == TaskResultStatus.READY or (r.started_at or r.enqueued_at) > now - RUN_TIMEOUT
    ]


def enqueue_backup() -> bool:
    """Queue one backup now unless one is already queued or running. True when queued."""
    if queued_backups():
        return False
    scheduled_backup.enqueue()
    return True


def tick(now: datetime.datetime | None = None) -> str:
    """Enqueue the scheduled backup when it is due. Returns what it did: enqueued, queued or not_due."""
    if not backup_due(now):
        return "not_due"
    return "enqueued" if enqueue_backup() else "queued"


@dataclass
class BackupStatus:
    now: datetime.datetime
    last_good: BackupRun | None
    last_run: BackupRun | None
    runs: list[BackupRun]
    queued: list[DBTaskResult]
    warn_after: datetime.timedelta
    interval: datetime.timedelta
    keep: int
    directory: Path

    @property
    def interval_hours(self) -> int:
        return int(self.interval.total_seconds() // 3600)

    @property
    def warn_hours(self) -> int:
        return int(self.warn_after.total_seconds() // 3600)

    @property
    def age(self) -> datetime.timedelta | None:
        if self.last_good is None or self.last_good.finished_at is None:
            return None
        return self.now - self.last_good.finished_at

    @property
    def too_old(self) -> bool:
        age = self.age
        return age is None or age > self.warn_after

    @property
    def last_failed(self) -> bool:
        return self.last_run is not None and (
            self.last_run.status == BackupRun.Status.FAILED or self.last_run.interrupted
        )

    @property
    def worker_silent(self) -> bool:
        return any(
            r.status == TaskResultStatus.READY and self.now - r.enqueued_at > WORKER_SILENT_AFTER for r in self.queued
        )

    @property
    def next_due(self) -> datetime.datetime | None:
        if self.last_good is None or self.last_good.finished_at is None:
            return None
        return self.last_good.finished_at + self.interval


def status(now: datetime.datetime | None = None, *, limit: int = 20) -> BackupStatus:
    now = now or timezone.now()
    runs = list(BackupRun.objects.all()[:limit])
    return BackupStatus(
        now=now,
        last_good=last_good_backup(),
        last_run=runs[0] if runs else None,
        runs=runs,
        queued=queued_backups(now),
        warn_after=datetime.timedelta(hours=settings.SIGAP_BACKUP_WARN_HOURS),
        interval=interval(),
        keep=settings.SIGAP_BACKUP_KEEP,
        directory=Path(settings.SIGAP_BACKUP_DIR),
    )
