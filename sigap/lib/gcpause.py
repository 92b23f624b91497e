"""Pause Python's cyclic garbage collector while a request builds many short-lived objects.

Loading a month of SIMFONI-PPA rows makes hundreds of thousands of tuples and
dicts, none in a reference cycle; the collector, triggered by allocation
counts, walks the growing young generations again and again and took about a
third of the export's time (measured: bench/stats_bench.py, docs/PERFORMANCE.md).
Reference counting still frees everything as usual; only cycle detection waits
until the block ends, and goes on as before after it.

The switch is process-wide. With several threads, a block that finds the
collector already paused (another thread's block) leaves it to that block to
switch back on, so the collector is never left off.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def gc_paused() -> Iterator[None]:
    paused_here = gc.isenabled()
    if paused_here:
        gc.disable()
    try:
        yield
    finally:
        if paused_here:
            gc.enable()


def gc_paused_during(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of ``gc_paused``."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with gc_paused():
            return func(*args, **kwargs)

    return wrapper
