"""The alerts app's periodic work on the worker (``sigap.core.schedule``, every 5 minutes)."""

from __future__ import annotations

import datetime

from django_tasks import task

from sigap.core.schedule import periodic


@periodic(name="alerts.escalate", minutes=5)
@task()
def escalate_reports(now: str | None = None) -> int:
    """Escalate reports past their response deadline, end settled alerts, warn of roster gaps."""
    from sigap.alerts.actions import end_settled, escalate_due, warn_roster_gaps

    at = datetime.datetime.fromisoformat(now) if now else None
    sent = escalate_due(now=at)
    end_settled(now=at)
    warn_roster_gaps(now=at)
    return sent
