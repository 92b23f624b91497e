"""List the records whose retention period has ended; scrub them on confirmation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sigap.vault.scrub import due_for_scrubbing, retention_cutoff, scrub_if_due

SHOW_IDS = 20


class Command(BaseCommand):
    help = "Records closed more than SIGAP_RETENTION_YEARS ago: list them, or scrub them with --scrub."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scrub", action="store_true", help="Scrub what is due (asks first unless --yes).")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        years = settings.SIGAP_RETENTION_YEARS
        cutoff = retention_cutoff(years=years)
        due = due_for_scrubbing(cutoff)
        total = 0
        self.stdout.write(f"Retention: {years} years after closure; due: closed before {cutoff.date().isoformat()}.")
        for model, queryset in due.items():
            count = queryset.count()
            total += count
            ids = list(queryset.values_list("pk", flat=True)[:SHOW_IDS])
            more = " …" if count > len(ids) else ""
            self.stdout.write(f"  {model._meta.label_lower}: {count} due" + (f" (ids {', '.join(map(str, ids))}{more})" if ids else ""))
        if not options["scrub"]:
            self.stdout.write(f"{total} records due. Run with --scrub to erase their personal data.")
            return
        if total == 0:
            self.stdout.write("Nothing to scrub.")
            return
        if not options["yes"]:
            answer = input(f"Scrub the personal data of {total} records? This cannot be undone. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Not confirmed; nothing was scrubbed.")
        reason = f"retention: closed before {cutoff.date().isoformat()} ({years} years)"
        scrubbed = 0
        for model, queryset in due.items():
            for pk in list(queryset.values_list("pk", flat=True)):
                # One transaction per record: an interrupted run keeps what it finished.
                scrubbed += len(scrub_if_due(model, pk, cutoff, reason=reason))
        self.stdout.write(self.style.SUCCESS(f"Scrubbed {scrubbed} records (including their identity records)."))
