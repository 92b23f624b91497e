"""Concurrent writers keep one audit chain: no fork, no gap, every entry verifies.

PostgreSQL: in-process threads with their own connections (the head row is
locked by the compare-and-swap or SELECT ... FOR UPDATE). SQLite: a subprocess
on a scratch file database with the production settings (IMMEDIATE
transactions), since the test database lives in shared memory.
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

from sigap.vault.tests.audit_concurrency_probe import probe

THREADS, ROUNDS = 8, 25


class ChainAssertions:
    def check(self, result: dict[str, Any]) -> None:
        test: Any = self
        test.assertEqual(result["errors"], [])
        test.assertEqual(result["added"], result["written"])
        test.assertTrue(result["chain_ok"], result["problem"])
        test.assertTrue(result["seqs_distinct"])
        test.assertGreaterEqual(result["checked"], result["written"])


class InProcessAuditConcurrencyTests(ChainAssertions, TransactionTestCase):
    def test_concurrent_writers_form_one_chain(self) -> None:
        name = str(connection.settings_dict["NAME"])
        if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
            self.skipTest("SQLite runs this in a subprocess on a file database")
        self.check(probe(THREADS, ROUNDS))


class SqliteFileAuditConcurrencyTests(ChainAssertions, SimpleTestCase):
    def test_concurrent_writers_on_a_sqlite_file_form_one_chain(self) -> None:
        if connection.vendor != "sqlite":
            self.skipTest("SQLite only; PostgreSQL runs in-process")
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        completed = subprocess.run(
            [sys.executable, "-m", "sigap.vault.tests.audit_concurrency_probe", str(THREADS), str(ROUNDS)],
            cwd=Path(settings.BASE_DIR),
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
        self.check(json.loads(completed.stdout.strip().splitlines()[-1]))
