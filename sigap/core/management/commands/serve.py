"""Start the whole system: the production web server and the background worker.

``make run`` calls this. It migrates, loads region data, prints the address and,
while no account exists, a one-time setup link; Ctrl-C stops both processes.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from sigap.accounts.actions import issue_setup_token
from sigap.core import schedule

logger = logging.getLogger("sigap.serve")


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and the background task worker together."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--skip-setup", action="store_true", help="do not migrate or load regions")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["skip_setup"]:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("load_regions", stdout=self.stdout)
        host, port = options["host"], str(options["port"])
        base = f"http://{host}:{port}"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "sigap.settings")}
        web = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [
                sys.executable, "-m", "gunicorn", "sigap.wsgi:application",
                "--bind", f"{host}:{port}",
                "--workers", str(options["workers"]),
                "--threads", str(options["threads"]),
                "--worker-class", "gthread",
                "--timeout", "60",
                "--graceful-timeout", "10",
                "--max-requests", "5000", "--max-requests-jitter", "500",
                "--access-logfile", "-",
                # The default access log has the query string; ours never carries
                # personal data, but log the path only to be safe.
                "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            ],
            env=env,
        )
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "1"],
            env=env,
            cwd=str(settings.BASE_DIR),
        )
        children = [web, worker]
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

        self.stdout.write(self.style.SUCCESS(f"SIGAP berjalan di {base}/  (Ctrl-C untuk berhenti)"))
        token = issue_setup_token()
        if token:
            self.stdout.write(
                self.style.WARNING(f"Belum ada pengguna. Tautan penyiapan sekali pakai: {base}/akun/setup/{token}/")
            )
        self.stdout.flush()
        next_tick = time.monotonic()
        try:
            while not stopping:
                if any(child.poll() is not None for child in children):
                    self.stderr.write("A SIGAP process exited; stopping the others.")
                    break
                if time.monotonic() >= next_tick:
                    # Periodic jobs (backups, deadline escalation) go on the task queue.
                    try:
                        schedule.tick()
                    except Exception:
                        logger.exception("periodic job scheduling failed; retrying at the next tick")
                    next_tick = time.monotonic() + schedule.TICK_SECONDS
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
            self.stdout.write("SIGAP berhenti.")
        if not stopping:
            sys.exit(1)
