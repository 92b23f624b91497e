from __future__ import annotations

import threading

from django.test import SimpleTestCase

from sigap.lib.ratelimit import SlidingWindowLimiter


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
