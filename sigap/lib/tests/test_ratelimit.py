from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import SimpleTestCase, TestCase, TransactionTestCase

from sigap.core.models import RateWindow
from sigap.lib.ratelimit import SharedWindowLimiter, SlidingWindowLimiter, purge_rate_windows
from sigap.lib.tests.shared_limit_probe import LIMITER_NAME, hit_many


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class SlidingWindowLimiterTests(SimpleTestCase):
    def test_allows_the_limit_per_window_then_refuses_until_the_window_slides(self) -> None:
        clock = FakeClock()
        limiter = SlidingWindowLimiter(3, 60, clock=clock)
        self.assertEqual([limiter.hit("a") for _ in range(4)], [True, True, True, False])
        self.assertTrue(limiter.hit("b"))
        clock.now += 61
        self.assertTrue(limiter.hit("a"))

    def test_recorded_failures_make_the_key_exceeded(self) -> None:
        clock = FakeClock()
        limiter = SlidingWindowLimiter(2, 60, clock=clock)
        limiter.record("x")
        self.assertFalse(limiter.exceeded("x"))
        limiter.record("x")
        self.assertTrue(limiter.exceeded("x"))
        limiter.reset("x")
        self.assertFalse(limiter.exceeded("x"))

    def test_memory_stays_bounded(self) -> None:
        limiter = SlidingWindowLimiter(1, 60, max_keys=100)
        for i in range(1000):
            limiter.hit(f"k{i}")
        self.assertLessEqual(len(limiter._events), 100)

    def test_is_exact_under_threads(self) -> None:
        limiter = SlidingWindowLimiter(500, 60)
        allowed: list[bool] = []
        lock = threading.Lock()

        def hammer() -> None:
            for _ in range(100):
                result = limiter.hit("same")
                with lock:
                    allowed.append(result)

        threads = [threading.Thread(target=hammer) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(allowed.count(True), 500)


class SharedWindowLimiterTests(TestCase):
    def test_allows_the_limit_then_refuses_without_counting_the_refusals(self) -> None:
        clock = FakeClock()
        limiter = SharedWindowLimiter("t", 3, 60, clock=clock)
        self.assertEqual([limiter.hit("a") for _ in range(5)], [True, True, True, False, False])
        self.assertEqual(RateWindow.objects.get(key="t:a").count, 3)
        self.assertTrue(limiter.hit("b"))

    def test_the_previous_window_counts_by_how_much_of_it_is_still_inside(self) -> None:
        clock = FakeClock()
        clock.now = 960.0  # the start of window 16 (60 s windows)
        limiter = SharedWindowLimiter("t", 4, 60, clock=clock)
        self.assertEqual(sum(limiter.hit("a") for _ in range(4)), 4)
        clock.now = 1035.0  # 15 s into window 17: three quarters of window 16 still count (3 of 4)
        self.assertEqual([limiter.hit("a") for _ in range(2)], [True, False])
        clock.now = 1079.5  # almost all of window 16 has slid out
        limiter._refused.clear()
        self.assertEqual(sum(limiter.hit("a") for _ in range(5)), 3)

    def test_two_processes_share_one_count(self) -> None:
        clock = FakeClock()
        first = SharedWindowLimiter("t", 4, 60, clock=clock)
        second = SharedWindowLimiter("t", 4, 60, clock=clock)  # another worker: its own memory
        self.assertEqual([first.hit("a"), second.hit("a"), first.hit("a"), second.hit("a")], [True] * 4)
        self.assertFalse(second.hit("a"))
        self.assertFalse(SharedWindowLimiter("t", 4, 60, clock=clock).hit("a"))
        self.assertTrue(SharedWindowLimiter("other", 4, 60, clock=clock).hit("a"))  # names do not mix

    def test_a_refusal_is_remembered_so_a_flood_costs_no_query(self) -> None:
        clock = FakeClock()
        limiter = SharedWindowLimiter("t", 1, 60, clock=clock)
        self.assertTrue(limiter.hit("a"))
        self.assertFalse(limiter.hit("a"))
        with self.assertNumQueries(0):
            self.assertFalse(limiter.hit("a"))
            self.assertTrue(limiter.exceeded("a"))
        clock.now += 61 * 2
        self.assertTrue(limiter.hit("a"))

    def test_recorded_failures_make_the_key_exceeded_and_reset_forgets(self) -> None:
        clock = FakeClock()
        limiter = SharedWindowLimiter("t", 2, 3600, clock=clock)
        limiter.record("x")
        self.assertFalse(limiter.exceeded("x"))
        limiter.record("x")
        self.assertTrue(limiter.exceeded("x"))
        limiter.reset("x")
        self.assertFalse(limiter.exceeded("x"))
        limiter.record("y")
        limiter.reset()
        self.assertFalse(RateWindow.objects.filter(key__startswith="t:").exists())

    def test_old_windows_are_purged(self) -> None:
        clock = FakeClock()
        limiter = SharedWindowLimiter("t", 5, 60, clock=clock)
        limiter.hit("old")
        clock.now += 600
        limiter.hit("new")
        self.assertEqual(purge_rate_windows(now=clock.now), 1)
        self.assertEqual(list(RateWindow.objects.values_list("key", flat=True)), ["t:new"])


class SharedWindowAcrossProcessesTests(SimpleTestCase):
    """Four processes with their own connections hit one limit of 40: 40 are allowed in all, not 4 x 40."""

    def test_processes_on_a_sqlite_file_share_the_limit(self) -> None:
        if connection.vendor != "sqlite":
            self.skipTest("SQLite only; PostgreSQL runs in threads in process")
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        completed = subprocess.run(
            [sys.executable, "-m", "sigap.lib.tests.shared_limit_probe", "4", "25", "40"],
            cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=300, check=False,
        )
        self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
        result = json.loads(completed.stdout.strip().splitlines()[-1])
        self.assertEqual(sum(result["allowed"]), 40, result)
        self.assertEqual(result["rows"], 1)


class SharedWindowOnPostgresTests(TransactionTestCase):
    def test_threads_with_their_own_connections_share_the_limit(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only; SQLite runs in processes on a file")
        results: list[int] = []
        lock = threading.Lock()

        def work() -> None:
            allowed = hit_many(25, 40)
            with lock:
                results.append(allowed)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sum(results), 40)
        self.assertEqual(RateWindow.objects.filter(key__startswith=LIMITER_NAME + ":").count(), 1)
