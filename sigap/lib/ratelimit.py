"""Rate limiters for public paths: one in process memory, one shared through the database.

``SlidingWindowLimiter`` lives in this process's memory: free (no query), but
with N server processes a client may get up to N times the limit, and a restart
forgets it. It is the load-shedding gate in front of the public pages, whose
job is to answer a flood without touching the database.

``SharedWindowLimiter`` counts in the database (``core.RateWindow``), so its
limit holds across every gunicorn worker and a restart: it guards what must not
multiply (public report submissions, tracking lookups and wrong PINs). It is a
sliding-window counter: the current fixed window's count plus the previous
window's count weighted by how much of it the sliding window still covers. An
event costs one read and one upsert (``INSERT ... ON CONFLICT DO UPDATE ...
WHERE count < allowed RETURNING``, the same SQL on SQLite 3.35+ and PostgreSQL,
atomic on both); once the database refuses a key, the process remembers it for
a short while and refuses without a query, so a flood does not become a stream
of writes.

Keys must be keyed digests (``sigap.accounts.models.keyed_digest``), never raw
IP addresses or user input.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable

from django.apps import apps
from django.db import connections


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


class SharedWindowLimiter:
    """At most ``limit`` events per ``window`` seconds for each key, counted in the database.

    ``name`` separates limiters in the shared table. ``clock`` returns epoch
    seconds (tests freeze it).
    """

    # How long a refusal is remembered in this process, at most (a fraction of the window).
    MEMO_FRACTION = 0.05

    def __init__(
        self,
        name: str,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.time,
        using: str = "default",
        max_memo: int = 10_000,
    ) -> None:
        self.name = name
        self.limit = limit
        self.window = window
        self.using = using
        self.max_memo = max_memo
        self._clock = clock
        self._refused: dict[str, float] = {}  # key -> refuse without asking until this time
        self._lock = threading.Lock()
        _shared_limiters.add(self)

    # --- the table -------------------------------------------------------------------------

    def _table(self) -> tuple[str, str, str, str, str]:
        model = apps.get_model("core", "RateWindow")
        quote = connections[self.using].ops.quote_name
        return (quote(model._meta.db_table), quote("key"), quote("window"), quote("count"), quote("expires_at"))

    def _slot(self) -> tuple[float, int, float]:
        """(now, current window number, share of the previous window still inside the sliding window)."""
        now = self._clock()
        number = int(now // self.window)
        elapsed = now - number * self.window
        return now, number, max(0.0, 1.0 - elapsed / self.window)

    def _counts(self, key: str, number: int) -> tuple[int, int]:
        """(previous window's count, current window's count)."""
        table, k, w, c, _e = self._table()
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"SELECT {w}, {c} FROM {table} WHERE {k} = %s AND {w} IN (%s, %s)",  # noqa: S608
                           [self._key(key), number - 1, number])
            rows = dict(cursor.fetchall())
        return int(rows.get(number - 1, 0)), int(rows.get(number, 0))

    def _add(self, key: str, number: int, allowed: int | None) -> bool:
        """Count one event in window ``number``; with ``allowed``, only while the count is below it."""
        table, k, w, c, e = self._table()
        expires = int((number + 2) * self.window) + 1
        guard = f" WHERE {table}.{c} < %s" if allowed is not None else ""
        sql = (
            f"INSERT INTO {table} ({k}, {w}, {c}, {e}) VALUES (%s, %s, 1, %s) "  # noqa: S608
            f"ON CONFLICT ({k}, {w}) DO UPDATE SET {c} = {table}.{c} + 1{guard} RETURNING {c}"
        )
        params: list[str | int] = [self._key(key), number, expires]
        if allowed is not None:
            params.append(allowed)
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() is not None

    def _key(self, key: str) -> str:
        return f"{self.name}:{key}"[:100]

    # --- the memo of refusals ----------------------------------------------------------------

    def _memo_says_no(self, key: str, now: float) -> bool:
        with self._lock:
            until = self._refused.get(key)
            if until is None:
                return False
            if now < until:
                return True
            del self._refused[key]
            return False

    def _remember_refusal(self, key: str, now: float, number: int) -> None:
        until = min((number + 1) * self.window, now + max(1.0, self.window * self.MEMO_FRACTION))
        with self._lock:
            if len(self._refused) >= self.max_memo:
                self._refused.clear()
            self._refused[key] = until

    # --- the limiter's interface (as SlidingWindowLimiter) -------------------------------------

    def hit(self, key: str) -> bool:
        """Count one event; False when the key is already at its limit (the event is not counted)."""
        if self.limit <= 0:
            return False
        now, number, weight = self._slot()
        if self._memo_says_no(key, now):
            return False
        previous, _current = self._counts(key, number)
        allowed = self.limit - math.floor(previous * weight)
        if allowed > 0 and self._add(key, number, allowed):
            return True
        self._remember_refusal(key, now, number)
        return False

    def record(self, key: str) -> None:
        """Count one event regardless of the limit (e.g. a failure)."""
        _now, number, _weight = self._slot()
        self._add(key, number, None)

    def exceeded(self, key: str) -> bool:
        """True when the key has reached its limit within the sliding window (nothing is counted)."""
        if self.limit <= 0:
            return True
        now, number, weight = self._slot()
        if self._memo_says_no(key, now):
            return True
        previous, current = self._counts(key, number)
        if current + math.floor(previous * weight) >= self.limit:
            self._remember_refusal(key, now, number)
            return True
        return False

    def reset(self, key: str | None = None) -> None:
        """Forget ``key`` (or every key of this limiter): its rows and this process's memo."""
        table, k, _w, _c, _e = self._table()
        with self._lock:
            if key is None:
                self._refused.clear()
            else:
                self._refused.pop(key, None)
        pattern = f"{self.name}:%" if key is None else self._key(key)
        op = "LIKE" if key is None else "="
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {k} {op} %s", [pattern])  # noqa: S608


_shared_limiters: weakref.WeakSet[SharedWindowLimiter] = weakref.WeakSet()


def forget_refusal_memos() -> None:
    """Clear every shared limiter's in-process memo of refusals (tests: the rows roll back, the memo would not)."""
    for limiter in list(_shared_limiters):
        with limiter._lock:
            limiter._refused.clear()


def purge_rate_windows(now: float | None = None) -> int:
    """Delete shared windows no limiter reads any more. Returns how many rows went."""
    model = apps.get_model("core", "RateWindow")
    deleted, _ = model.objects.filter(expires_at__lt=int(now if now is not None else time.time())).delete()
    return deleted
