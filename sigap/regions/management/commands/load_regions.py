import time

from django.core.management.base import BaseCommand

from sigap.regions.loader import load_regions


class Command(BaseCommand):
    help = "Load Indonesia's provinces, regencies, districts and villages (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        result = load_regions()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Regions: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged in {elapsed:.2f}s"
        )
