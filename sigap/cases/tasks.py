"""Background tasks of the cases app, run by the django-tasks database worker."""

from __future__ import annotations

import datetime

from django_tasks import task

from sigap.core.schedule import periodic


@periodic(name="cases.escalate_overdue", minutes=5)
@task()
def escalate_overdue_tasks(now: str | None = None) -> int:
    """Escalate open tasks past their due time to the managers, once each.

    ``now`` (ISO 8601) is for tests and replays; the schedule passes nothing.
    Returns how many tasks were escalated.
    """
    from sigap.cases.actions import escalate_overdue

    at = datetime.datetime.fromisoformat(now) if now else None
    return escalate_overdue(now=at)
