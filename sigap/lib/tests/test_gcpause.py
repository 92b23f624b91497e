"""The collector pause never leaves the collector off."""

from __future__ import annotations

import gc

from django.test import SimpleTestCase

from sigap.lib.gcpause import gc_paused, gc_paused_during


class GcPauseTests(SimpleTestCase):
    def setUp(self) -> None:
        self.addCleanup(gc.enable)
        gc.enable()

    def test_paused_inside_and_on_again_after(self) -> None:
        with gc_paused():
            self.assertFalse(gc.isenabled())
        self.assertTrue(gc.isenabled())

    def test_on_again_after_an_error(self) -> None:
        with self.assertRaises(ValueError), gc_paused():
            raise ValueError("boom")
        self.assertTrue(gc.isenabled())

    def test_an_inner_block_leaves_switching_back_to_the_outer_one(self) -> None:
        with gc_paused():
            with gc_paused():
                self.assertFalse(gc.isenabled())
            self.assertFalse(gc.isenabled())  # the outer block's work is still running
        self.assertTrue(gc.isenabled())

    def test_a_collector_switched_off_elsewhere_stays_off(self) -> None:
        gc.disable()
        with gc_paused():
            pass
        self.assertFalse(gc.isenabled())

    def test_the_decorator_passes_arguments_and_results_through(self) -> None:
        @gc_paused_during
        def add(a: int, *, b: int) -> tuple[int, bool]:
            return a + b, gc.isenabled()

        self.assertEqual(add(2, b=3), (5, False))
        self.assertTrue(gc.isenabled())
