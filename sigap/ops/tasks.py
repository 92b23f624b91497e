"""Background tasks of the ops app, run by the django-tasks database worker."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django_tasks import task

from sigap.core.schedule import periodic
from sigap.ops.backup import create_backup
from sigap.ops.models import BackupRun


@task()
def scheduled_backup() -> dict[str, object]:
    """Back up into SIGAP_BACKUP_DIR and keep the newest SIGAP_BACKUP_KEEP backups.

    Queued by ``check_backup_schedule`` when a backup is due, or by the
    administrator's "Cadangkan sekarang". A failure is recorded on its
    BackupRun and raised, so the task result shows it too.
    """
    outcome = create_backup(
        Path(settings.SIGAP_BACKUP_DIR), trigger=BackupRun.Trigger.SCHEDULED, keep=settings.SIGAP_BACKUP_KEEP
    )
    return {"backup_run": outcome.run_id, "folder": outcome.path.name, "seconds": round(outcome.seconds, 1)}


@periodic(name="ops.backup_schedule", minutes=15)
@task()
def check_backup_schedule() -> str:
    """Every 15 minutes: queue ``scheduled_backup`` when the last good backup is
    older than SIGAP_BACKUP_INTERVAL_HOURS and none is queued or running.

    The decision is made from the database each time, so a missed check, a
    restart or a killed worker only delays the backup until the next check.
    """
    from sigap.ops.schedule import tick

    return tick()
