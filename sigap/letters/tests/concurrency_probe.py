"""Concurrent letter numbers against a real database, from threads with their own connections.

In process on PostgreSQL; on SQLite as a subprocess on a scratch file database with
the production settings (``python -m sigap.letters.tests.concurrency_probe 30``).
Every third thread rolls its transaction back after taking a number: gap-free means
the committed numbers of each type are 1..n with no hole.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Any


def probe(count: int) -> dict[str, Any]:
    import datetime

    from django.db import transaction

    from sigap.intake.tests.concurrency_probe import run_in_threads
    from sigap.letters.models import LetterCounter, LetterType
    from sigap.letters.numbering import next_number

    kinds = [LetterType.RUJUKAN, LetterType.LPSK]
    day = datetime.date(2026, 12, 4)

    class Rollback(Exception):
        pass

    def work(i: int) -> list[Any]:
        kind = kinds[i % 2]
        try:
            with transaction.atomic():
                number = next_number(kind, on=day)
                if i % 3 == 0:
                    raise Rollback
                return [str(kind), number.sequence, number.text]
        except Rollback:
            return ["rolled back"]

    results = run_in_threads(count, work)
    return {"results": results,
            "counters": {str(c.letter_type): c.last_value for c in LetterCounter.objects.filter(year=2026)}}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    scratch = tempfile.mkdtemp(prefix="sigap-letters-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "sigap.settings"
    os.environ["SIGAP_DATA_DIR"] = scratch
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = probe(count)
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
