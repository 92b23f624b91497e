from __future__ import annotations

import datetime
import shutil
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sigap.lib.testing import SigapTestCase
from sigap.ops import schedule
from sigap.ops.backup import complete_backups
from sigap.ops.models import BackupRun
from sigap.ops.tasks import check_backup_schedule, scheduled_backup
from sigap.vault.models import AuditEntry


def backup_run(hours_ago: float, status: str = BackupRun.Status.OK, **extra: object) -> BackupRun:
    finished = timezone.now() - datetime.timedelta(hours=hours_ago)
    return BackupRun.objects.create(
        started_at=finished - datetime.timedelta(seconds=30), finished_at=finished, status=status, **extra
    )


def queued() -> int:
    return DBTaskResult.objects.filter(task_path=scheduled_backup.module_path).count()


@override_settings(SIGAP_BACKUP_INTERVAL_HOURS=24, SIGAP_BACKUP_WARN_HOURS=48)
class ScheduleTests(SigapTestCase):
    def test_a_first_tick_enqueues_a_backup_and_a_second_does_not_enqueue_another(self) -> None:
        self.assertEqual(schedule.tick(), "enqueued")
        self.assertEqual(schedule.tick(), "queued")
        self.assertEqual(queued(), 1)

    def test_no_backup_is_enqueued_while_the_last_good_one_is_recent(self) -> None:
        backup_run(hours_ago=3)
        self.assertEqual(schedule.tick(), "not_due")
        self.assertEqual(queued(), 0)

    def test_a_backup_is_due_once_the_interval_has_passed_even_after_failures(self) -> None:
        backup_run(hours_ago=25)
        backup_run(hours_ago=1, status=BackupRun.Status.FAILED, error="pg_dump gagal")
        self.assertEqual(schedule.tick(), "enqueued")

    def test_a_backup_task_left_running_by_a_killed_worker_does_not_block_the_schedule(self) -> None:
        scheduled_backup.enqueue()
        DBTaskResult.objects.update(status=TaskResultStatus.RUNNING,
                                    started_at=timezone.now() - datetime.timedelta(hours=7))
        self.assertEqual(schedule.tick(), "enqueued")

    def test_the_backup_check_is_a_periodic_job_that_queues_the_backup(self) -> None:
        from sigap.core.schedule import discover

        self.assertIn("ops.backup_schedule", discover())
        self.assertEqual(check_backup_schedule.call(), "enqueued")
        self.assertEqual(queued(), 1)


class ScheduledBackupTaskTests(TransactionTestCase):
    """Not inside a test transaction: a backup reads committed data, as in production."""

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="sigap-ops-task-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_the_worker_task_backs_up_records_the_run_and_keeps_the_newest(self) -> None:
        with override_settings(SIGAP_BACKUP_DIR=self.tmp / "backups", SIGAP_BACKUP_KEEP=2, DATA_DIR=self.tmp):
            folders = [scheduled_backup.call()["folder"] for _ in range(3)]
        runs = list(BackupRun.objects.order_by("pk"))
        self.assertEqual([r.status for r in runs], [BackupRun.Status.OK] * 3)
        self.assertEqual({r.trigger for r in runs}, {BackupRun.Trigger.SCHEDULED})
        self.assertTrue(all(r.size_bytes and r.finished_at for r in runs))
        self.assertEqual([p.name for p in complete_backups(self.tmp / "backups")], folders[:0:-1])
        self.assertEqual(AuditEntry.objects.filter(action="ops.backup_export").count(), 3)
        self.assertFalse(schedule.backup_due())


class StatusPageTests(SigapTestCase):
    url = "/ops/"

    def test_only_the_administrator_reaches_the_backup_page(self) -> None:
        self.assertAllowedOnly("get", self.url, [self.admin])

    def test_only_the_administrator_may_start_a_backup(self) -> None:
        self.assertAllowedOnly("post", "/ops/cadangkan/", [self.admin])

    def test_the_page_needs_the_second_factor(self) -> None:
        self.login(self.admin, verified=False)
        self.assertNotEqual(self.client.get(self.url).status_code, 200)

    def test_the_admin_navigation_links_to_the_page(self) -> None:
        self.login(self.admin)
        self.assertContains(self.client.get("/staf/"), 'href="/ops/"')
        self.login(self.manager)
        self.assertNotContains(self.client.get("/staf/"), 'href="/ops/"')

    def test_no_backup_ever_is_a_warning(self) -> None:
        self.login(self.admin)
        self.assertContains(self.client.get(self.url), "Belum pernah ada pencadangan yang berhasil")

    @override_settings(SIGAP_BACKUP_WARN_HOURS=48)
    def test_a_last_good_backup_older_than_the_warning_age_is_a_warning(self) -> None:
        backup_run(hours_ago=60, path="/srv/backup/sigap-20261101T000000Z", size_bytes=123456)
        self.login(self.admin)
        response = self.client.get(self.url)
        self.assertContains(response, "lebih dari 48 jam")
        self.assertContains(response, "sigap-20261101T000000Z")

    @override_settings(SIGAP_BACKUP_WARN_HOURS=48)
    def test_a_recent_good_backup_shows_no_warning(self) -> None:
        backup_run(hours_ago=2)
        self.login(self.admin)
        response = self.client.get(self.url)
        self.assertNotContains(response, 'role="alert"')
        self.assertContains(response, "Berhasil")

    def test_a_failed_last_run_shows_its_error(self) -> None:
        backup_run(hours_ago=2)
        backup_run(hours_ago=1, status=BackupRun.Status.FAILED, error="Ruang disk habis")
        self.login(self.admin)
        self.assertContains(self.client.get(self.url), "Ruang disk habis")

    def test_a_backup_waiting_long_for_the_worker_is_a_warning(self) -> None:
        scheduled_backup.enqueue()
        DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(hours=2))
        self.login(self.admin)
        self.assertContains(self.client.get(self.url), "worker latar belakang tampaknya tidak berjalan")

    def test_backup_now_enqueues_once(self) -> None:
        self.login(self.admin)
        self.assertRedirects(self.client.post("/ops/cadangkan/"), self.url, fetch_redirect_response=False)
        self.client.post("/ops/cadangkan/")
        self.assertEqual(queued(), 1)


@override_settings(SIGAP_BACKUP_WARN_HOURS=48)
class BackupStatusCommandTests(SigapTestCase):
    def test_monitoring_fails_without_any_good_backup(self) -> None:
        with self.assertRaises(CommandError):
            call_command("backup_status", stdout=StringIO())

    def test_monitoring_passes_with_a_recent_backup_and_fails_with_an_old_one(self) -> None:
        backup_run(hours_ago=5, path="/srv/b/sigap-1")
        out = StringIO()
        call_command("backup_status", stdout=out)
        self.assertIn("5.0 jam", out.getvalue())
        BackupRun.objects.all().delete()
        backup_run(hours_ago=50)
        with self.assertRaisesRegex(CommandError, "lebih dari 48 jam"):
            call_command("backup_status", stdout=StringIO())
