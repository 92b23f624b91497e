"""Deadline order: the awaiting-reports list, the report list and the inbox show what is due first."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sigap.alerts.tests.base import AlertsTestCase
from sigap.cases import actions as case_actions
from sigap.intake.channels.conversations.models import Conversation
from sigap.intake.codes import ReportStatus
from sigap.intake.models import Report
from sigap.intake.views.common import deadline_page


class DeadlineOrderTests(AlertsTestCase):
    def setUp(self) -> None:
        self.low = self.file()  # sedang/rendah: due in hours or days
        self.high = self.file(injury_needs_care=True)  # due in 1 hour
        self.late = self.file()
        Report.objects.filter(pk=self.late.pk).update(response_due_at=timezone.now() - datetime.timedelta(hours=2))
        self.handled = self.file(injury_needs_care=True)
        with self.captureOnCommitCallbacks(execute=True):
            case_actions.open_case([self.handled], by=self.manager)

    def order_in(self, page: str, reports: list[Report]) -> list[int]:
        return [page.index(r.registration_number) for r in reports]

    def test_awaiting_reports_are_sorted_by_deadline_with_words_and_links(self) -> None:
        page = self.login(self.manager).get(reverse("cases:awaiting_reports")).content.decode()
        positions = self.order_in(page, [self.late, self.high, self.low])
        self.assertEqual(positions, sorted(positions))
        self.assertIn("lewat 2 jam", page)
        self.assertIn("sisa 59 menit", page)
        for report in (self.late, self.high, self.low):
            self.assertIn(f'href="{reverse("intake:report_detail", args=[report.pk])}"', page)
        self.assertNotIn(self.handled.registration_number, page)

    def test_the_report_list_puts_awaiting_reports_first_by_deadline_then_the_rest(self) -> None:
        page = self.login(self.operator).get(reverse("intake:report_list")).content.decode()
        positions = self.order_in(page, [self.late, self.high, self.low, self.handled])
        self.assertEqual(positions, sorted(positions))
        self.assertIn("lewat 2 jam", page)
        # The deadline is the second column.
        self.assertLess(page.index("Batas respons</th>"), page.index("Risiko</th>"))

    def test_deadline_pages_walk_both_segments_forwards_and_backwards(self) -> None:
        more = [self.file() for _ in range(2)]
        Report.objects.filter(pk=more[0].pk).update(status=ReportStatus.SELESAI)
        everything = Report.objects.all()
        awaiting = Q(status=ReportStatus.DITERIMA)
        expected = [r.pk for r in everything.filter(awaiting).order_by("response_due_at", "pk")]
        expected += [r.pk for r in everything.exclude(awaiting).order_by("-created_at", "-pk")]
        seen: list[int] = []
        pages = []
        params: dict[str, str] = {}
        while True:
            page = deadline_page(everything, params, awaiting=awaiting, size=2)
            pages.append(page)
            seen += [r.pk for r in page.rows]
            if not page.next_cursor:
                break
            params = {"after": page.next_cursor}
        self.assertEqual(seen, expected)
        self.assertEqual(len(pages), 3)
        back = deadline_page(everything, {"before": pages[-1].prev_cursor or ""}, awaiting=awaiting, size=2)
        self.assertEqual([r.pk for r in back.rows], [r.pk for r in pages[-2].rows])
        bad = deadline_page(everything, {"after": "zz-not-a-cursor"}, awaiting=awaiting, size=2)
        self.assertEqual([r.pk for r in bad.rows], expected[:2])

    def test_the_inbox_shows_time_left_or_overdue(self) -> None:
        now = timezone.now()
        Conversation.objects.create(channel="whatsapp", sender="6281200001111", sender_index="x1",
                                    waiting_since=now - datetime.timedelta(hours=3), last_message_at=now)
        Conversation.objects.create(channel="sms", sender="6281200002222", sender_index="x2",
                                    waiting_since=now - datetime.timedelta(minutes=4, seconds=30), last_message_at=now)
        page = self.login(self.operator).get(reverse("conversations:inbox")).content.decode()
        self.assertIn("lewat 2 jam", page)
        self.assertIn("sisa 25 menit", page)
        self.assertLess(page.index("lewat 2 jam"), page.index("sisa 25 menit"))
