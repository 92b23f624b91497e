"""Benchmark machinery: a production server in a scratch data directory, a load
generator, percentiles and the results table.

Everything here talks to the server over HTTP on 127.0.0.1, as a real client
would; nothing uses Django's test client.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


BENCH_DATABASE = "sigap_bench"


def on_server(url: str, database: str) -> str:
    """``url`` with its database replaced by ``database`` (same server and credentials)."""
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path="/" + database))


def fresh_postgres_database(url: str) -> str:
    """A new, empty database ``sigap_bench`` on the server of ``url`` (never the one named there)."""
    import psycopg

    with psycopg.connect(on_server(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return on_server(url, BENCH_DATABASE)


@dataclass
class Environment:
    """A scratch deployment: its own data dir (SQLite file, keys) or a PostgreSQL database."""

    data_dir: Path
    database_url: str = ""

    @property
    def env(self) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items()
            if k not in {"DJANGO_SETTINGS_MODULE", "SIGAP_MASTER_KEY", "SIGAP_MASTER_KEY_FILE", "SECRET_KEY"}
        }
        env.update({"SIGAP_DATA_DIR": str(self.data_dir), "SIGAP_BENCH": "1", "LOG_LEVEL": "WARNING"})
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        else:
            env.pop("DATABASE_URL", None)
        return env

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result

    def prepare(self) -> None:
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)
        self.data_dir.mkdir(parents=True)
        if self.database_url:
            self.database_url = fresh_postgres_database(self.database_url)
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("load_regions")

    def has_command(self, name: str) -> bool:
        return name in self.manage("help", "--commands").stdout.split()


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        """gunicorn workers: children of the gunicorn master (a child of serve)."""
        pids: list[int] = []
        for master in _children(self.process.pid):
            cmdline = Path(f"/proc/{master}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"gunicorn" in cmdline:
                pids.extend(_children(master))
        return pids

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
            except FileNotFoundError:
                continue
        return sizes


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


@contextmanager
def running_server(env: Environment, *, workers: int = 3, threads: int = 4):  # type: ignore[no-untyped-def]
    """`manage.py serve` exactly as `make run` starts it, on a free port."""
    port = free_port()
    log = open(env.data_dir / "server.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [PYTHON, "manage.py", "serve", "--skip-setup", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--threads", str(threads)],
        cwd=ROOT, env=env.env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited early; see {env.data_dir / 'server.log'}")
            try:
                if httpx.get(base + "/healthz", timeout=30).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError("server did not answer /healthz within 180 s")
        yield Server(base, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies_ms, p)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


RequestMaker = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


def run_load(
    base_url: str, make_request: RequestMaker, *, clients: int, total: int, ok: tuple[int, ...] = (200, 201),
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """`total` requests spread over `clients` concurrent connections."""

    async def main() -> LoadResult:
        result = LoadResult(requests=0, errors=0, seconds=0.0)
        counter = iter(range(total))
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits, headers=headers) as client:

            async def worker() -> None:
                for n in counter:
                    started = time.perf_counter()
                    try:
                        response = await make_request(client, n)
                        status = response.status_code
                        body = response.text[:200] if status not in ok else ""
                    except httpx.HTTPError as error:
                        status, body = 0, type(error).__name__
                    result.latencies_ms.append((time.perf_counter() - started) * 1000)
                    result.requests += 1
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status not in ok:
                        result.errors += 1
                        if len(result.error_samples) < 5:
                            result.error_samples.append(f"{status}: {body}")

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(clients)))
            result.seconds = time.perf_counter() - started
        return result

    return asyncio.run(main())


def time_get(base_url: str, path: str, *, repeat: int = 20, warmup: int = 3, cookies: Any = None,
             headers: dict[str, str] | None = None) -> dict[str, float]:
    """Sequential GETs of one page: median and p95 in ms (after warm-up)."""
    times: list[float] = []
    with httpx.Client(base_url=base_url, cookies=cookies, headers=headers, timeout=60) as client:
        for i in range(warmup + repeat):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}")
            if i >= warmup:
                times.append(elapsed)
    return {"median_ms": statistics.median(times), "p95_ms": percentile(times, 95)}


@dataclass
class Measure:
    name: str
    value: str
    target: str
    met: bool | None  # None: not measured (says why in value)
    raw: dict[str, Any] = field(default_factory=dict)


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_results(measures: list[Measure], *, label: str, extra: dict[str, Any]) -> tuple[str, Path]:
    lines = ["| measure | value | target | met? |", "| --- | --- | --- | --- |"]
    for m in measures:
        met = "n/a" if m.met is None else ("yes" if m.met else "**no**")
        lines.append(f"| {m.name} | {m.value} | {m.target} | {met} |")
    table = "\n".join(lines)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"{stamp}-{label}.json"
    path.write_text(json.dumps({
        "label": label, "machine": machine_info(), **extra,
        "measures": [m.__dict__ for m in measures],
    }, indent=2, default=str))
    return table, path
