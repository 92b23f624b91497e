"""Background jobs of accompaniment, run by the django-tasks database worker."""

from __future__ import annotations

import datetime

from django_tasks import task

from sigap.core.schedule import periodic


@periodic(name="accompaniment.reminders", minutes=15)
@task()
def send_appointment_reminders(now: str | None = None) -> int:
    """Remind workers of their appointments the day before and on the day."""
    from sigap.accompaniment.actions import send_reminders

    return send_reminders(now=datetime.datetime.fromisoformat(now) if now else None)


@periodic(name="accompaniment.care_checklists", minutes=5)
@task()
def start_care_checklists(now: str | None = None) -> int:
    """Open the 72-hour post-rape care checklist for new sexual-violence cases reported in time."""
    from sigap.accompaniment.actions import start_due_checklists

    return start_due_checklists(now=datetime.datetime.fromisoformat(now) if now else None)
