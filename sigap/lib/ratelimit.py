"""An in-process sliding-window rate limiter (per key, thread-safe).

Used on public paths (tracking lookups, later the public form) where a database
write per request would be a cost and a trace. The window lives in this
process's memory: with N server processes a client may get up to N times the
limit, and a restart forgets it. That is acceptable for slowing guessing; the
durable guard against PIN guessing is the per-code lockout stored with the code.

Keys should be keyed digests (``sigap.accounts.models.keyed_digest``), never raw
IP addresses or user input.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """At most ``limit`` events per ``window`` seconds for each key."""

    def __init__(
        self, limit: int, window: float, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._evict(now)
            events = self._events[key] = deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def _evict(self, now: float) -> None:
        for stale in [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self.window]:
            del self._events[stale]
        if len(self._events) >= self.max_keys:
            # Still full of live keys: drop the oldest half rather than grow without bound.
            for key in list(self._events)[: self.max_keys // 2]:
                del self._events[key]

    def hit(self, key: str) -> bool:
        """Count one event; False when the key is already at its limit (the event is not counted)."""
        with self._lock:
            now = self._clock()
            events = self._prune(key, now)
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True

    def record(self, key: str) -> None:
        """Count one event regardless of the limit (e.g. a failure)."""
        with self._lock:
            now = self._clock()
            self._prune(key, now).append(now)

    def exceeded(self, key: str) -> bool:
        """True when the key has reached its limit within the window (nothing is counted)."""
        with self._lock:
            now = self._clock()
            events = self._events.get(key)
            if not events:
                return False
            while events and events[0] <= now - self.window:
                events.popleft()
            return len(events) >= self.limit

    def reset(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._events.clear()
            else:
                self._events.pop(key, None)
