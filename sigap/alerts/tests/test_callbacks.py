"""Call-backs as items of a handover: references and due times, done by whom, on the duty person's home."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.alerts import roster
from sigap.alerts.models import CallBack, Handover, RosterEntry
from sigap.alerts.tests.base import AlertsTestCase
from sigap.intake.channels.conversations.inbound import sender_index
from sigap.intake.channels.conversations.models import Conversation
from sigap.vault.models import AuditEntry


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


class CallBackTests(AlertsTestCase):
    def setUp(self) -> None:
        now = timezone.now()
        self.plan_now(at=now)
        nxt = roster.slot_at(roster.slot_at(now).end)
        RosterEntry.objects.create(date=nxt.date, shift=nxt.shift, duty=self.case_worker, backup=self.manager,
                                   planned_by=self.manager)
        self.report = self.file()
        self.conversation = Conversation.objects.create(channel="sms", sender="+6281100000077",
                                                        sender_index=sender_index("+6281100000077"))
        self.soon = timezone.now() + datetime.timedelta(hours=1)
        self.later = timezone.now() + datetime.timedelta(hours=3)

    def handover(self, user: Any = None, **rows: Any) -> Any:
        data: dict[str, Any] = {"note": "Dua orang perlu ditelepon balik.", "tb-TOTAL_FORMS": "3",
                                "tb-INITIAL_FORMS": "0", "tb-MIN_NUM_FORMS": "0", "tb-MAX_NUM_FORMS": "10"}
        data.update(rows)
        with self.captureOnCommitCallbacks(execute=True):
            return self.login(user or self.operator, client=Client()).post(reverse("alerts:handover"), data)

    def two_rows(self) -> dict[str, str]:
        return {"tb-0-reference": self.report.registration_number, "tb-0-due_at": local(self.later),
                "tb-1-reference": f"#{self.conversation.pk}", "tb-1-due_at": local(self.soon)}

    def test_the_handover_lists_call_backs_that_show_on_the_next_duty_persons_home(self) -> None:
        response = self.handover(**self.two_rows())
        self.assertEqual(response.status_code, 302)
        items = list(CallBack.objects.order_by("due_at"))
        self.assertEqual([(c.conversation, c.report) for c in items],
                         [(self.conversation, None), (None, self.report)])
        self.assertEqual({c.handover for c in items}, {Handover.objects.get()})
        self.assertEqual(AuditEntry.objects.filter(action="alerts.callback_listed").count(), 2)
        home = self.login(self.case_worker).get(reverse("core:staff_home"))
        self.assertContains(home, "Telepon balik")
        text = home.content.decode()
        self.assertLess(text.index(f"#{self.conversation.pk} · dari serah terima operator"),
                        text.index(f"{self.report.registration_number} · dari serah terima operator"))
        page = self.login(self.case_worker).get(reverse("alerts:handover"))
        self.assertContains(page, reverse("alerts:report_alert", args=[self.report.pk]))
        self.assertContains(page, "Sudah ditelepon", count=2)

    def test_marking_one_done_records_who_and_takes_it_off_the_home(self) -> None:
        self.handover(**self.two_rows())
        item = CallBack.objects.get(report=self.report)
        client = self.login(self.case_worker)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(reverse("alerts:callback_done", args=[item.pk]), {"kembali": "beranda"})
        self.assertRedirects(response, reverse("core:staff_home"), fetch_redirect_response=False)
        item.refresh_from_db()
        self.assertEqual(item.done_by, self.case_worker)
        self.assertIsNotNone(item.done_at)
        home = client.get(reverse("core:staff_home"))
        self.assertNotContains(home, f"{self.report.registration_number} · dari serah terima")
        page = client.get(reverse("alerts:handover"))
        self.assertContains(page, "sudah ditelepon oleh pendamping")
        # Marking again changes nothing.
        self.login(self.operator_b, client=Client()).post(reverse("alerts:callback_done", args=[item.pk]))
        item.refresh_from_db()
        self.assertEqual(item.done_by, self.case_worker)

    def test_only_the_hotline_team_marks_call_backs(self) -> None:
        self.handover(**self.two_rows())
        item = CallBack.objects.get(report=self.report)
        for user in (self.admin, self.data_officer, self.volunteer_a, self.partner):
            self.assertEqual(self.login(user, client=Client()).post(
                reverse("alerts:callback_done", args=[item.pk])).status_code, 403)
        item.refresh_from_db()
        self.assertIsNone(item.done_at)
        self.assertEqual(self.login(self.operator).post(
            reverse("alerts:callback_done", args=[999999])).status_code, 404)

    def test_names_numbers_and_unknown_references_are_refused_and_nothing_is_written(self) -> None:
        for reference in ("Ibu Mawar Rahasia", "081299990000", "#999999", "1811-2026-999999", "#١٢"):
            response = self.handover(**{"tb-0-reference": reference, "tb-0-due_at": local(self.soon)})
            self.assertContains(response, "Tidak ditemukan", status_code=400, msg_prefix=reference)
        self.assertFalse(Handover.objects.exists())
        self.assertFalse(CallBack.objects.exists())

    def test_a_row_half_filled_or_a_due_time_out_of_range_is_refused(self) -> None:
        cases = [
            ({"tb-0-reference": self.report.registration_number}, "Wajib diisi"),
            ({"tb-0-due_at": local(self.soon)}, "Wajib diisi"),
            ({"tb-0-reference": self.report.registration_number,
              "tb-0-due_at": local(timezone.now() + datetime.timedelta(days=30))}, "7 hari ke depan"),
            ({"tb-0-reference": self.report.registration_number, "tb-0-due_at": "٢٠٢٦-١٢-٠٤T١٠:٠٠"},
             "Tulis tanggal dan jam"),
            ({"tb-0-reference": self.report.registration_number, "tb-0-due_at": "99999-01-01T10:00"},
             "tanggal/waktu yang valid"),
        ]
        for rows, message in cases:
            response = self.handover(**rows)
            self.assertContains(response, message, status_code=400, msg_prefix=str(rows))
        self.assertFalse(Handover.objects.exists())

    def test_too_many_rows_are_refused(self) -> None:
        rows = {"tb-TOTAL_FORMS": "11"}
        for n in range(11):
            rows[f"tb-{n}-reference"] = self.report.registration_number
            rows[f"tb-{n}-due_at"] = local(self.soon)
        response = self.handover(**rows)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(CallBack.objects.exists())

    def test_blank_rows_are_skipped(self) -> None:
        self.assertEqual(self.handover().status_code, 302)
        self.assertTrue(Handover.objects.exists())
        self.assertFalse(CallBack.objects.exists())
