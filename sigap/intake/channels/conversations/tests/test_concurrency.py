"""Concurrent webhook deliveries: Meta's duplicates arriving at once, and a new
sender's burst. Each is stored once, in one conversation.

PostgreSQL: in-process, in a TransactionTestCase (row locks). SQLite: in a
subprocess on a scratch file database with the production settings, since the
test database lives in shared memory.
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

from sigap.intake.channels.conversations.tests.concurrency_probe import THREADS, probe


class Assertions:
    def check(self, result: dict[str, Any]) -> None:
        test: Any = self
        test.assertEqual(result["same_errors"], [])
        test.assertEqual(result["after_same"], {"messages": 1, "conversations": 1})
        test.assertEqual(result["burst_errors"], [])
        test.assertEqual(result["burst_messages"], THREADS)
        test.assertEqual(result["burst_conversations"], 1)


class InProcessConcurrentDeliveryTests(Assertions, TransactionTestCase):
    def test_duplicates_at_once_are_stored_once_and_a_burst_makes_one_conversation(self) -> None:
        name = str(connection.settings_dict["NAME"])
        if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
            self.skipTest("SQLite runs this in a subprocess on a file database")
        self.check(json.loads(json.dumps(probe())))


class SqliteFileConcurrentDeliveryTests(Assertions, SimpleTestCase):
    def test_duplicates_at_once_are_stored_once_and_a_burst_makes_one_conversation_on_sqlite(self) -> None:
        if connection.vendor != "sqlite":
            self.skipTest("SQLite only; PostgreSQL runs in-process")
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        completed = subprocess.run(
            [sys.executable, "-m", "sigap.intake.channels.conversations.tests.concurrency_probe"],
            cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=600, check=False,
        )
        self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
        self.check(json.loads(completed.stdout.strip().splitlines()[-1]))
