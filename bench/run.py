"""`make bench` / `make bench-quick`: SIGAP's performance targets, measured
against the production server (`manage.py serve`, as `make run` starts it).

    python bench/run.py [--quick] [--sizes 10000,100000,1000000] [--database-url URL]

Prints one markdown table (measure, value, target, met?) and writes JSON to
bench/results/. A measure whose feature does not exist yet is listed as
"not built yet" rather than left out.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (
    BENCH_DATABASE,
    ROOT,
    Environment,
    LoadResult,
    Measure,
    on_server,
    percentile,
    run_load,
    running_server,
    time_get,
    write_results,
)

FULL_SIZES = [10_000, 100_000, 1_000_000]
QUICK_SIZES = [200, 1_000]

SESSION_SNIPPET = """
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
import time
from sigap.accounts.models import User
user, _ = User.objects.get_or_create(username="bench-{role}", defaults={{"role": "{role}"}})
device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "sigap.accounts.backends.ThrottledModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s[DEVICE_ID_SESSION_KEY] = device.persistent_id
s["sigap_auth_at"] = s["sigap_seen_at"] = int(time.time()) + 10 * 3600
s.create()
print(s.session_key)
"""

URL_SNIPPET = """
from django.urls import reverse, NoReverseMatch
for name in {names!r}:
    try:
        print(name, reverse(name))
    except NoReverseMatch:
        print(name, "-")
"""


def staff_session(env: Environment, role: str) -> str:
    out = env.manage("shell", "-c", SESSION_SNIPPET.format(role=role)).stdout.strip().splitlines()
    return out[-1]


def resolve_urls(env: Environment, names: list[str]) -> dict[str, str | None]:
    out = env.manage("shell", "-c", URL_SNIPPET.format(names=names)).stdout.split("\n")
    found: dict[str, str | None] = {}
    for line in out:
        if " " in line:
            name, url = line.split(" ", 1)
            found[name] = None if url.strip() == "-" else url.strip()
    return found


def api_token(env: Environment) -> str | None:
    if not env.has_command("create_api_user"):
        return None
    result = env.manage("create_api_user", f"bench-api-{int(time.time() * 1000)}", "--role", "operator")
    return result.stdout.strip().splitlines()[-1]


def report_body(n: int) -> dict[str, Any]:
    """A complete, invented report (the same shape partner systems send)."""
    desa = f"18.11.0{1 + n % 7}.2001"
    return {
        "channel": "whatsapp",
        "reporter": {"declined_identity": False, "name": f"Pelapor Uji {n}", "phone": f"0812{n:08d}"[:13],
                     "nik": None, "address": "Jl. Contoh No. 1", "relation": "tetangga"},
        "victims": [{"name": f"Korban Uji {n}", "birth_date": None, "age": 8 + n % 30, "sex": "P" if n % 3 else "L",
                     "nik": None, "address": "Dusun Contoh", "desa": desa, "education": "sd",
                     "occupation": "pelajar", "disability": False}],
        "perpetrators": [{"name": None, "relation": "tetangga", "sex": "L", "lives_with_victim": False,
                          "holds_office": False}],
        "chronology": [{"when": "2026-11-20T19:00", "approximate": False, "place": "rumah_tangga", "desa": desa,
                        "description": "Kejadian uji untuk pengukuran kinerja."}],
        "violence_types": ["fisik"],
        "sexual_violence_forms": [],
        "immediate_danger": False,
        "needs": "Pendampingan",
        "safe_contact": {"never_call_back": False, "safe_times": "siang"},
        "consent": {"process": True, "refer": True, "police": False},
        "source": "bench",
    }


def measure_intake(base: str, token: str | None, clients: int, total: int) -> list[Measure]:
    ceiling = run_load(
        base, lambda c, n: c.post("/bench/ceiling", json={"payload": f"row {n}"}), clients=clients, total=total
    )
    measures = [Measure("ceiling: plain-row inserts/s (bare Django view)", f"{ceiling.rate:.0f}/s",
                        "reference", None, _raw(ceiling))]
    if token is None:
        measures.append(Measure("intake: reports/s via POST /api/v1/reports (ratio to ceiling)", "not built yet",
                                "≥ 0.6; p99 < 150 ms; 0 errors", None))
        return measures
    headers = {"Authorization": f"Bearer {token}"}
    intake = run_load(base, lambda c, n: c.post("/api/v1/reports", json=report_body(n)), clients=clients,
                      total=total, headers=headers)
    ratio = intake.rate / ceiling.rate if ceiling.rate else 0.0
    p99 = intake.percentile(99)
    measures.append(Measure(
        f"intake: reports/s via POST /api/v1/reports, {clients} clients (ratio to ceiling)",
        f"{intake.rate:.0f}/s = {ratio:.2f} of ceiling; p99 {p99:.0f} ms; {intake.errors} errors",
        "≥ 0.6; p99 < 150 ms; 0 errors", ratio >= 0.6 and p99 < 150 and intake.errors == 0, _raw(intake)))
    return measures


def _raw(result: LoadResult) -> dict[str, Any]:
    return {"requests": result.requests, "errors": result.errors, "seconds": round(result.seconds, 3),
            "rate": round(result.rate, 1), "p50_ms": round(result.percentile(50), 1),
            "p99_ms": round(result.percentile(99), 1), "statuses": result.statuses,
            "error_samples": result.error_samples}


def measure_mixed(base: str, token: str | None, session: str, pages: list[str], clients: int, total: int) -> Measure:
    """Intake, staff pages and lookups at once: SQLite must never say 'database is locked'."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def request(client: httpx.AsyncClient, n: int) -> httpx.Response:
        kind = n % 3
        if kind == 0 and token:
            return await client.post("/api/v1/reports", json=report_body(n), headers=headers)
        if kind == 1 and pages:
            return await client.get(pages[n % len(pages)], cookies={"sigap_session": session})
        return await client.get(f"/api/v1/regions/18.11.0{1 + n % 7}")

    result = run_load(base, request, clients=clients, total=total)
    locked = sum(1 for s in result.error_samples if "locked" in s)
    five_xx = sum(v for k, v in result.statuses.items() if k >= 500 or k == 0)
    return Measure(f"mixed load, {clients} clients: 'database is locked' or 5xx",
                   f"{five_xx} 5xx/failed, {locked} locked of {result.requests}", "0",
                   five_xx == 0 and locked == 0, _raw(result))


