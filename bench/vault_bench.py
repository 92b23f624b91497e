"""What encryption, blind indexes and the audit chain cost, in microseconds.

    .venv/bin/python bench/vault_bench.py [--entries 50000] [--rounds 20000]

Sets Django up with ``sigap.settings_test`` on a scratch SQLite file (WAL,
synchronous=FULL, as in production) in a temporary folder with its own master
key, migrates only the vault's tables (and the vault's sample models), and
prints a markdown table:

- seal + unseal of one short field (a name) and one long field (2 KB chronology);
- a blind index (phone with E.164 normalisation; NIK);
- ``audit.record`` per entry, each in its own committed transaction;
- ``verify_chain`` entries per second over ``--entries`` entries;

Times are CPU time of this process (best of three), except where marked wall
clock, so other work on the machine does not inflate them.
- an estimate per report: 12 short + 4 long sealed fields written and read,
  2 blind indexes, 2 audit entries (create + first open).

Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(folder: Path) -> None:
    os.environ["SIGAP_DATA_DIR"] = str(folder)
    os.environ["SIGAP_MASTER_KEY"] = "1:" + base64.b64encode(secrets.token_bytes(32)).decode()
    os.environ.pop("SIGAP_MASTER_KEY_FILE", None)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sigap.settings_test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "vault", verbosity=0)
    call_command("migrate", "vault_sample", verbosity=0)


def per_call(fn: Callable[[], object], rounds: int, clock: Callable[[], float] = time.process_time) -> float:
    """Microseconds per call, best of three runs.

    CPU time by default, so a busy machine (CI, other jobs) does not inflate the
    numbers; wall time where waiting is the cost (a commit's fsync).
    """
    best = float("inf")
    for _ in range(3):
        started = clock()
        for _ in range(rounds):
            fn()
        best = min(best, (clock() - started) / rounds)
    return best * 1e6


def fill_audit(entries: int) -> None:
    """Write a valid chain quickly (bulk insert, hashes computed as record() does)."""
    from django.db import transaction
    from django.utils import timezone

    from sigap.vault.audit import GENESIS, entry_hash
    from sigap.vault.keyring import keyring
    from sigap.vault.models import AuditEntry, AuditHead

    key = keyring().key("audit")
    prev, batch = GENESIS, []
    now = timezone.now()
    with transaction.atomic():
        for seq in range(1, entries + 1):
            entry = AuditEntry(seq=seq, at=now, actor_id=None, action="intake.report.open",
                               object_type="intake.report", object_id=str(seq), reason="", request_id="a1b2c3d4e5f60718",
                               prev_hash=prev)
            entry.hash = prev = entry_hash(prev, entry, key)
            batch.append(entry)
            if len(batch) == 5000:
                AuditEntry.objects.bulk_create(batch)
                batch = []
        AuditEntry.objects.bulk_create(batch)
        AuditHead.objects.update_or_create(id=1, defaults={"seq": entries, "hash": prev})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=50_000, help="audit entries for the verify run")
    parser.add_argument("--rounds", type=int, default=20_000, help="calls per micro-benchmark")
    parser.add_argument("--records", type=int, default=2_000, help="audit.record calls (each commits)")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sigap-vault-bench-") as scratch:
        setup_django(Path(scratch))
        from django.db import connection, transaction

        from sigap.vault import audit
        from sigap.vault.blind import nik_index, phone_index
        from sigap.vault.crypto import seal, unseal
        from sigap.vault.tests.sample_app.models import SampleIdentity, SampleRecord

        short = b"Siti Rahmawati Kusumaningrum"
        long = ("Kronologi kejadian yang diceritakan pelapor melalui telepon. " * 34)[:2048].encode()
        ctx = "intake.report.chronology"
        sealed_short = seal(short, purpose="identity", context=ctx)
        sealed_long = seal(long, purpose="content", context=ctx)
        rounds = options.rounds
        results: list[tuple[str, float, str]] = []
        seal_short = per_call(lambda: seal(short, purpose="identity", context=ctx), rounds)
        unseal_short = per_call(lambda: unseal(sealed_short, purpose="identity", context=ctx), rounds)
        seal_long = per_call(lambda: seal(long, purpose="content", context=ctx), rounds)
        unseal_long = per_call(lambda: unseal(sealed_long, purpose="content", context=ctx), rounds)
        phone = per_call(lambda: phone_index("0812-7185-7372"), rounds // 4)
        nik = per_call(lambda: nik_index("1811014507890003"), rounds)
        results += [
            ("seal, short field (28 B)", seal_short, "µs"),
            ("unseal, short field", unseal_short, "µs"),
            ("seal, long field (2 KB)", seal_long, "µs"),
            ("unseal, long field", unseal_long, "µs"),
            ("blind index, phone (normalise + HMAC)", phone, "µs"),
            ("blind index, NIK", nik, "µs"),
        ]

        # ORM round trip of a sealed identity (5 sealed fields) against the same row unsealed:
        # the difference is what the fields add to a save and a load.
        def save_and_load() -> None:
            with transaction.atomic():
                row = SampleIdentity.objects.create(name="Siti Rahmawati", nik="1811014507890003",
                                                    phone="+6281271857372", address="Jalan Mawar 17")
            SampleIdentity.objects.get(pk=row.pk)

        def save_and_load_plain() -> None:
            with transaction.atomic():
                row = SampleRecord.objects.create(desa_code="18.11.01.2001", age_group="25-44", violence_type="fisik",
                                                  notes="")
            SampleRecord.objects.get(pk=row.pk)

        orm_sealed = per_call(save_and_load, 300)
        orm_plain = per_call(save_and_load_plain, 300)
        results.append(("ORM save+load, identity with 4 sealed fields", orm_sealed, "µs"))
        results.append(("ORM save+load, record with 1 sealed field", orm_plain, "µs"))

        def one_record() -> None:
            with transaction.atomic():
                audit.record("intake.report.open", object_type="intake.report", object_id="1")

        record_us = per_call(one_record, options.records // 3 or 1)
        record_wall = per_call(one_record, options.records // 3 or 1, clock=time.perf_counter)
        results.append(("audit.record, own transaction (SQLite file, WAL, FULL), CPU", record_us, "µs"))
        results.append(("audit.record, own transaction, wall clock (includes fsync)", record_wall, "µs"))

        def in_caller_transaction() -> None:
            audit.record("intake.report.open", object_type="intake.report", object_id="1")

        with transaction.atomic():
            nested = per_call(in_caller_transaction, options.records // 3 or 1)
        results.append(("audit.record inside the caller's transaction", nested, "µs"))

        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM vault_auditentry")
            cursor.execute("DELETE FROM vault_audithead")
        fill_audit(options.entries)
        started = time.process_time()
        report = audit.verify_chain()
        elapsed = time.process_time() - started
        assert report.ok and report.checked == options.entries, report
        results.append((f"verify_chain over {options.entries:,} entries (CPU)", options.entries / elapsed, "entries/s"))

        per_report = 12 * (seal_short + unseal_short) + 4 * (seal_long + unseal_long) + phone + nik + 2 * nested
        results.append(("per report: 12 short + 4 long fields sealed and read, 2 indexes, 2 audit entries",
                        per_report, "µs"))

        print(f"Vault benchmark: Python {platform.python_version()}, {platform.machine()}, "
              f"SQLite {connection.Database.sqlite_version}, {os.cpu_count()} CPUs\n")  # type: ignore[attr-defined]
        print("| measure | value | unit |")
        print("| --- | ---: | --- |")
        for label, value, unit in results:
            print(f"| {label} | {value:,.1f} | {unit} |")


if __name__ == "__main__":
    main()
