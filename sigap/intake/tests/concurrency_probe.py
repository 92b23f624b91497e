"""Concurrent API submissions against a real database, from threads with their own connections.

Used by test_concurrency: in-process on PostgreSQL (the test database is a server
database), and as a subprocess on SQLite, where the test database lives in
shared memory and would not show real file locking. The subprocess builds a
scratch deployment (file database with the production settings: WAL,
synchronous=FULL, IMMEDIATE transactions) in a temporary directory:

    python -m sigap.intake.tests.concurrency_probe 50
prints one JSON line with the statuses and bodies of the answers.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import Any


def run_in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads started together; each closes its connection at the end."""
    from django.db import connection

    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def runner(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = work(i)
        except Exception as error:  # reported to the caller, not swallowed
            results[i] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def poster(token: str, body: str) -> Callable[[str | None], tuple[int, dict[str, Any]]]:
    from django.test import Client

    def post(key: str | None = None) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        response = Client().post("/api/v1/reports", body, content_type="application/json", headers=headers)
        return response.status_code, response.json()

    return post


def probe(count: int) -> dict[str, Any]:
    """Needs a migrated database with regions and returns what the threads saw."""
    from sigap.accounts.roles import Role
    from sigap.intake.api import issue_token
    from sigap.intake.models import IdempotencyRecord, Report
    from sigap.intake.tests.factories import report_payload
    from sigap.lib.testing import create_user

    token = issue_token(create_user(Role.OPERATOR, "operator-konkuren"))
    post = poster(token, json.dumps(report_payload()))
    plain = run_in_threads(count, lambda i: post(None))
    reports_after_plain = Report.objects.count()
    same_key = run_in_threads(10, lambda i: post("sama-001"))
    return {
        "plain": plain,
        "reports_after_plain": reports_after_plain,
        "same_key": same_key,
        "reports_after_same_key": Report.objects.count(),
        "idempotency_records": IdempotencyRecord.objects.count(),
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    scratch = tempfile.mkdtemp(prefix="sigap-concurrency-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "sigap.settings"
    os.environ["SIGAP_DATA_DIR"] = scratch
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from sigap.lib.testing import load_test_regions

    call_command("migrate", verbosity=0)
    load_test_regions()
    result = probe(count)
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
