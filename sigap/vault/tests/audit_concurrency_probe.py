"""Concurrent audit writers against a real database: do they still form one chain?

Each of ``threads`` threads, with its own connection, commits ``rounds``
transactions of one or two entries (so some writers find the head where they
left it and others find it moved by someone else). Used by
test_audit_concurrency: in-process on PostgreSQL, and as a subprocess on a
scratch SQLite file with the production settings:

    python -m sigap.vault.tests.audit_concurrency_probe 8 25
prints one JSON line with what it found.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from typing import Any


def probe(threads: int, rounds: int) -> dict[str, Any]:
    from django.db import transaction

    from sigap.intake.tests.concurrency_probe import run_in_threads
    from sigap.vault import audit
    from sigap.vault.models import AuditEntry

    before = AuditEntry.objects.count()

    def work(i: int) -> int:
        written = 0
        for r in range(rounds):
            with transaction.atomic():
                audit.record("test.concurrent", object_type="test", object_id=f"{i}-{r}")
                written += 1
                if (i + r) % 2:
                    audit.record("test.concurrent", object_type="test", object_id=f"{i}-{r}b")
                    written += 1
        return written

    results = run_in_threads(threads, work)
    report = audit.verify_chain()
    return {
        "errors": [r for r in results if not isinstance(r, int)],
        "written": sum(r for r in results if isinstance(r, int)),
        "added": AuditEntry.objects.count() - before,
        "chain_ok": report.ok,
        "problem": str(report.problem or ""),
        "checked": report.checked,
        "seqs_distinct": AuditEntry.objects.values("seq").distinct().count() == AuditEntry.objects.count(),
    }


def main() -> None:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    scratch = tempfile.mkdtemp(prefix="sigap-audit-concurrency-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "sigap.settings"
    os.environ["SIGAP_DATA_DIR"] = scratch
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        result = probe(threads, rounds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
