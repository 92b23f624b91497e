"""How long backup and restore take for N cases.

    .venv/bin/python bench/backup_bench.py --cases 100000
    .venv/bin/python bench/backup_bench.py --cases 100000 --database-url postgres://postgres@127.0.0.1:5432/postgres

Builds a scratch installation (a temporary data folder; on PostgreSQL two
scratch databases on the given server, dropped afterwards), fills it with
``manage.py seed --cases N`` (synthetic reports, victims, chronology, contacts
and audit entries through the real encrypted fields), then times, each as the
operator would run it in its own process:

- ``manage.py backup``: snapshot, integrity check, encryption, manifest;
- ``manage.py restore`` into an empty database: checksum, decryption,
  integrity check, row counts, the whole audit chain, a sample of sealed values.

Process start-up (about a second) is included, as the operator would see it.
Wall time depends on what else the machine does; the CPU time of each command
(and of pg_dump/psql/pg_restore, its children) is printed beside it. On
PostgreSQL the server's own work is in neither.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


CPU = {"last": 0.0}


def run(args: list[str], env: dict[str, str], label: str) -> tuple[float, str]:
    """Run a command; returns its wall time (CPU time of it and its children in CPU["last"])."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU["last"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        sys.exit(f"{label} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def psql(url: str, sql: str) -> None:
    subprocess.run(["psql", "--no-psqlrc", "-q", "-d", url, "-c", sql], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server's URL (default: SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and databases")
    options = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="sigap-backup-bench-"))
    key = "1:" + base64.b64encode(os.urandom(32)).decode()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGAP_", "DATABASE_URL"))}
    base_env.update(DJANGO_SETTINGS_MODULE="sigap.settings", SIGAP_ENV="development", SIGAP_MASTER_KEY=key)
    databases: list[str] = []

    def site(name: str) -> dict[str, str]:
        env = dict(base_env, SIGAP_DATA_DIR=str(scratch / name), SIGAP_BACKUP_DIR=str(scratch / "backups"))
        if options.database_url:
            database = f"sigap_bench_{uuid.uuid4().hex[:8]}_{name}"
            psql(options.database_url, f'CREATE DATABASE "{database}"')
            databases.append(database)
            env["DATABASE_URL"] = options.database_url.rsplit("/", 1)[0] + "/" + database
        return env

    try:
        source, target = site("source"), site("target")
        engine = "PostgreSQL" if options.database_url else "SQLite"
        print(f"{engine}, {options.cases:,} cases, scratch {scratch}", flush=True)
        run(["migrate", "--verbosity", "0"], source, "migrate")
        run(["load_regions"], source, "load_regions")
        seeded, out = run(["seed", "--cases", str(options.cases)], source, "seed")
        print(f"seed: {seeded:.1f} s", flush=True)

        backup_seconds, out = run(["backup", str(scratch / "backups")], source, "backup")
        backup_cpu = CPU["last"]
        [folder] = [p for p in (scratch / "backups").iterdir() if p.name.startswith("sigap-")]
        manifest = json.loads((folder / "manifest.json").read_text())
        rows = sum(manifest["tables"].values())
        print(f"backup: {backup_seconds:.1f} s (CPU {backup_cpu:.1f} s), {manifest['data_size'] / 1e6:.1f} MB encrypted "
              f"({manifest['plain_size'] / 1e6:.1f} MB plain), {rows:,} rows, "
              f"audit head #{manifest['audit_head']['seq']:,}", flush=True)

        restore_seconds, out = run(["restore", str(folder)], target, "restore")
        restore_cpu = CPU["last"]
        checks = [line for line in out.splitlines() if line.startswith(("OK", "GAGAL"))]
        print(f"restore (with verification): {restore_seconds:.1f} s (CPU {restore_cpu:.1f} s)", flush=True)
        for line in checks:
            print("  " + re.sub(r"\x1b\[[0-9;]*m", "", line))

        result = {
            "bench": "backup_restore",
            "engine": engine,
            "cases": options.cases,
            "rows": rows,
            "tables": len(manifest["tables"]),
            "encrypted_mb": round(manifest["data_size"] / 1e6, 1),
            "plain_mb": round(manifest["plain_size"] / 1e6, 1),
            "backup_seconds": round(backup_seconds, 1),
            "restore_seconds": round(restore_seconds, 1),
            "backup_cpu_seconds": round(backup_cpu, 1),
            "restore_cpu_seconds": round(restore_cpu, 1),
            "load_average": round(os.getloadavg()[0], 1),
            "machine": f"{platform.machine()} {os.cpu_count()} CPU, Python {platform.python_version()}",
        }
        print(json.dumps(result))
    finally:
        if not options.keep:
            shutil.rmtree(scratch, ignore_errors=True)
            for database in databases:
                psql(options.database_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
