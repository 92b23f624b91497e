"""Who reaches the statistics pages and downloads; what the files hold; audit of every download."""

from __future__ import annotations

import csv
import io
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from sigap.intake.models import Report
from sigap.lib.testing import SigapTestCase
from sigap.stats import tally
from sigap.stats.actions import request_monthly_report, run_monthly_report
from sigap.stats.forms import shift_month, this_month
from sigap.stats.models import MonthlyReport, MonthlyReportStatus
from sigap.vault.models import AuditEntry

EVERYTHING = {"dari": "2000-01", "sampai": this_month()}


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


class AccessTests(SigapTestCase):
    monthly: MonthlyReport

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        call_command("seed", "--cases", "12", "--random-seed", "2", stdout=StringIO())
        tally.run()
        cls.monthly = request_monthly_report(shift_month(this_month(), -1), "", by=cls.manager)
        run_monthly_report(cls.monthly.pk)

    def test_only_the_manager_and_the_data_officer_reach_each_statistics_page(self) -> None:
        allowed = [self.manager, self.data_officer]
        for name, args in (
            ("stats:dashboard", []),
            ("stats:dashboard_export", ["csv"]),
            ("stats:dashboard_export", ["xlsx"]),
            ("stats:simfoni", []),
            ("stats:simfoni_export", ["csv"]),
            ("stats:simfoni_export", ["xlsx"]),
            ("stats:monthly_list", []),
            ("stats:monthly_download", [self.monthly.pk]),
        ):
            with self.subTest(name=name, args=args):
                self.assertAllowedOnly("get", reverse(name, args=args), allowed)

    def test_only_the_manager_and_the_data_officer_may_request_a_monthly_report(self) -> None:
        self.assertAllowedOnly("post", reverse("stats:monthly_list"), [self.manager, self.data_officer],
                               data={"bulan": shift_month(this_month(), -1), "kecamatan": ""})

    def test_staff_without_the_second_factor_are_sent_to_verify_it(self) -> None:
        self.login(self.data_officer, verified=False)
        response = self.client.get(reverse("stats:dashboard"))
        self.assertEqual(response.status_code, 302)

    def test_the_navigation_shows_statistics_to_those_who_may_see_them(self) -> None:
        self.login(self.data_officer)
        self.assertContains(self.client.get(reverse("core:staff_home")), reverse("stats:dashboard"))
        self.login(self.operator)
        self.assertNotContains(self.client.get(reverse("core:staff_home")), reverse("stats:dashboard"))

    def test_an_unknown_download_format_is_not_found(self) -> None:
        self.login(self.manager)
        self.assertEqual(self.client.get(reverse("stats:dashboard_export", args=["pdf"])).status_code, 404)
        self.assertEqual(self.client.get(reverse("stats:simfoni_export", args=["json"])).status_code, 404)

    def test_bad_filter_values_show_an_error_and_the_default_period_never_a_500(self) -> None:
        self.login(self.manager)
        for params in ({"dari": "kemarin"}, {"dari": "2025-13"}, {"kecamatan": "99.99.99"},
                       {"dari": "2025-06", "sampai": "2025-01"}, {"sampai": "<script>"}):
            with self.subTest(params=params):
                response = self.client.get(reverse("stats:dashboard"), params)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["period"].end, this_month())
        response = self.client.get(reverse("stats:dashboard"), {"dari": "2025-06", "sampai": "2025-01"})
        self.assertContains(response, "Bulan awal harus sebelum")

    def test_a_bad_monthly_report_request_changes_nothing(self) -> None:
        self.login(self.manager)
        before = MonthlyReport.objects.count()
        for data in ({"bulan": "bulan lalu"}, {"bulan": "2999-01"}, {"bulan": "2025-01", "kecamatan": "x"}):
            response = self.client.post(reverse("stats:monthly_list"), data)
            self.assertEqual(response.status_code, 302)
        self.assertEqual(MonthlyReport.objects.count(), before)