SAMPLE_SNIPPET = """
from sigap.cases.models import Case
from sigap.intake.models import Contact
case = Case.objects.order_by("-opened_at").values_list("pk", flat=True).first()
contact = Contact.objects.filter(report__isnull=False).order_by("-pk").only("caller_phone").first()
print(case or "-")
print(contact.caller_phone if contact else "-")
"""


def sample(env: Environment) -> tuple[str | None, str | None]:
    """A recent case's id and a caller number that is on file (read through the vault, never printed)."""
    lines = env.manage("shell", "-c", SAMPLE_SNIPPET).stdout.strip().splitlines()[-2:]
    case, phone = (None if v == "-" else v for v in lines)
    return case, phone


def measure_pages(env: Environment, base: str, session: str, size: int, repeat: int) -> list[Measure]:
    # The case list with two filters on all cases (open and closed): the heaviest common view.
    targets = {
        "stats:dashboard": ("dashboard page", 300.0, ""),
        "cases:case_list": ("case list, filtered and paginated", 100.0, "?status=all&risk=tinggi&violence=seksual"),
        "intake:report_list": ("report list, paginated", 100.0, ""),
    }
    urls = resolve_urls(env, list(targets))
    measures = []
    for name, (label, target, query) in targets.items():
        url = urls.get(name)
        if not url:
            measures.append(Measure(f"{label} @ {size:,} cases", "not built yet", f"< {target:.0f} ms", None))
            continue
        timing = time_get(base, url + query, repeat=repeat, cookies={"sigap_session": session})
        measures.append(Measure(f"{label} @ {size:,} cases", f"{timing['median_ms']:.1f} ms median, "
                                f"p95 {timing['p95_ms']:.1f} ms", f"< {target:.0f} ms",
                                timing["median_ms"] < target, timing))
    case, _phone = sample(env)
    if case is not None:
        timing = time_get(base, f"/kasus/{case}/", repeat=repeat, cookies={"sigap_session": session})
        measures.append(Measure(f"case page @ {size:,} cases", f"{timing['median_ms']:.1f} ms median, "
                                f"p95 {timing['p95_ms']:.1f} ms", "reference (issue 5)", None, timing))
    return measures


def measure_lookup(env: Environment, base: str, session: str, size: int, repeat: int) -> Measure:
    """The operator's caller-number check (blind index), end to end: POST, decrypt to confirm, JSON."""
    label = f"caller-number lookup (blind index) @ {size:,} cases"
    _case, phone = sample(env)
    urls = resolve_urls(env, ["intake:caller_check", "intake:contact_new"])
    if not phone or not urls.get("intake:caller_check") or not urls.get("intake:contact_new"):
        return Measure(label, "not built yet", "< 50 ms", None)
    times: list[float] = []
    with httpx.Client(base_url=base, cookies={"sigap_session": session}, timeout=60) as client:
        client.get(str(urls["intake:contact_new"]))  # sets the CSRF cookie
        token = client.cookies.get("sigap_csrf") or ""
        for i in range(3 + repeat):
            started = time.perf_counter()
            response = client.post(str(urls["intake:caller_check"]), data={"caller_phone": phone},
                                   headers={"X-CSRFToken": token})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or not response.json().get("known"):
                raise RuntimeError(f"caller check answered {response.status_code}")
            if i >= 3:
                times.append(elapsed)
    median, p95 = statistics.median(times), percentile(times, 95)
    return Measure(label, f"{median:.1f} ms median, p95 {p95:.1f} ms", "< 50 ms", median < 50,
                   {"median_ms": median, "p95_ms": p95})


