"""50 concurrent API submissions get 50 distinct, gap-free numbers; one Idempotency-Key, one report.

Each thread has its own database connection and closes it at the end.
PostgreSQL: in-process, in a TransactionTestCase (the counter row is locked with
SELECT ... FOR UPDATE). SQLite: in a subprocess on a scratch file database with
the production settings (IMMEDIATE transactions serialise the writers), since
the test database itself lives in shared memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase

from sigap.intake.tests.concurrency_probe import probe
from sigap.lib.testing import load_test_regions

COUNT = 50


class ConcurrencyAssertions:
    def check(self, result: dict[str, Any]) -> None:
        test: Any = self
        plain = result["plain"]
        failures = [r for r in plain if not isinstance(r, list) or r[0] != 201]
        test.assertEqual(failures, [])
        sequences = sorted(int(body["registration_number"].rsplit("-", 1)[1]) for _, body in plain)
        test.assertEqual(sequences, list(range(1, COUNT + 1)))
        test.assertEqual(len({body["tracking_code"] for _, body in plain}), COUNT)
        test.assertEqual(result["reports_after_plain"], COUNT)
        same_key = result["same_key"]
        test.assertEqual([r for r in same_key if not isinstance(r, list) or r[0] != 201], [])
        test.assertEqual(len({json.dumps(body, sort_keys=True) for _, body in same_key}), 1)
        test.assertEqual(result["reports_after_same_key"], COUNT + 1)
        test.assertEqual(result["idempotency_records"], 1)


class InProcessConcurrencyTests(ConcurrencyAssertions, TransactionTestCase):
    def test_50_concurrent_submissions_get_distinct_gap_free_numbers(self) -> None:
        name = str(connection.settings_dict["NAME"])
        if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
            self.skipTest("SQLite runs this in a subprocess on a file database")
        load_test_regions()
        # JSON round trip: the same shapes as the subprocess variant.
        self.check(json.loads(json.dumps(probe(COUNT))))


class SqliteFileConcurrencyTests(ConcurrencyAssertions, SimpleTestCase):
    def test_50_concurrent_submissions_on_a_sqlite_file_get_distinct_gap_free_numbers(self) -> None:
        if connection.vendor != "sqlite":
            self.skipTest("SQLite only; PostgreSQL runs in-process")
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        completed = subprocess.run(
            [sys.executable, "-m", "sigap.intake.tests.concurrency_probe", str(COUNT)],
            cwd=Path(settings.BASE_DIR),
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
        self.check(json.loads(completed.stdout.strip().splitlines()[-1]))
