"""Concurrent webhook deliveries against a real database, from threads with their own connections.

In-process on PostgreSQL; on SQLite as a subprocess on a scratch file database
with the production settings (WAL, synchronous=FULL, IMMEDIATE transactions),
since the test database lives in shared memory:

    python -m sigap.intake.channels.conversations.tests.concurrency_probe
prints one JSON line with what was stored.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable
from typing import Any

THREADS = 8


def run_together(work: Callable[[int], object]) -> list[str]:
    from django.db import connection

    errors: list[str] = []
    barrier = threading.Barrier(THREADS)

    def runner(n: int) -> None:
        try:
            barrier.wait(timeout=60)
            work(n)
        except Exception as error:  # reported to the caller, not swallowed
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def probe() -> dict[str, Any]:
    from sigap.intake.channels.conversations.actions import receive
    from sigap.intake.channels.conversations.models import Conversation, Message
    from sigap.intake.channels.testing import PHONE_NUMBER_ID, wa_text
    from sigap.intake.channels.whatsapp.payloads import parse
    from sigap.intake.codes import Channel

    same = wa_text("6281234567890", "wamid.SAME", "Tolong")
    same_errors = run_together(lambda n: receive(Channel.WHATSAPP, parse(same, phone_number_id=PHONE_NUMBER_ID)))
    after_same = {"messages": Message.objects.count(), "conversations": Conversation.objects.count()}
    burst_errors = run_together(
        lambda n: receive(
            Channel.WHATSAPP,
            parse(wa_text("6285700009999", f"wamid.BURST{n}", f"Pesan {n}"), phone_number_id=PHONE_NUMBER_ID),
        )
    )
    return {
        "same_errors": same_errors,
        "after_same": after_same,
        "burst_errors": burst_errors,
        "burst_messages": Message.objects.filter(provider_id__startswith="wamid.BURST").count(),
        "burst_conversations": Conversation.objects.exclude(messages__provider_id="wamid.SAME").distinct().count(),
    }


def main() -> None:
    scratch = tempfile.mkdtemp(prefix="sigap-channels-concurrency-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "sigap.settings"
    os.environ["SIGAP_DATA_DIR"] = scratch
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = probe()
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