class DashboardDownloadTests(SigapTestCase):
    report: Report

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        call_command("seed", "--cases", "30", "--random-seed", "4", stdout=StringIO())
        cls.report = Report.objects.order_by("pk")[0]
        # A campaign code as a spreadsheet formula: must never run as one when the file is opened.
        Report.objects.filter(pk=cls.report.pk).update(source='=HYPERLINK("http://contoh.invalid","klik")')
        tally.mark_reports([cls.report.pk])
        tally.run()

    def test_the_csv_holds_every_table_with_formulas_neutralised(self) -> None:
        self.login(self.data_officer)
        response = self.client.get(reverse("stats:dashboard_export", args=["csv"]), EVERYTHING)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        rows = csv_rows(response.content)
        cells = [cell for row in rows for cell in row]
        self.assertIn("'=HYPERLINK(\"http://contoh.invalid\",\"klik\")", cells)
        self.assertFalse([c for c in cells if c[:1] in ("=", "+", "@")])
        self.assertFalse([c for c in cells if c[:1] == "-" and not c[1:].replace(".", "").isdigit()])
        self.assertIn("Jenis kekerasan", cells)
        self.assertIn(str(Report.objects.count()), cells)

    def test_the_xlsx_stores_the_formula_as_plain_text(self) -> None:
        self.login(self.manager)
        response = self.client.get(reverse("stats:dashboard_export", args=["xlsx"]), EVERYTHING)
        workbook = load_workbook(io.BytesIO(response.content))
        found = [
            cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str) and "HYPERLINK" in cell.value
        ]
        self.assertTrue(found)
        for cell in found:
            self.assertTrue(cell.value.startswith("'="))
            self.assertEqual(cell.data_type, "s")
        self.assertGreater(len(workbook.sheetnames), 10)

    def test_the_xlsx_header_row_is_bold_and_stays_in_view(self) -> None:
        self.login(self.manager)
        response = self.client.get(reverse("stats:dashboard_export", args=["xlsx"]), EVERYTHING)
        workbook = load_workbook(io.BytesIO(response.content))
        for sheet in workbook.worksheets:
            self.assertEqual(sheet.freeze_panes, "A2")
            self.assertTrue(all(cell.font.b for cell in sheet[1] if cell.value is not None))
            self.assertFalse(any(cell.font.b for row in sheet.iter_rows(min_row=2) for cell in row))
        numbers = [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows(min_row=2)
                   for cell in row if isinstance(cell.value, int | float)]
        self.assertTrue(numbers)  # counts stay numbers, not text

    def test_every_download_is_audited_without_personal_data(self) -> None:
        self.login(self.data_officer)
        before = AuditEntry.objects.filter(action="stats.export").count()
        self.client.get(reverse("stats:dashboard_export", args=["csv"]), EVERYTHING)
        self.client.get(reverse("stats:dashboard_export", args=["xlsx"]), EVERYTHING)
        entries = list(AuditEntry.objects.filter(action="stats.export").order_by("-seq")[:2])
        self.assertEqual(AuditEntry.objects.filter(action="stats.export").count(), before + 2)
        self.assertEqual({e.object_id for e in entries}, {"csv", "xlsx"})
        for entry in entries:
            self.assertEqual(entry.actor_id, self.data_officer.pk)
            self.assertEqual(entry.object_type, "stats.dashboard")
            self.assertIn("period=2000-01", entry.reason)

    def test_the_dashboard_draws_charts_beside_tables_without_inline_styles_or_scripts(self) -> None:
        self.login(self.manager)
        response = self.client.get(reverse("stats:dashboard"), EVERYTHING)
        html = response.content.decode()
        self.assertIn("<svg", html)
        self.assertIn('class="stats-table"', html)
        self.assertNotIn("style=", html)
        self.assertNotIn("<script>", html)
        self.assertNotIn("javascript:", html)
        # The formula-like campaign code is shown as escaped text, never markup.
        self.assertIn("=HYPERLINK(&quot;http://contoh.invalid&quot;", html)


class MonthlyReportTests(SigapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        call_command("seed", "--cases", "60", "--random-seed", "8", stdout=StringIO())
        tally.run()

    def test_a_requested_report_is_made_by_the_worker_sealed_and_downloaded_with_an_audit_entry(self) -> None:
        from sigap.stats.tasks import generate_monthly_report

        self.login(self.manager)
        month = shift_month(this_month(), -1)
        with self.captureOnCommitCallbacks(execute=False):
            response = self.client.post(reverse("stats:monthly_list"), {"bulan": month, "kecamatan": ""})
        self.assertEqual(response.status_code, 302)
        report = MonthlyReport.objects.get(month=month)
        self.assertEqual(report.status, MonthlyReportStatus.QUEUED)
        self.assertTrue(AuditEntry.objects.filter(action="stats.monthly_report_requested").exists())
        generate_monthly_report.call(report.pk)
        report.refresh_from_db()
        self.assertEqual(report.status, MonthlyReportStatus.DONE)
        with connection.cursor() as cursor:  # sealed at rest
            cursor.execute("SELECT pdf FROM stats_monthlyreport WHERE id = %s", [report.pk])
            self.assertNotIn(b"%PDF", bytes(cursor.fetchone()[0]))
        response = self.client.get(reverse("stats:monthly_download", args=[report.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertEqual(response["Content-Type"], "application/pdf")
        entry = AuditEntry.objects.filter(action="stats.export").order_by("-seq").first()
        assert entry is not None
        self.assertEqual(entry.object_type, "stats.monthlyreport")
        self.assertIn(f"month={month}", entry.reason)

    def test_a_report_for_one_kecamatan_is_made_too(self) -> None:
        report = request_monthly_report(this_month(), "18.11.01", by=self.data_officer)
        run_monthly_report(report.pk)
        report.refresh_from_db()
        self.assertEqual(report.status, MonthlyReportStatus.DONE)
        self.assertGreater(report.size, 1000)

    def test_an_unfinished_report_cannot_be_downloaded(self) -> None:
        report = request_monthly_report(this_month(), "", by=self.manager)
        self.login(self.manager)
        self.assertEqual(self.client.get(reverse("stats:monthly_download", args=[report.pk])).status_code, 404)

    def test_key_numbers_compare_the_month_with_the_one_before_and_a_year_earlier(self) -> None:
        from django.utils import timezone

        from sigap.intake.models import Victim
        from sigap.stats.forms import month_bounds
        from sigap.stats.monthly import collect, key_numbers

        latest = Report.objects.order_by("-received_at").first()
        assert latest is not None
        month = timezone.localtime(latest.received_at).strftime("%Y-%m")
        data = collect(month)
        numbers = {k.label: k for k in key_numbers(data.this, data.previous, data.last_year)}
        for m, attribute in ((month, "this"), (shift_month(month, -1), "previous"),
                             (shift_month(month, -12), "last_year")):
            start, end = month_bounds(m)
            reports = Report.objects.filter(received_at__gte=start, received_at__lt=end)
            self.assertEqual(getattr(numbers["Kasus"], attribute), reports.count(), m)
            self.assertEqual(getattr(numbers["Korban"], attribute),
                             Victim.objects.filter(report__in=reports).count(), m)
            self.assertEqual(getattr(numbers["Kasus kekerasan seksual"], attribute),
                             reports.filter(violence__violence_type="seksual").count(), m)
