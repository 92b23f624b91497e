from __future__ import annotations

import datetime

from django.utils import timezone

from sigap.core.schedule import discover
from sigap.intake.actions import Idempotency, purge_idempotency, submit_report
from sigap.intake.models import IdempotencyRecord, Report
from sigap.intake.tests.factories import report_payload
from sigap.intake.validation import ReportInput
from sigap.lib.testing import SigapTestCase


class PurgeIdempotencyTests(SigapTestCase):
    def test_old_answers_are_purged_and_reports_stay(self) -> None:
        data = ReportInput.model_validate(report_payload())
        submit_report(data, by=self.operator, idempotency=Idempotency("lama", "d1"))
        submit_report(data, by=self.operator, idempotency=Idempotency("baru", "d2"))
        IdempotencyRecord.objects.filter(key="lama").update(created_at=timezone.now() - datetime.timedelta(hours=25))
        self.assertEqual(purge_idempotency(), 1)
        self.assertEqual(list(IdempotencyRecord.objects.values_list("key", flat=True)), ["baru"])
        self.assertEqual(Report.objects.count(), 2)

    def test_the_purge_is_scheduled(self) -> None:
        self.assertIn("intake.purge_idempotency", discover())
