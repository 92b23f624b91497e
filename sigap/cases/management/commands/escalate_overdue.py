"""Escalate overdue case tasks to the managers.

The scheduler (``sigap.core.schedule``, ticked by ``manage.py serve``) enqueues
``escalate_overdue_tasks`` every five minutes; this command runs it by hand, or
from cron on a deployment without ``serve``: ``--enqueue`` hands it to the
worker instead of running it here.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sigap.cases.tasks import escalate_overdue_tasks


class Command(BaseCommand):
    help = "Escalate overdue case tasks to the case managers (now, or --enqueue for the worker)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enqueue", action="store_true", help="queue the task for the background worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = escalate_overdue_tasks.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        count = escalate_overdue_tasks.call()
        self.stdout.write(f"escalated {count}")
