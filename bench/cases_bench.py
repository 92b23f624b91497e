"""Response times of the case list and a case page with many cases in the database.

    .venv/bin/python bench/cases_bench.py [--cases 100000] [--repeat 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/cases_bench.py

Builds a scratch deployment (a temporary SQLite file, or a fresh ``sigap_bench``
database on the PostgreSQL server of DATABASE_URL, never the database named
there), bulk-inserts ``--cases`` reports (plain columns and violence types) with
their cases through the cases seeder (``sigap.cases.seeding``; ``--full-seed``
writes complete sealed reports through ``sigap.intake.seeding`` instead, much
slower), builds one busy case through the real actions, then times the screens
in-process with Django's test client, signed in as the manager (who sees every
case) and as a case worker. Prints the median and 95th percentile of each
request and its number of SQL queries, as a markdown table.

Wall-clock times include whatever else the machine is doing; "CPU ms" is this
process's CPU time per request (on SQLite that includes the database work, on
PostgreSQL it does not). Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def setup(folder: Path) -> str:
    os.environ["SIGAP_DATA_DIR"] = str(folder)
    os.environ["SIGAP_MASTER_KEY"] = "1:" + base64.b64encode(secrets.token_bytes(32)).decode()
    os.environ.pop("SIGAP_MASTER_KEY_FILE", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sigap.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"  # the test client's host
    url = os.environ.get("DATABASE_URL", "")
    if url:
        from harness import fresh_postgres_database

        os.environ["DATABASE_URL"] = fresh_postgres_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sigap.lib.testing import load_test_regions

    load_test_regions(("18.11",))
    from django.db import connection

    return connection.vendor


def seed_full(total: int, batch: int) -> float:
    """Everything the seed command writes (sealed identities, victims, contacts, ...): slow, complete."""
    from sigap.intake.seeding import make_context, seed_batch

    ctx = make_context(20261129)
    started = time.perf_counter()
    done = 0
    while done < total:
        size = min(batch, total - done)
        seed_batch(ctx, size)
        done += size
        if done % (batch * 10) == 0 or done == total:
            print(f"  seeded {done:,}/{total:,} ({time.perf_counter() - started:.0f} s)", flush=True)
    return time.perf_counter() - started


def seed_fast(total: int, batch: int) -> float:
    """Reports with their plain columns and violence types only, then the cases seeder on them.

    The case list reads only ``Case`` columns, so sealed report content changes
    nothing it does; the case pages are timed on a case built through the real
    actions (``real_case``).
    """
    import datetime
    import random

    from django.db import transaction
    from django.utils import timezone

    from sigap.cases.seeding import seed_cases
    from sigap.intake.codes import CaseType, Channel, ReportStatus, Risk
    from sigap.intake.models import Report, ReportViolence
    from sigap.intake.seeding import fast_insert, make_context, reset_sequences, violence_types

    ctx = make_context(20261129)
    rng: random.Random = ctx.rng
    span = (ctx.end - ctx.start).total_seconds()
    started = time.perf_counter()
    done, sequence = 0, 0
    times = sorted(ctx.start + datetime.timedelta(seconds=rng.random() * span) for _ in range(total))
    while done < total:
        chunk = times[done:done + batch]
        reports = []
        for received in chunk:
            sequence += 1
            desa, kecamatan = rng.choice(ctx.desa)
            risk = rng.choices([Risk.TINGGI, Risk.SEDANG, Risk.RENDAH], [20, 40, 40])[0]
            year = timezone.localtime(received).year
            reports.append(Report(
                registration_number=f"1811-{year}-{sequence:06d}", region_code="1811", year=year, sequence=sequence,
                status=ReportStatus.DITANGANI, channel=Channel.WHATSAPP, received_at=received, created_at=received,
                desa_id=desa, kecamatan_code=kecamatan, risk=risk, risk_computed=risk, case_type=rng.choice(
                    [CaseType.KTP, CaseType.AMPK]), response_due_at=received + datetime.timedelta(hours=6),
                consent_process=True,
            ))
        with transaction.atomic():
            ctx.ids.assign(reports)
            fast_insert(reports)
            violence = [ReportViolence(report=r, violence_type=t) for r in reports for t in violence_types(rng)]
            ctx.ids.assign(violence)
            fast_insert(violence)
            reset_sequences([Report, ReportViolence])
            seed_cases(ctx, reports)
        done += len(chunk)
        if done % (batch * 10) == 0 or done == total:
            print(f"  seeded {done:,}/{total:,} ({time.perf_counter() - started:.0f} s)", flush=True)
    return time.perf_counter() - started


def real_case(manager: object, worker: object) -> object:
    """A case with everything on it, made through the real actions (report, plan, services, referral...)."""
    import datetime

    from django.utils import timezone

    from sigap.cases import actions
    from sigap.cases.codes import Stage
    from sigap.cases.tests.factories import create_case, create_partner, move_to
    from sigap.intake.tests.factories import create_report

    report = create_report(manager).report
    case = create_case(manager, reports=[report], assign_to=worker, manager=manager)
    actions.record_case_contact(case, by=worker, channel="telepon", note="Kontak pertama.")
    move_to(case, Stage.PELAKSANAAN, by=manager)
    partner = create_partner("hospital", added_by=manager, services=("kesehatan",))
    for day in range(5):
        actions.record_service(case, by=worker, service="pendampingan", outcome="Pendampingan.",
                               delivered_on=timezone.localdate() - datetime.timedelta(days=day))
        actions.add_note(case, by=worker, body=f"Catatan ke-{day + 1}.")
    actions.send_referral(case, partner, by=worker, service="kesehatan", consent=True)
    case.refresh_from_db()
    return case


def signed_in(user: object) -> object:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client: object, path: str, repeat: int) -> tuple[float, float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(path)  # type: ignore[attr-defined]
        assert response.status_code == 200, (path, response.status_code)
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)  # type: ignore[attr-defined]
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, statistics.median(cpu), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--full-seed", action="store_true",
                        help="seed complete reports (sealed identities, victims, contacts): much slower")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="sigap-cases-bench-"))
    vendor = setup(folder)
    print(f"database: {vendor}; seeding {args.cases:,} reports with their cases", flush=True)
    seconds = (seed_full if args.full_seed else seed_fast)(args.cases, args.batch)

    from django.db import connection
    from django.utils import timezone

    from sigap.accounts.models import User
    from sigap.cases.models import Case

    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = Case.objects.count()
    manager = User.objects.filter(role="manager").first()
    worker_id = (Case.objects.filter(status="terbuka", assigned_to__isnull=False)
                 .values_list("assigned_to_id", flat=True).first())
    worker = User.objects.get(pk=worker_id)
    assert manager is not None
    busy: Case = real_case(manager, worker)  # type: ignore[assignment]
    total = Case.objects.count()
    sample = Case.objects.filter(pk=total // 3).values("number", "registration_number", "kecamatan_code").first() or {}
    boss, sari = signed_in(manager), signed_in(worker)
    from sigap.cases.queries import PAGE_SIZE

    after = Case.objects.filter(status="terbuka").order_by("-opened_at", "-id").values_list("opened_at", "pk")[PAGE_SIZE - 1]
    cursor = f"{int(after[0].timestamp() * 1_000_000)}-{after[1]}"
    deep = Case.objects.order_by("-opened_at").values_list("opened_at", "pk")[total // 2]
    deep_cursor = f"{int(deep[0].timestamp() * 1_000_000)}-{deep[1]}"

    rows = [
        ("manager", "case list, open cases (first page)", boss, "/kasus/"),
        ("manager", "case list, all cases", boss, "/kasus/?status=all"),
        ("manager", "case list, next page (keyset)", boss, f"/kasus/?after={cursor}"),
        ("manager", "case list, page in the middle (keyset)", boss, f"/kasus/?status=all&after={deep_cursor}"),
        ("manager", "case list, risk tinggi", boss, "/kasus/?risk=tinggi"),
        ("manager", "case list, violence seksual", boss, "/kasus/?violence=seksual"),
        ("manager", "case list, trafficking (rare)", boss, "/kasus/?status=all&violence=trafficking"),
        ("manager", "case list, kecamatan", boss, f"/kasus/?kecamatan={sample.get('kecamatan_code', '')}"),
        ("manager", "case list, stage asesmen", boss, "/kasus/?stage=asesmen"),
        ("manager", "case list, overdue", boss, "/kasus/?overdue=1"),
        ("manager", "lookup by case number", boss, f"/kasus/?status=all&q={sample.get('number', '')}"),
        ("manager", "lookup by registration number", boss,
         f"/kasus/?status=all&q={sample.get('registration_number', '')}"),
        ("manager", "lookup by phone (blind index)", boss, "/kasus/?status=all&phone=%2B6289912345678"),
        ("manager", "case page", boss, f"/kasus/{busy.pk}/"),
        ("manager", "case timeline", boss, f"/kasus/{busy.pk}/linimasa/"),
        ("manager", "assignment screen (worker loads)", boss, f"/kasus/{busy.pk}/tugaskan/"),
        ("manager", "pekerjaan saya (approvals, unassigned)", boss, "/kasus/pekerjaan-saya/"),
        ("case worker", "case list (own cases)", sari, "/kasus/"),
        ("case worker", "pekerjaan saya", sari, "/kasus/pekerjaan-saya/"),
        ("case worker", "case page", sari, f"/kasus/{busy.pk}/"),
    ]
    print()
    print(f"{total:,} cases on {vendor}; seeded in {seconds:.0f} s; {args.repeat} requests each; "
          f"{timezone.now():%Y-%m-%d}")
    print()
    print("| as | request | median ms | p95 ms | CPU ms (median) | queries |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for who, label, client, path in rows:
        median, p95, cpu, queries = measure(client, path, args.repeat)
        print(f"| {who} | {label} | {median:.1f} | {p95:.1f} | {cpu:.1f} | {queries} |", flush=True)


if __name__ == "__main__":
    main()
