"""Fill a training deployment with a realistic, invented caseload of the last months.

Refuses to run unless ``SIGAP_TRAINING=1``, so it can never add invented reports
to a real office's gap-free registration numbers. Reuses the seeding code of
``manage.py seed`` (every name, number and NIK invented); the numbers carry the
training prefix ``LT-``.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from sigap.intake.seeding import make_context, seed_batch


class Command(BaseCommand):
    help = "Training deployments only: add an invented caseload (default 150 reports of the last 6 months)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cases", type=int, default=150)
        parser.add_argument("--months", type=int, default=6)
        parser.add_argument("--random-seed", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SIGAP_TRAINING:
            raise CommandError(
                "training_fill runs only in a training deployment (SIGAP_TRAINING=1, its own SIGAP_DATA_DIR): "
                "invented reports must never take real registration numbers"
            )
        cases, months = options["cases"], options["months"]
        if not 0 < cases <= 20_000 or not 0 < months <= 36:
            raise CommandError("--cases must be 1..20000 and --months 1..36")
        call_command("load_regions", stdout=self.stdout)
        seed = options["random_seed"] if options["random_seed"] is not None else time.time_ns()
        ctx = make_context(seed, years=1)
        # Spread over the last months only: a session practises on current work.
        ctx.start = ctx.end - (ctx.end - ctx.start) * months / 12
        seed_batch(ctx, cases)
        self.stdout.write(self.style.SUCCESS(f"Training caseload: {cases} invented reports of the last {months} months."))
