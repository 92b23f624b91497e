from __future__ import annotations

from django.db import transaction
from django.test import Client

from sigap.core import notify
from sigap.core.models import Notification
from sigap.lib.testing import SigapTestCase

URL = "/notifikasi/"


class Recorder:
    name = "recorder"

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        self.sent.append(notification)


class Broken:
    name = "broken"

    def send(self, notification: Notification) -> None:
        raise RuntimeError("gateway down")


class NotifyTests(SigapTestCase):
    def test_rows_are_written_after_commit_and_channels_get_them(self) -> None:
        recorder, broken = Recorder(), Broken()
        notify.register_channel(broken)
        notify.register_channel(recorder)
        self.addCleanup(notify.unregister_channel, recorder)
        self.addCleanup(notify.unregister_channel, broken)
        with self.captureOnCommitCallbacks(execute=True):
            notify.notify([self.manager, self.admin], "test", "Laporan #12 perlu ditinjau", "/laporan/12/")
            self.assertFalse(Notification.objects.exists())
        self.assertEqual(Notification.objects.count(), 2)
        self.assertEqual(len(recorder.sent), 2)

    def test_a_rolled_back_change_sends_nothing(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            try:
                with transaction.atomic():
                    notify.notify([self.manager], "test", "tidak jadi")
                    raise RuntimeError
            except RuntimeError:
                pass
        self.assertFalse(Notification.objects.exists())

    def test_inactive_users_are_skipped(self) -> None:
        self.manager.is_active = False
        self.manager.save()
        with self.captureOnCommitCallbacks(execute=True):
            notify.notify([self.manager], "test", "x")
        self.assertFalse(Notification.objects.exists())


class NotificationPageTests(SigapTestCase):
    def test_every_signed_in_user_reaches_their_inbox(self) -> None:
        self.assertAllowedOnly("get", URL, self.everyone)

    def test_inbox_lists_only_own_notifications(self) -> None:
        Notification.objects.create(recipient=self.manager, kind="t", text="Untuk kepala")
        Notification.objects.create(recipient=self.operator, kind="t", text="Untuk operator")
        self.login(self.manager)
        page = self.client.get(URL)
        self.assertContains(page, "Untuk kepala")
        self.assertNotContains(page, "Untuk operator")
        self.assertContains(page, "1 notifikasi belum dibaca")

    def test_marking_read_works_on_own_notifications_only(self) -> None:
        mine = Notification.objects.create(recipient=self.manager, kind="t", text="a")
        theirs = Notification.objects.create(recipient=self.operator, kind="t", text="b")
        self.assertAllowedOnly("post", f"{URL}{mine.pk}/baca/", [self.manager])
        mine.refresh_from_db()
        theirs.refresh_from_db()
        self.assertIsNotNone(mine.read_at)
        self.assertIsNone(theirs.read_at)
        self.login(self.manager)
        self.assertEqual(self.client.get(f"{URL}{mine.pk}/baca/").status_code, 405)
        self.assertEqual(self.client.post(f"{URL}99999/baca/").status_code, 404)

    def test_mark_all_read(self) -> None:
        Notification.objects.create(recipient=self.manager, kind="t", text="a")
        Notification.objects.create(recipient=self.operator, kind="t", text="b")
        self.login(self.manager)
        self.assertEqual(self.client.post(f"{URL}baca-semua/").status_code, 302)
        self.assertFalse(Notification.objects.filter(recipient=self.manager, read_at__isnull=True).exists())
        self.assertTrue(Notification.objects.filter(recipient=self.operator, read_at__isnull=True).exists())
        self.assertEqual(Client().post(f"{URL}baca-semua/").status_code, 302)
