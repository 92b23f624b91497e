"""The short version of bench/crash_test.py: the server killed with SIGKILL while
reports arrive loses no acknowledged report, duplicates none, and leaves a sound
database and audit chain. The full run (50 kills) is ``bench/crash_test.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase

KILLS = os.environ.get("SIGAP_CRASH_KILLS", "3")


class CrashSafetyTests(SimpleTestCase):
    def test_killing_the_server_while_reports_arrive_loses_and_duplicates_nothing(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        result = subprocess.run(
            [sys.executable, "bench/crash_test.py", "--kills", KILLS, "--max-delay", "0.5"],
            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=900, check=False,
        )
        self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-3000:])
        summary = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(summary["problems"], 0)
        self.assertGreater(summary["acknowledged"], 0)
        self.assertEqual(summary["reports_in_database"], summary["acknowledged"])
        self.assertEqual(summary["audit"], "ok")
