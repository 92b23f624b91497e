import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sigap.intake.seeding import AFTER_SEED, make_context, seed_batch


class Command(BaseCommand):
    help = "Add N synthetic cases (reports with everything that hangs off them). Invented data only."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cases", type=int, required=True)
        # Each batch is one transaction. Past a few hundred thousand cases every insert into a
        # blind or foreign-key index lands on its own leaf page, so a batch writes about one page
        # per index row: 20,000 cases share pages that 2,000 would each write (half the WAL
        # traffic, 17% faster at 1M; about 800 MB of memory).
        parser.add_argument("--batch", type=int, default=20_000)
        parser.add_argument("--random-seed", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        total, batch = options["cases"], options["batch"]
        if total <= 0 or batch <= 0:
            raise CommandError("--cases and --batch must be positive")
        if connection.vendor == "sqlite":
            # The blind-index and foreign-key indexes take inserts in random order; past a few
            # hundred thousand cases the default 2 MB page cache makes each batch re-read them.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this process only
        ctx = make_context(options["random_seed"] if options["random_seed"] is not None else time.time_ns())
        started = time.perf_counter()
        done = 0
        while done < total:
            size = min(batch, total - done)
            seed_batch(ctx, size)
            done += size
            elapsed = time.perf_counter() - started
            if done == total or done % (batch * 10) == 0:
                self.stdout.write(f"seeded {done:,}/{total:,} cases in {elapsed:.1f}s ({done / elapsed:,.0f}/s)")
        for hook in AFTER_SEED:
            hook()
        if connection.vendor == "postgresql":
            # Refresh the planner's statistics now, as autovacuum would a little later: right
            # after a bulk load they still describe the empty tables (seen: 227 rows estimated
            # for 20,150, and a sort of them all instead of an index scan).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Seeded {total:,} cases in {time.perf_counter() - started:.1f}s")
