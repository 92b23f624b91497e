from __future__ import annotations

from django_tasks import task

from sigap.core.schedule import periodic
from sigap.stats import public


@periodic(name="stats.public_numbers", hours=24)
@task()
def refresh_public_stats() -> None:
    """Recompute the published numbers at most daily (never per request)."""
    for year in public.years_to_refresh():
        public.refresh(year)
