from __future__ import annotations

import csv
import datetime
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from sigap.lib.testing import SigapTestCase
from sigap.vault import audit
from sigap.vault.models import AuditEntry

JAKARTA = datetime.timezone(datetime.timedelta(hours=7))


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=JAKARTA)


class BreachReportTests(SigapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        events = [
            (at(1, 9), cls.operator, "intake.report.open", "41"),
            (at(1, 10), cls.operator, "intake.report.open", "41"),
            (at(2, 23), cls.manager, "intake.report.reveal_reporter", "41"),
            (at(2, 11), cls.manager, "intake.report.open", "42"),
            (at(3, 8), cls.data_officer, "stats.export", ""),
            (at(3, 23), cls.case_worker, "cases.document_download", "7"),
            (at(2, 12), cls.operator, "auth.login", ""),        # not an access to records
            (at(2, 12), cls.operator, "intake.report.update", "41"),  # a change, not a read
            (at(4, 0), cls.operator, "intake.report.open", "99"),     # after the period
            (at(1, 0) - datetime.timedelta(seconds=1), cls.operator, "intake.report.open", "98"),  # before
        ]
        for moment, user, action, object_id in sorted(events, key=lambda e: e[0]):
            with mock.patch("sigap.vault.audit.timezone.now", return_value=moment):
                kind = "intake.report" if action.startswith("intake") else ("cases.document" if "document" in action else "")
                audit.record(action, actor=user, object_type=kind, object_id=object_id)

    def report(self, *extra: str) -> str:
        out = StringIO()
        call_command("breach_report", "--since", "2026-11-01", "--until", "2026-11-03", *extra, stdout=out)
        return out.getvalue()

    def test_csv_lists_each_accessed_record_and_each_user_with_counts(self) -> None:
        rows = list(csv.DictReader(StringIO(self.report("--format", "csv"))))
        objects = {(r["object_type"], r["object_id"]): r for r in rows if r["section"] == "object"}
        users = {r["user_id"]: r for r in rows if r["section"] == "user"}
        self.assertEqual(set(objects), {("intake.report", "41"), ("intake.report", "42"), ("", ""),
                                        ("cases.document", "7")})
        self.assertEqual(objects[("intake.report", "41")]["count"], "3")
        self.assertEqual(objects[("intake.report", "41")]["distinct"], "2")  # operator and manager
        self.assertIn("intake.report.reveal_reporter=1", objects[("intake.report", "41")]["actions"])
        self.assertEqual(users[str(self.operator.pk)]["count"], "2")
        self.assertEqual(users[str(self.operator.pk)]["role"], "operator")
        self.assertEqual(users[str(self.manager.pk)]["distinct"], "2")
        self.assertEqual(set(users), {str(u.pk) for u in (self.operator, self.manager, self.data_officer,
                                                           self.case_worker)})

    def test_the_last_day_counts_whole_in_office_time(self) -> None:
        rows = list(csv.DictReader(StringIO(self.report("--format", "csv"))))
        self.assertIn("cases.document", {r["object_type"] for r in rows})  # 3 Nov 23:00 WIB

    def test_text_report_names_ids_and_roles_but_no_names(self) -> None:
        text = self.report()
        self.assertIn("UU 27/2022 Pasal 46", text)
        self.assertIn("intake.report 41: 3x", text)
        self.assertIn(f"{self.manager.pk} (manager)", text)
        self.assertIn("Entri akses: 6", text)
        for username in ("kepala", "pendamping", "relawan-a", "mitra"):
            self.assertNotIn(username, text)

    def test_running_the_report_is_itself_audited(self) -> None:
        self.report()
        self.assertTrue(AuditEntry.objects.filter(action="ops.breach_report").exists())

    def test_a_period_that_ends_before_it_starts_is_refused(self) -> None:
        with self.assertRaises(CommandError):
            call_command("breach_report", "--since", "2026-11-03", "--until", "2026-11-01", stdout=StringIO())
        with self.assertRaises(CommandError):
            call_command("breach_report", "--since", "kemarin", "--until", "2026-11-01", stdout=StringIO())

    def test_iso_times_narrow_the_period(self) -> None:
        out = StringIO()
        call_command("breach_report", "--since", "2026-11-01T09:30:00+07:00", "--until", "2026-11-01T23:00:00+07:00",
                     "--format", "csv", stdout=out)
        rows = [r for r in csv.DictReader(StringIO(out.getvalue())) if r["section"] == "object"]
        self.assertEqual([(r["object_id"], r["count"]) for r in rows], [("41", "1")])
        self.assertTrue(timezone.is_aware(timezone.now()))
