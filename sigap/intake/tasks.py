"""Background tasks of intake, run by the django-tasks database worker."""

from __future__ import annotations

from django_tasks import task

from sigap.core.schedule import periodic
from sigap.intake.actions import purge_idempotency
from sigap.lib.ratelimit import purge_rate_windows


@periodic(name="intake.purge_idempotency", hours=1)
@task()
def purge_idempotency_records() -> int:
    """Hourly: delete stored idempotent answers older than SIGAP_IDEMPOTENCY_HOURS.

    They hold a sealed tracking code and PIN, which should not outlive the
    retry window of the client that asked.
    """
    return purge_idempotency()


@periodic(name="intake.purge_rate_windows", hours=1)
@task()
def purge_shared_rate_windows() -> int:
    """Hourly: delete the shared rate-limit windows (/lapor, /lacak) no limiter reads any more."""
    return purge_rate_windows()
