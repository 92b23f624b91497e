"""Statistics at scale: dashboard pages, downloads and the tally with 100,000 and 1,000,000 seeded cases.

    python bench/stats_bench.py [--sizes 100000,1000000] [--quick] [--reuse] [--full-recount]
                                [--years N] [--database-url URL]

For each size: seeds up to that many cases (``manage.py seed``, which counts
each batch for the dashboards as it writes it), brings the counts up to date
(``manage.py stats_refresh``), then, against the production server
(``manage.py serve``), times the dashboard (last 12 months, the whole period,
one kecamatan), its CSV download, the SIMFONI-PPA page and export for one month,
and the incremental tally after 100 and 1,000 changed reports. ``--full-recount``
also times the weekly full recount. ``--reuse`` keeps the scratch deployment of
an earlier run and seeds only the difference (seeding a million cases takes hours
on a small machine). ``--years N`` seeds the cases over N years instead of ten
(``--sizes 100000 --years 1`` gives each month the reports a month holds at
1,000,000 cases over ten years, about 8,300, in a tenth of the seeding time).
The SIMFONI-PPA page and exports are timed for the last full month. Results go
to bench/results/ like ``make bench``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, Environment, Measure, running_server, time_get, write_results
from run import resolve_urls, staff_session

DASHBOARD_TARGET_MS = 300.0

COUNTS_SNIPPET = """
import json
from sigap.intake.models import Report
from sigap.stats.models import MonthlyCount, CountedReport
from sigap.stats.forms import month_bounds, shift_month, this_month
first = Report.objects.order_by("received_at").values_list("received_at", flat=True).first()
last_full = shift_month(this_month(), -1)
start, end = month_bounds(last_full)
print(json.dumps({"reports": Report.objects.count(), "monthly_rows": MonthlyCount.objects.count(),
                  "counted": CountedReport.objects.count(), "this_month": this_month(), "last_full_month": last_full,
                  "last_full_month_reports": CountedReport.objects.filter(received_at__gte=start,
                                                                          received_at__lt=end).count(),
                  "first_month": first.strftime("%Y-%m") if first else this_month()}))
"""

TALLY_SNIPPET = """
import json, random, time
from sigap.intake.models import Report
from sigap.stats import tally
last = Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
rng = random.Random(7)
tally.mark_reports({{rng.randint(1, last) for _ in range({changed})}})
started = time.perf_counter()
result = tally.run(full={full})
print(json.dumps({{"seconds": time.perf_counter() - started, "cells": result.cells if result else None}}))
"""


SEED_YEARS_SNIPPET = """
from sigap.intake.seeding import make_context, seed_batch
ctx = make_context(7, years={years})
left = {count}
while left > 0:
    size = min(20_000, left)
    seed_batch(ctx, size)
    left -= size
