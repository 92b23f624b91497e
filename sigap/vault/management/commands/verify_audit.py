"""Walk the audit chain; exit non-zero naming the first entry that does not hold."""

from __future__ import annotations

import re
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sigap.vault.audit import verify_chain

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = "Verify the hash-chained audit log (every entry, in order, against the head)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="A head printed earlier by audit_head and kept elsewhere; may be given more than once.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchors: dict[int, str] = {}
        for text in options["anchor"]:
            match = ANCHOR.match(text.strip().lower())
            if not match:
                raise CommandError(f"--anchor must look like 1234:<64 hex digits>, got {text!r}")
            anchors[int(match.group(1))] = match.group(2)
        started = time.perf_counter()
        report = verify_chain(anchors=anchors)
        elapsed = time.perf_counter() - started
        if report.problem is not None:
            raise CommandError(
                f"Audit chain broken at entry #{report.problem.seq}: {report.problem.message} "
                f"({report.checked} entries before it verified)"
            )
        rate = report.checked / elapsed if elapsed > 0 else 0.0
        self.stdout.write(
            f"Audit chain OK: {report.checked} entries, head #{report.last_seq} {report.last_hash} "
            f"({elapsed:.2f} s, {rate:,.0f} entries/s)"
        )
