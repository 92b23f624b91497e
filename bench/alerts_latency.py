"""How fast SIGAP speaks up: filing -> notification, and deadline -> escalation with the real scheduler.

    .venv/bin/python bench/alerts_latency.py [--reports 20]

Builds a scratch deployment (temporary SQLite file), plans the running shift,
then:

1. files ``--reports`` risiko-tinggi reports through the API (Django's test
   client, in process) and reports the time from the request to the moment the
   duty person's, the backup's and the manager's notifications exist;
2. starts the real worker (``manage.py db_worker --interval 1``, as ``serve`` does)
   and ticks the scheduler every ``schedule.TICK_SECONDS`` like ``serve``; once the
   5-minute alerts job has run, moves one report's response deadline to 5 seconds
   from now and waits for its first escalation: the worst case, since the deadline
   passes just after a run. Prints the seconds from deadline to escalation.

Not a test: nothing asserts a time. Takes about 6 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sigap-alerts-") as folder:
        os.environ.pop("DATABASE_URL", None)
        from cases_bench import setup

        setup(Path(folder))
        from django.test import Client
        from django.utils import timezone

        from sigap.accounts.roles import Role
        from sigap.alerts import roster
        from sigap.alerts.models import ReportAlert, RosterEntry
        from sigap.core import schedule
        from sigap.core.models import Notification
        from sigap.intake.api import issue_token
        from sigap.intake.models import Report
        from sigap.intake.tests.factories import report_payload
        from sigap.lib.testing import create_user

        manager = create_user(Role.MANAGER, "kepala")
        duty = create_user(Role.OPERATOR, "operator")
        backup = create_user(Role.OPERATOR, "operator-b")
        found = roster.slot_at(timezone.now())
        RosterEntry.objects.create(date=found.date, shift=found.shift, duty=duty, backup=backup, planned_by=manager)
        token = issue_token(duty)
        client = Client()
        latencies = []
        for _n in range(args.reports):
            started = time.perf_counter()
            response = client.post("/api/v1/reports", json.dumps(report_payload(injury_needs_care=True)),
                                   content_type="application/json", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 201, response.content
            number = response.json()["registration_number"]
            while Notification.objects.filter(text__contains=number).count() < 3:
                time.sleep(0.001)
            latencies.append((time.perf_counter() - started) * 1000)
        print(f"filing -> notification (3 recipients), {args.reports} API reports: "
              f"median {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms")

        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "1"], cwd=ROOT,
                                  env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            schedule.tick()
            next_tick = time.monotonic() + schedule.TICK_SECONDS
            # Wait for the first alerts job run (nothing is due yet), then let the deadline pass just after it.
            from django_tasks_db.models import DBTaskResult

            while not DBTaskResult.objects.filter(task_path__endswith="escalate_reports", status="SUCCESSFUL").exists():
                time.sleep(0.5)
            report = Report.objects.order_by("pk").first()
            assert report is not None
            deadline = timezone.now() + timezone.timedelta(seconds=5)
            Report.objects.filter(pk=report.pk).update(response_due_at=deadline)
            print(f"deadline set {deadline:%H:%M:%S}; waiting for the escalation (worst case: just missed a run)")
            waited_until = time.monotonic() + 7 * 60
            sent = None
            while time.monotonic() < waited_until:
                if time.monotonic() >= next_tick:
                    schedule.tick()
                    next_tick = time.monotonic() + schedule.TICK_SECONDS
                sent = Notification.objects.filter(kind="alerts.escalated",
                                                   text__contains=report.registration_number).first()
                if sent is not None:
                    break
                time.sleep(0.5)
            if sent is None:
                print("no escalation within 7 minutes")
                return 1
            delay = (sent.created_at - deadline).total_seconds()
            print(f"deadline -> first escalation: {delay:.0f} s ({delay / 60:.1f} min); "
                  f"alert level {ReportAlert.objects.get(report=report).level}")
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