def measure_verify_audit(env: Environment) -> Measure:
    if not env.has_command("verify_audit"):
        return Measure("verify_audit", "not built yet", "≥ 50,000 entries/s", None)
    started = time.perf_counter()
    result = env.manage("verify_audit", check=False)
    elapsed = time.perf_counter() - started
    match = re.search(r"(\d[\d,]*) entries", result.stdout)
    entries = int(match.group(1).replace(",", "")) if match else 0
    # Process start-up (Django set-up) is included: the honest end-to-end figure.
    rate = entries / elapsed if elapsed else 0
    return Measure("verify_audit", f"{entries:,} entries in {elapsed:.2f} s = {rate:,.0f}/s",
                   "≥ 50,000 entries/s", result.returncode == 0 and rate >= 50_000,
                   {"entries": entries, "seconds": elapsed, "returncode": result.returncode})


def existing_cases(env: Environment) -> int:
    out = env.manage("shell", "-c", "from sigap.cases.models import Case; print(Case.objects.count())")
    return int(out.stdout.strip().splitlines()[-1])


def seed(env: Environment, count: int) -> float:
    if count <= 0 or not env.has_command("seed"):
        return 0.0
    started = time.perf_counter()
    env.manage("seed", "--cases", str(count))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, finishes in under two minutes")
    parser.add_argument("--sizes", default="", help="comma-separated case counts, ascending")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--reuse", action="store_true",
                        help="keep the scratch deployment of an earlier run (migrated to this code) and seed only "
                             "what is missing; sizes below what it holds are skipped")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s] or (QUICK_SIZES if args.quick else FULL_SIZES)
    clients, total = (10, 200) if args.quick else (50, 3000)
    mixed_clients, mixed_total = (20, 300) if args.quick else (100, 3000)
    repeat = 5 if args.quick else 20
    label = ("quick-" if args.quick else "") + ("postgres" if args.database_url else "sqlite")

    env = Environment(ROOT / "var" / "bench" / label, args.database_url)
    seeded = 0
    if args.reuse and (env.data_dir / "keys").exists():
        if args.database_url:
            env.database_url = on_server(args.database_url, BENCH_DATABASE)
        print(f"bench: reusing {env.data_dir} ({label})", flush=True)
        env.manage("migrate", "--no-input", "-v", "0")
        seeded = existing_cases(env)
        skipped = [s for s in sizes if s < seeded]
        if skipped:
            print(f"bench: it holds {seeded:,} cases; skipping {', '.join(f'{s:,}' for s in skipped)}", flush=True)
        sizes = [s for s in sizes if s >= seeded]
    else:
        print(f"bench: preparing a scratch deployment in {env.data_dir} ({label})", flush=True)
        env.prepare()
    token = api_token(env)
    session = staff_session(env, "manager")
    operator = staff_session(env, "operator")
    measures: list[Measure] = []
    growth: dict[str, dict[int, float]] = {}
    seed_times: dict[int, float] = {}
    for index, size in enumerate(sizes):
        seconds = seed(env, size - seeded)
        seed_times[size] = seconds
        seeded = size
        print(f"bench: {size:,} cases (seeded in {seconds:.1f} s)", flush=True)
        with running_server(env) as server:
            if index == 0:
                measures += measure_intake(server.base_url, token, clients, total)
                page_urls = [u for u in resolve_urls(env, ["intake:report_list", "cases:case_list"]).values() if u]
                measures.append(measure_mixed(server.base_url, token, session, page_urls, mixed_clients, mixed_total))
            page_measures = measure_pages(env, server.base_url, session, size, repeat)
            page_measures.append(measure_lookup(env, server.base_url, operator, size, repeat))
            for m in page_measures:
                if "median_ms" in m.raw:
                    growth.setdefault(m.name.split(" @ ")[0], {})[size] = m.raw["median_ms"]
            measures += page_measures
            if index == len(sizes) - 1:
                rss = server.worker_rss_mb()
                measures.append(Measure("resident memory per web worker after the run",
                                        f"max {max(rss):.0f} MB over {len(rss)} workers" if rss else "unknown",
                                        "< 200 MB", bool(rss) and max(rss) < 200, {"rss_mb": rss}))
    measures.append(measure_verify_audit(env))
    for page, points in growth.items():
        if len(points) >= 2:
            first, last = min(points), max(points)
            factor = points[last] / points[first] if points[first] else float("inf")
            size_factor = last / first
            measures.append(Measure(f"growth: {page}, {first:,} → {last:,} cases",
                                    f"× {factor:.2f} time for × {size_factor:.0f} data",
                                    "flat or logarithmic", factor < max(2.0, size_factor ** 0.25), points))
    table, path = write_results(measures, label=label, extra={"sizes": sizes, "seed_seconds": seed_times})
    print()
    print(table)
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
