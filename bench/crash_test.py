"""Crash safety: kill the running server with SIGKILL while reports arrive; lose nothing.

    .venv/bin/python bench/crash_test.py                 # 50 kills, SQLite
    .venv/bin/python bench/crash_test.py --kills 3       # the short version CI runs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/crash_test.py

A scratch installation (temporary data folder; on PostgreSQL a scratch database
on the given server, dropped afterwards) runs the production web server
(gunicorn, several processes and threads). Clients post reports to
POST /api/v1/reports, each with its own Idempotency-Key and a unique marker in
its chronology. Once requests flow, at a random moment the whole server (master and workers) gets
SIGKILL, as in a power cut of the application; then it is started again and the
clients retry every request whose outcome they never saw, with the same key and
body, as a real client must. After the last round:

- every report that was answered 201 is in the database, under the registration
  number it was given, and its sealed chronology decrypts to what was sent;
- no marker appears in more than one report (retries never duplicate);
- the database passes its integrity check (SQLite ``PRAGMA integrity_check``;
  PostgreSQL: the server's own crash recovery plus the checks below);
- ``verify_audit`` walks the whole audit chain without a break.

Exit status 0 when all of that holds; the last line is a JSON summary.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The test regions (Mesuji and its neighbour, all the example report needs), an
# operator with an API token, and intake's own valid example body.
SETUP = r"""
import json
from django.core.management import call_command
from sigap.intake.tests.factories import report_payload
from sigap.lib.testing import load_test_regions
load_test_regions()
call_command("create_api_user", "crash-operator", "--role", "operator")
print(json.dumps(report_payload()))
"""

# Reads every report's registration number and chronology, checks the database,
# prints JSON. Runs inside the scratch installation.
INSPECT = r"""
import json, re
from django.core.management import call_command
from django.db import connection
from sigap.intake.models import Report
found = {}
for report in Report.objects.prefetch_related("events"):
    for event in report.events.all():
        for marker in re.findall(r"crash-[0-9a-f]{16}", event.description or ""):
            found.setdefault(marker, []).append([report.registration_number, event.description])
integrity = "not applicable"
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        integrity = ";".join(str(row[0]) for row in cursor.fetchall())
try:
    call_command("verify_audit", stdout=open("/dev/null", "w"))
    audit = "ok"
except BaseException as error:
    audit = f"FAILED: {error}"
