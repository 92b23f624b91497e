from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sigap.stats import tally


class Command(BaseCommand):
    help = "Bring the statistics counts up to date now (what the worker does every 5 minutes); --full recounts all."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--full", action="store_true", help="recount every month and kecamatan")

    def handle(self, *args: Any, **options: Any) -> None:
        result = tally.run(full=options["full"])
        if result is None:
            raise CommandError("another run of the statistics tally is in progress; try again later")
        self.stdout.write(
            f"Counted {result.reports:,} changed reports in {result.cells:,} cells in {result.seconds:.1f}s"
            + (" (full)" if result.full else "")
        )
