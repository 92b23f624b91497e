"""Several processes hit one shared rate limit at once; together they get the limit, not N times it.

Used by test_ratelimit on SQLite, whose test database lives in shared memory:
this builds a scratch file database with the production settings (WAL,
synchronous=FULL, IMMEDIATE transactions), then forks worker processes that
each open their own connection and hit the same ``SharedWindowLimiter``:

    python -m sigap.lib.tests.shared_limit_probe <processes> <hits each> <limit>
prints one JSON line: {"allowed": [per process], "rows": n}. On PostgreSQL the
test runs ``hit_many`` in threads in process instead.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import tempfile

LIMITER_NAME = "probe"


def hit_many(hits: int, limit: int) -> int:
    """Hit the shared limiter ``hits`` times from a fresh limiter (a new process's view); return the allowed."""
    from django.db import connection

    from sigap.lib.ratelimit import SharedWindowLimiter

    limiter = SharedWindowLimiter(LIMITER_NAME, limit, 3600)
    try:
        return sum(limiter.hit("client") for _ in range(hits))
    finally:
        connection.close()


def _worker(args: tuple[int, int]) -> int:
    return hit_many(*args)


def main() -> None:
    processes, hits, limit = (int(a) for a in sys.argv[1:4])
    scratch = tempfile.mkdtemp(prefix="sigap-ratelimit-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "sigap.settings"
    os.environ["SIGAP_DATA_DIR"] = scratch
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sigap.core.models import RateWindow

    try:
        call_command("migrate", "core", verbosity=0)
        connection.close()
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            allowed = pool.map(_worker, [(hits, limit)] * processes)
        rows = RateWindow.objects.filter(key__startswith=LIMITER_NAME + ":").count()
        print(json.dumps({"allowed": allowed, "rows": rows}))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