"""


def counts(env: Environment) -> dict[str, object]:
    out = env.manage("shell", "-c", COUNTS_SNIPPET).stdout.strip().splitlines()
    return dict(json.loads(out[-1]))


def timed_tally(env: Environment, changed: int, full: bool = False) -> dict[str, object]:
    out = env.manage("shell", "-c", TALLY_SNIPPET.format(changed=changed, full=full)).stdout.strip().splitlines()
    return dict(json.loads(out[-1]))


def page(base: str, path: str, session: str, label: str, target: float | None, repeat: int) -> Measure:
    timing = time_get(base, path, repeat=repeat, cookies={"sigap_session": session})
    value = f"{timing['median_ms']:.1f} ms median, p95 {timing['p95_ms']:.1f} ms"
    return Measure(label, value, f"< {target:.0f} ms" if target else "reference",
                   timing["median_ms"] < target if target else None, timing)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="")
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 cases")
    parser.add_argument("--reuse", action="store_true", help="keep the scratch deployment of an earlier run")
    parser.add_argument("--full-recount", action="store_true", help="also time the weekly full recount")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--years", type=int, default=0, help="seed the cases over N years (default: ten)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s] or ([2_000, 10_000] if args.quick else [100_000, 1_000_000])
    label = "stats-" + ("postgres" if args.database_url else "sqlite")
    env = Environment(ROOT / "var" / "bench" / label, args.database_url)
    reusable = bool(args.database_url) or (env.data_dir / "sigap.sqlite3").exists()
    if not (args.reuse and reusable):
        print(f"stats bench: preparing {env.data_dir}", flush=True)
        env.prepare()
    else:  # an earlier run's deployment, brought to the current code's schema (as run.py --reuse does)
        env.manage("migrate", "--no-input", "-v", "0")
    session = staff_session(env, "manager")
    urls = resolve_urls(env, ["stats:dashboard", "stats:simfoni"])
    if not urls.get("stats:dashboard"):
        print("stats:dashboard is not built", file=sys.stderr)
        return 1
    measures: list[Measure] = []
    seed_times: dict[int, float] = {}
    for size in sizes:
        have = int(str(counts(env)["reports"]))
        if have < size:
            started = time.perf_counter()
            if args.years:
                env.manage("shell", "-c", SEED_YEARS_SNIPPET.format(years=args.years, count=size - have))
            else:
                env.manage("seed", "--cases", str(size - have))
            seed_times[size] = time.perf_counter() - started
            print(f"stats bench: seeded {size - have:,} cases in {seed_times[size]:.0f} s", flush=True)
        started = time.perf_counter()
        env.manage("stats_refresh")
        catch_up = time.perf_counter() - started
        state = counts(env)
        tag = f"@ {size:,} cases"
        measures.append(Measure(f"pre-aggregated rows {tag}",
                                f"{state['monthly_rows']:,} count rows, {state['counted']:,} counted reports",
                                "grows with months × kecamatan, not reports", None, state))
        measures.append(Measure(f"tally catch-up after seeding (manage.py stats_refresh) {tag}",
                                f"{catch_up:.1f} s including start-up", "reference", None, {"seconds": catch_up}))
        for changed in (100, 1000):
            result = timed_tally(env, changed)
            measures.append(Measure(f"incremental tally, {changed:,} changed reports {tag}",
                                    f"{float(str(result['seconds'])):.2f} s, {result['cells']} cells",
                                    "< 60 s (runs every 5 min)", float(str(result["seconds"])) < 60, result))
        if args.full_recount:
            result = timed_tally(env, 0, full=True)
            measures.append(Measure(f"full recount (weekly) {tag}", f"{float(str(result['seconds'])):.0f} s",
                                    "reference", None, result))
        month = str(state["this_month"])
        first = str(state["first_month"])
        full = str(state["last_full_month"])
        in_month = f"{int(str(state['last_full_month_reports'])):,} reports"
        dashboard = str(urls["stats:dashboard"])
        with running_server(env) as server:
            base = server.base_url
            measures.append(page(base, dashboard, session, f"dashboard, last 12 months {tag}",
                                 DASHBOARD_TARGET_MS, args.repeat))
            measures.append(page(base, f"{dashboard}?dari={first}&sampai={month}", session,
                                 f"dashboard, whole period {tag}", DASHBOARD_TARGET_MS, args.repeat))
            measures.append(page(base, f"{dashboard}?dari={first}&sampai={month}&kecamatan=18.11.02", session,
                                 f"dashboard, one kecamatan, whole period {tag}", DASHBOARD_TARGET_MS, args.repeat))
            measures.append(page(base, f"{dashboard}unduh.csv?dari={first}&sampai={month}", session,
                                 f"dashboard CSV, whole period {tag}", 1000.0, max(3, args.repeat // 4)))
            simfoni = str(urls["stats:simfoni"])
            for suffix, what in (("", "page (data-quality list)"), ("unduh.csv", "CSV export (victims)"),
                               ("unduh.xlsx", "XLSX export (three tables)")):
                measures.append(page(base, f"{simfoni}{suffix}?dari={full}&sampai={full}", session,
                                     f"SIMFONI-PPA {what}, {full} ({in_month}) {tag}", 1000.0,
                                     max(3, args.repeat // 4)))
    table, path = write_results(measures, label=label, extra={"sizes": sizes, "seed_seconds": seed_times})
    print()
    print(table)
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
