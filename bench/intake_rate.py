"""Intake rate: reports per second through POST /api/v1/reports (Django test client, file SQLite).

Not a test: a measurement. It builds a scratch deployment in a temporary
directory (its own database, keys and secret; removed at the end), loads the Mesuji regions, creates
an operator with an API token and posts N valid reports one after another, then
N more with 8 threads. The production SQLite settings apply (WAL,
synchronous=FULL, IMMEDIATE transactions), so every report is a durable commit.

    .venv/bin/python bench/intake_rate.py [N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/intake_rate.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    scratch = tempfile.mkdtemp(prefix="sigap-intake-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    os.environ["SIGAP_DATA_DIR"] = scratch
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("SIGAP_MASTER_KEY", None)
    os.environ.pop("SIGAP_MASTER_KEY_FILE", None)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from sigap.accounts.roles import Role
    from sigap.intake.api import issue_token
    from sigap.intake.models import Report
    from sigap.intake.tests.factories import report_payload
    from sigap.lib.testing import create_user, load_test_regions

    call_command("migrate", verbosity=0)
    load_test_regions()
    token = issue_token(create_user(Role.OPERATOR, f"bench-{int(time.time())}"))
    headers = {"Authorization": f"Bearer {token}"}
    body = json.dumps(report_payload())

    def post() -> None:
        response = Client().post("/api/v1/reports", body, content_type="application/json", headers=headers)
        if response.status_code != 201:
            raise SystemExit(f"unexpected {response.status_code}: {response.content[:200]!r}")

    for _ in range(5):  # warm-up
        post()

    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(count):
        post()
    serial = count / (time.perf_counter() - started)
    cpu_ms = (time.process_time() - cpu_started) / count * 1000

    threads_n = 8
    per_thread = max(1, count // threads_n)

    def worker() -> None:
        try:
            for _ in range(per_thread):
                post()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_n)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    parallel = threads_n * per_thread / (time.perf_counter() - started)

    print(f"database: {connection.vendor}; reports stored: {Report.objects.count()}")
    print(f"serial:     {serial:7.1f} reports/s ({count} reports; {cpu_ms:.1f} ms CPU per report)")
    print(f"8 threads:  {parallel:7.1f} reports/s ({threads_n * per_thread} reports)")
    print(f"load average: {os.getloadavg()[0]:.1f} (other processes slow these numbers)")
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
