from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "sigap.stats"
    label = "stats"
    verbose_name = "Statistik"

    def ready(self) -> None:
        from sigap.intake.seeding import AFTER_BATCH, AFTER_SEED
        from sigap.stats import contacts
        from sigap.stats.tally import count_seeded

        # Seeded reports are counted as they are written, so dashboards over a
        # freshly seeded database are complete without waiting for the worker.
        if count_seeded not in AFTER_BATCH:
            AFTER_BATCH.append(count_seeded)
        # The contact log is counted over all contacts at once (not additive per batch).
        if contacts.refresh not in AFTER_SEED:
            AFTER_SEED.append(contacts.refresh)