print(json.dumps({"found": found, "reports": Report.objects.count(), "integrity": integrity, "audit": audit}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Submission:
    marker: str
    key: str
    body: dict[str, Any]
    acked: str | None = None      # registration number from a 201
    unknown: bool = False         # sent, but no answer seen (the server died)
    attempts: int = 0


@dataclass
class Tally:
    submissions: list[Submission] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    errors: list[str] = field(default_factory=list)


class Server:
    def __init__(self, env: dict[str, str], port: int, workers: int) -> None:
        self.env, self.port, self.workers = env, port, workers
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "sigap.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--threads", "4", "--worker-class", "gthread", "--timeout", "60",
             "--preload"],  # import once, then fork: restarts stay quick
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: one killpg reaches master and workers
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise SystemExit("the server exited during start-up")
            time.sleep(0.1)
        raise SystemExit("the server did not answer /healthz within 60 s")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        # Workers are in the same group; wait until none is left holding the port.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def payload(template: dict[str, Any], marker: str) -> dict[str, Any]:
    """Intake's own valid example body (its test factory), with a unique marker in the chronology."""
    body = json.loads(json.dumps(template))
    body["chronology"][0]["description"] = f"Uraian uji ketahanan {marker}."
    return body


def send(client: httpx.Client, server: Server, token: str, sub: Submission, tally: Tally) -> bool:
    """Post once. True when the outcome is known (an answer came back)."""
    sub.attempts += 1
    try:
        response = client.post(server.base + "/api/v1/reports", json=sub.body, timeout=30,
                               headers={"Authorization": f"Bearer {token}", "Idempotency-Key": sub.key})
    except httpx.HTTPError:
        sub.unknown = True
        return False
    if response.status_code == 201:
        number = response.json()["registration_number"]
        if sub.acked is not None and sub.acked != number:
            tally.errors.append(f"{sub.marker}: a retry got {number}, the first answer {sub.acked}")
        sub.acked = number
        sub.unknown = False
        return True
    if response.status_code >= 500:
        sub.unknown = True
        return False
    tally.errors.append(f"{sub.marker}: unexpected {response.status_code} {response.text[:200]}")
    sub.unknown = False
    return True


def round_of_traffic(server: Server, token: str, template: dict[str, Any], tally: Tally, clients: int,
                     stop: threading.Event) -> None:
    def client_loop() -> None:
        with httpx.Client() as client:
            while not stop.is_set():
                sub = Submission(marker=f"crash-{uuid.uuid4().hex[:16]}", key=uuid.uuid4().hex, body={})
                sub.body = payload(template, sub.marker)
                with tally.lock:
                    tally.submissions.append(sub)
                if not send(client, server, token, sub, tally):
                    return  # the server is gone; this client waits for the next round

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--min-delay", type=float, default=0.0,
                        help="seconds before a kill, at least, once traffic flows")
    parser.add_argument("--max-delay", type=float, default=1.0, help="and at most")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and database")
    options = parser.parse_args()
    rng = random.Random(options.seed)

    scratch = Path(tempfile.mkdtemp(prefix="sigap-crash-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGAP_", "PG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="sigap.settings",
        SIGAP_ENV="development",
        SIGAP_DATA_DIR=str(scratch),
        SIGAP_MASTER_KEY="1:" + base64.b64encode(os.urandom(32)).decode(),
        PYTHONUNBUFFERED="1",
    )
    database_url = os.environ.get("DATABASE_URL", "")
    scratch_db = ""
    # CREATE/DROP DATABASE go through the server's maintenance database.
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    if database_url.startswith(("postgres://", "postgresql://")):
        scratch_db = f"sigap_crash_{uuid.uuid4().hex[:8]}"
        subprocess.run(["psql", "--no-psqlrc", "-q", "-d", admin_url, "-c", f'CREATE DATABASE "{scratch_db}"'],
                       check=True)
        env["DATABASE_URL"] = database_url.rsplit("/", 1)[0] + "/" + scratch_db
    else:
        env.pop("DATABASE_URL", None)

    def manage(*args: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    server = Server(env, free_port(), options.workers)
    tally = Tally()
    started = time.perf_counter()
    try:
        manage("migrate", "--verbosity", "0")
        setup = manage("shell", "-c", SETUP).strip().splitlines()
        token, template = setup[-2], json.loads(setup[-1])

        for kill in range(options.kills):
            server.start()
            # First the requests whose outcome the clients never saw: same key, same body.
            with httpx.Client() as client:
                for sub in [s for s in tally.submissions if s.unknown]:
                    send(client, server, token, sub, tally)
            stop = threading.Event()
            traffic = threading.Thread(target=round_of_traffic,
                                       args=(server, token, template, tally, options.clients, stop))
            acked_before = sum(1 for s in tally.submissions if s.acked)
            traffic.start()
            # Let traffic flow first (a few new acknowledgements), so the kill
            # lands among requests in flight however fast this machine is.
            deadline = time.monotonic() + 30
            while (sum(1 for s in tally.submissions if s.acked) < acked_before + options.clients
                   and time.monotonic() < deadline):
                time.sleep(0.02)
            time.sleep(rng.uniform(options.min_delay, options.max_delay))
            server.kill()
            stop.set()
            traffic.join(timeout=90)
            acked = sum(1 for s in tally.submissions if s.acked)
            print(f"kill {kill + 1}/{options.kills}: {len(tally.submissions)} sent, {acked} acknowledged", flush=True)

        # Once more up, to settle every outcome still unknown, then a clean stop.
        server.start()
        with httpx.Client() as client:
            for sub in [s for s in tally.submissions if s.unknown]:
                send(client, server, token, sub, tally)
        server.stop()

        state = json.loads(manage("shell", "-c", INSPECT).strip().splitlines()[-1])
    finally:
        server.stop()
        if not options.keep:
            shutil.rmtree(scratch, ignore_errors=True)
            if scratch_db:
                subprocess.run(["psql", "--no-psqlrc", "-q", "-d", admin_url, "-c",
                                f'DROP DATABASE IF EXISTS "{scratch_db}" WITH (FORCE)'], check=False)

    problems = list(tally.errors)
    found: dict[str, list[list[str]]] = state["found"]
    for sub in tally.submissions:
        rows = found.get(sub.marker, [])
        if len(rows) > 1:
            problems.append(f"{sub.marker}: {len(rows)} reports (duplicated)")
        if sub.acked:
            if not rows:
                problems.append(f"{sub.marker}: acknowledged as {sub.acked} but missing")
            elif rows[0][0] != sub.acked or rows[0][1] != sub.body["chronology"][0]["description"]:
                problems.append(f"{sub.marker}: stored as {rows[0][0]}, not intact")
        elif sub.unknown:
            problems.append(f"{sub.marker}: outcome still unknown after the final retry")
    if state["integrity"] not in ("ok", "not applicable"):
        problems.append(f"integrity check: {state['integrity']}")
    if state["audit"] != "ok":
        problems.append(f"audit chain: {state['audit']}")
    known = {s.marker for s in tally.submissions}
    strays = [m for m in found if m not in known]
    if strays:
        problems.append(f"{len(strays)} reports nobody sent")

    summary = {
        "bench": "crash_safety",
        "engine": "PostgreSQL" if scratch_db else "SQLite",
        "kills": options.kills,
        "sent": len(tally.submissions),
        "acknowledged": sum(1 for s in tally.submissions if s.acked),
        "retried": sum(1 for s in tally.submissions if s.attempts > 1),
        "reports_in_database": state["reports"],
        "integrity": state["integrity"],
        "audit": state["audit"],
        "problems": len(problems),
        "seconds": round(time.perf_counter() - started, 1),
    }
    for problem in problems[:20]:
        print("PROBLEM:", problem)
    print(json.dumps(summary))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
