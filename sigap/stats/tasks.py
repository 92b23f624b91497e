"""Background work of the statistics app, run by the django-tasks worker."""

from __future__ import annotations

from django_tasks import task

from sigap.core.schedule import periodic
from sigap.stats import public, tally


@periodic(name="stats.public_numbers", hours=24)
@task()
def refresh_public_stats() -> None:
    """Recompute the published numbers at most daily (never per request)."""
    for year in public.years_to_refresh():
        public.refresh(year)


@periodic(name="stats.public_numbers_first", minutes=5)
@task()
def publish_first_numbers() -> None:
    """Until the public numbers count something, check every 5 minutes (one cheap query)."""
    public.refresh_if_still_empty()


@periodic(name="stats.tally", minutes=5)
@task()
def refresh_counts() -> None:
    """Bring the dashboards' pre-aggregated counts up to date with what changed."""
    tally.run()


@periodic(name="stats.tally_full", hours=24 * 7)
@task()
def recount_everything() -> None:
    """The weekly safety net: recount every month and kecamatan from the source tables."""
    tally.run(full=True)


@task()
def generate_monthly_report(report_id: int) -> None:
    """Make a requested laporan bulanan (PDF)."""
    from sigap.stats.actions import run_monthly_report

    run_monthly_report(report_id)
