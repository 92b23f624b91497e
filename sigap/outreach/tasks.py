"""Background work of outreach, run by the django-tasks worker (``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def generate_pamphlet_batch(batch_id: int) -> None:
    """Make the pamphlets of every desa of the region for a queued batch."""
    from sigap.outreach.actions import run_pamphlet_batch

    run_pamphlet_batch(batch_id)
