from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.test import TestCase
from django.utils import timezone

from sigap.core import schedule
from sigap.core.models import ScheduledJob


class FakeTask:
    def __init__(self) -> None:
        self.enqueued = 0

    def enqueue(self) -> None:
        self.enqueued += 1


class ScheduleTests(TestCase):
    def test_a_job_is_enqueued_once_per_interval(self) -> None:
        task = FakeTask()
        jobs = {"test.hourly": schedule.Job("test.hourly", timedelta(hours=1), task)}
        start = timezone.now()
        with mock.patch.object(schedule, "discover", return_value=jobs):
            self.assertEqual(schedule.tick(start), ["test.hourly"])
            self.assertEqual(schedule.tick(start + timedelta(minutes=59)), [])
            self.assertEqual(schedule.tick(start + timedelta(minutes=61)), ["test.hourly"])
        self.assertEqual(task.enqueued, 2)
        self.assertEqual(ScheduledJob.objects.get().name, "test.hourly")

    def test_a_failing_job_does_not_stop_the_others_and_is_retried(self) -> None:
        broken = mock.Mock()
        broken.enqueue.side_effect = RuntimeError("queue down")
        good = FakeTask()
        jobs = {
            "test.broken": schedule.Job("test.broken", timedelta(hours=1), broken),
            "test.good": schedule.Job("test.good", timedelta(hours=1), good),
        }
        with mock.patch.object(schedule, "discover", return_value=jobs), self.assertLogs("sigap.schedule"):
            self.assertEqual(schedule.tick(), ["test.good"])
        self.assertFalse(ScheduledJob.objects.filter(name="test.broken", last_enqueued_at__isnull=False).exists())

    def test_interval_must_be_positive(self) -> None:
        with self.assertRaises(ValueError):
            schedule.periodic(name="x")
