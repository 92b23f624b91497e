"""Shared setup: a roster entry for the running shift, a report filed through the real action."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from sigap.accounts.roles import Role
from sigap.alerts import roster
from sigap.alerts.models import RosterEntry
from sigap.alerts.tasks import escalate_reports
from sigap.core.models import Notification
from sigap.intake.models import Report
from sigap.intake.tests.factories import create_report
from sigap.lib.testing import SigapTestCase, create_user


class AlertsTestCase(SigapTestCase):
    operator_b: Any

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.operator_b = create_user(Role.OPERATOR, "operator-b")

    def plan_now(self, duty: Any = None, backup: Any = None, at: datetime.datetime | None = None) -> RosterEntry:
        found = roster.slot_at(at or timezone.now())
        return RosterEntry.objects.create(date=found.date, shift=found.shift, duty=duty or self.operator,
                                          backup=backup or self.operator_b, planned_by=self.manager)

    def file(self, by: Any = None, **overrides: Any) -> Report:
        with self.captureOnCommitCallbacks(execute=True):
            return create_report(by or self.operator, **overrides).report

    def recipients(self, kind: str | None = None) -> set[str]:
        rows = Notification.objects.all()
        if kind:
            rows = rows.filter(kind=kind)
        return {n.recipient.username for n in rows}

    def clear(self) -> None:
        Notification.objects.all().delete()

    def run_job(self, entry: RosterEntry, moment: datetime.datetime) -> None:
        """Run the worker's alerts job at ``moment``, ``entry`` moved to the shift running then (notifications
        cleared first, so ``recipients`` tells who this run notified)."""
        self.clear()
        found = roster.slot_at(moment)
        entry.date, entry.shift = found.date, found.shift
        entry.save()
        with self.captureOnCommitCallbacks(execute=True):
            escalate_reports.call(now=moment.isoformat())


class ReportEscalationCase(AlertsTestCase):
    """A risiko-tinggi report filed with someone on duty; ``run_at(minutes)`` runs the job after its deadline."""

    def setUp(self) -> None:
        self.entry = self.plan_now()
        self.report = self.file(injury_needs_care=True)
        self.due = self.report.response_due_at
        self.clear()

    def run_at(self, minutes: float) -> set[str]:
        """Run the worker's job ``minutes`` after the deadline; who was notified by it."""
        self.run_job(self.entry, self.due + datetime.timedelta(minutes=minutes))
        return self.recipients("alerts.escalated")
