from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings

from sigap.letters.models import LetterType
from sigap.letters.numbering import check_pattern, format_number, next_number
from sigap.letters.tests.concurrency_probe import probe

COUNT = 30
DAY = datetime.date(2026, 12, 4)


class NumberingTests(TestCase):
    def test_each_type_and_year_has_its_own_gap_free_sequence(self) -> None:
        with transaction.atomic():
            self.assertEqual(next_number(LetterType.RUJUKAN, on=DAY).sequence, 1)
            self.assertEqual(next_number(LetterType.RUJUKAN, on=DAY).sequence, 2)
            self.assertEqual(next_number(LetterType.VISUM, on=DAY).sequence, 1)
            self.assertEqual(next_number(LetterType.RUJUKAN, on=datetime.date(2027, 1, 2)).sequence, 1)
        try:
            with transaction.atomic():
                next_number(LetterType.RUJUKAN, on=DAY)
                raise RuntimeError("the letter failed")
        except RuntimeError:
            pass
        with transaction.atomic():
            self.assertEqual(next_number(LetterType.RUJUKAN, on=DAY).sequence, 3)

    def test_the_number_follows_the_pattern(self) -> None:
        with transaction.atomic():
            number = next_number(LetterType.PELIMPAHAN, on=DAY)
        self.assertEqual(number.text, "400.8/001/PLH/UPTD-PPA/XII/2026")
        with override_settings(SIGAP_LETTER_NUMBER_PATTERN="{year}-{code}-{number:04d}"):
            self.assertEqual(format_number(LetterType.LPSK, 7, DAY), "2026-LPSK-0007")
        with self.assertRaises(ImproperlyConfigured):
            check_pattern("{nomor}/{year}")



class OutsideTransactionTests(SimpleTestCase):
    def test_outside_a_transaction_no_number_is_taken(self) -> None:
        with self.assertRaises(RuntimeError):
            next_number(LetterType.RUJUKAN, on=DAY)


class Checks:
    def check(self, result: dict[str, Any]) -> None:
        test: Any = self
        results = result["results"]
        test.assertEqual([r for r in results if not isinstance(r, list)], [])
        for kind in (LetterType.RUJUKAN, LetterType.LPSK):
            numbers = sorted(r[1] for r in results if r[0] == kind)
            test.assertEqual(numbers, list(range(1, len(numbers) + 1)), f"{kind} has a gap or a duplicate")
            test.assertEqual(result["counters"][kind], len(numbers))
        test.assertEqual(sum(1 for r in results if r == ["rolled back"]), len(range(0, COUNT, 3)))


class InProcessConcurrencyTests(Checks, TransactionTestCase):
    def test_concurrent_letters_get_distinct_gap_free_numbers(self) -> None:
        name = str(connection.settings_dict["NAME"])
        if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
            self.skipTest("SQLite runs this in a subprocess on a file database")
        self.check(json.loads(json.dumps(probe(COUNT))))


class SqliteFileConcurrencyTests(Checks, SimpleTestCase):
    def test_concurrent_letters_on_a_sqlite_file_get_distinct_gap_free_numbers(self) -> None:
        if connection.vendor != "sqlite":
            self.skipTest("SQLite only; PostgreSQL runs in-process")
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        completed = subprocess.run([sys.executable, "-m", "sigap.letters.tests.concurrency_probe", str(COUNT)],
                                   cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True,
                                   timeout=600, check=False)
        self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
        self.check(json.loads(completed.stdout.strip().splitlines()[-1]))
