"""Accompaniment figures for the office's reports: each event counted in the period of its own date."""

from __future__ import annotations

import datetime
from unittest import skipUnless

from django.urls import reverse
from django.utils import timezone

from sigap.accompaniment import actions, reporting
from sigap.accompaniment.tests.factories import plain_case, rape_case
from sigap.cases.tests.factories import create_partner
from sigap.lib import pdftext
from sigap.lib.testing import SigapTestCase
from sigap.stats import monthly
from sigap.stats.forms import month_bounds


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def months(first: str, last: str) -> tuple[datetime.date, datetime.date]:
    """The days of the months ``first``..``last`` as [start, end), as the dashboard asks for them."""
    return month_bounds(first)[0].date(), month_bounds(last)[1].date()


def rows(found: list[reporting.Row]) -> dict[str, tuple[int, int | None]]:
    return {row.label: (row.cases, row.amount) for row in found}


class ReportingFiguresTests(SigapTestCase):
    def setUp(self) -> None:
        self.first = rape_case(self)
        self.second = plain_case(self)
        worker = self.case_worker
        for case in (self.first, self.second):
            actions.add_justice_step(case, by=worker, stage="laporan_polisi", on=datetime.date(2026, 3, 2),
                                     accompanied=True, accompanied_by=worker)
        actions.add_justice_step(self.first, by=worker, stage="persidangan", on=datetime.date(2026, 4, 9))
        hearing = actions.schedule_appointment(self.first, by=worker, kind="sidang", starts_at=at(2026, 4, 9),
                                               worker=worker)
        actions.record_outcome(hearing, by=worker, status="hadir")
        restitution = actions.request_restitution(self.first, by=worker, requested_on=datetime.date(2026, 3, 20),
                                                  amount=50_000_000)
        actions.update_restitution(restitution, by=worker, status="diputus", on=datetime.date(2026, 4, 30),
                                   amount=25_000_000)
        actions.update_restitution(restitution, by=worker, status="dibayar", on=datetime.date(2026, 5, 1),
                                   amount=10_000_000)
        actions.update_restitution(restitution, by=worker, status="kompensasi", on=datetime.date(2026, 5, 20),
                                   amount=15_000_000)
        actions.record_protection(self.first, by=worker, kind="sementara_polisi", granted_at=at(2026, 3, 3))
        lpsk = create_partner("lpsk", added_by=self.manager, name="LPSK Contoh")
        application = actions.prepare_lpsk(self.first, by=worker, partner=lpsk, applicant="korban",
                                           protection_asked="Pelindungan fisik", consent=True,
                                           consent_on=datetime.date(2026, 3, 4))
        actions.approve_lpsk(application, by=self.manager)
        actions.update_lpsk(application, by=worker, status="dikirim", now=at(2026, 3, 5))
        actions.update_lpsk(application, by=worker, status="diterima", now=at(2026, 4, 1))

    def test_each_event_counts_in_the_month_of_its_own_date(self) -> None:
        march = reporting.figures(*months("2026-03", "2026-03"))
        self.assertEqual(rows(march.justice)["Laporan polisi"], (2, None))
        self.assertEqual(rows(march.justice)["Persidangan"], (0, None))
        self.assertEqual(march.accompanied, 2)
        self.assertEqual(march.hearings, 0)
        self.assertEqual(rows(march.restitution)["Restitusi diajukan"], (1, 50_000_000))
        self.assertEqual(rows(march.restitution)["Restitusi diputus pengadilan"], (0, 0))
        self.assertEqual(rows(march.lpsk)["Permohonan dikirim ke LPSK"], (1, None))
        self.assertEqual(rows(march.protections)["Pelindungan sementara oleh kepolisian (UU TPKS Pasal 42)"],
                         (1, None))
        april = reporting.figures(*months("2026-04", "2026-04"))
        self.assertEqual(rows(april.justice)["Persidangan"], (1, None))
        self.assertEqual(april.hearings, 1)
        self.assertEqual(rows(april.restitution)["Restitusi diputus pengadilan"], (1, 25_000_000))
        self.assertEqual(rows(april.lpsk)["Diterima LPSK"], (1, None))
        may = reporting.figures(*months("2026-05", "2026-05"))
        self.assertEqual(rows(may.restitution)["Restitusi dibayar pelaku"], (1, 10_000_000))
        self.assertEqual(rows(may.restitution)["Kompensasi Dana Bantuan Korban"], (1, 15_000_000))
        self.assertFalse(may.empty)
        self.assertTrue(reporting.figures(*months("2026-06", "2026-06")).empty)
        year = reporting.figures(*months("2026-01", "2026-12"))
        self.assertEqual(rows(year.justice)["Laporan polisi"], (2, None))  # cases, not steps

    def test_a_refused_restitution_keeps_its_date_is_shown_and_counts_in_that_month(self) -> None:
        refused = actions.request_restitution(self.second, by=self.case_worker, requested_on=datetime.date(2026, 3, 1),
                                              amount=20_000_000)
        actions.update_restitution(refused, by=self.case_worker, status="tidak_dikabulkan",
                                   on=datetime.date(2026, 5, 14))
        refused.refresh_from_db()
        self.assertEqual(refused.refused_on, datetime.date(2026, 5, 14))
        label = "Restitusi tidak dikabulkan (jumlah diajukan)"
        self.assertEqual(rows(reporting.figures(*months("2026-05", "2026-05")).restitution)[label], (1, 20_000_000))
        self.assertEqual(rows(reporting.figures(*months("2026-03", "2026-04")).restitution)[label], (0, 0))
        page = self.login(self.case_worker).get(reverse("accompaniment:case", args=[self.second.pk]))
        self.assertContains(page, "tidak dikabulkan 14-05-2026")
        text = pdftext.pdf_text(monthly.render_pdf("2026-05"))
        self.assertIn("Restitusi tidak dikabulkan (jumlah diajukan) 1 20.000.000", text)

    def test_a_kecamatan_counts_only_its_own_cases(self) -> None:
        start, end = months("2026-03", "2026-05")
        self.assertEqual(rows(reporting.figures(start, end, self.first.kecamatan_code).justice)["Laporan polisi"],
                         (2, None))
        self.assertTrue(reporting.figures(start, end, "99.99.99").empty)


    def test_the_statistics_dashboard_and_its_download_count_justice_and_restitution(self) -> None:
        client = self.login(self.data_officer)
        period = {"dari": "2026-03", "sampai": "2026-05"}
        page = client.get(reverse("stats:dashboard"), period).content.decode()
        section = page.split('id="s-restitusi"')[1].split("</section>")[0]
        self.assertIn("Restitusi dan kompensasi", section)
        self.assertRegex(section, r"Restitusi diputus pengadilan</t[dh]><td[^>]*>1</td><td[^>]*>25\.000\.000<")
        process = page.split('id="s-proses-hukum"')[1].split("</section>")[0]
        self.assertRegex(process, r"Laporan polisi</t[dh]><td[^>]*>2<")
        self.assertNotIn(self.first.number, page)
        csv = client.get(reverse("stats:dashboard_export", args=["csv"]), period).content.decode("utf-8-sig")
        self.assertIn("Kompensasi Dana Bantuan Korban", csv)
        self.assertIn("15000000", csv.replace(".", "").replace(",", ""))

    @skipUnless(pdftext.available(), "pdftotext (poppler-utils) is not installed")
    def test_the_monthly_report_counts_the_months_justice_steps_and_restitution(self) -> None:
        text = pdftext.pdf_text(monthly.render_pdf("2026-04"))
        self.assertIn("Proses hukum, pelindungan dan LPSK bulan ini", text)
        self.assertIn("Restitusi diputus pengadilan 1 25.000.000", text)
        self.assertIn("Persidangan 1", text)
        self.assertIn("Restitusi dibayar pelaku 0 0", text)  # paid in May, not in April
        self.assertNotIn(self.first.number, text)


class RefusalDateMigrationTests(SigapTestCase):
    def test_a_restitution_refused_before_the_date_was_kept_gets_the_local_day_of_its_last_update(self) -> None:
        import importlib

        from django.apps import apps

        from sigap.accompaniment.models import Restitution

        step = importlib.import_module("sigap.accompaniment.migrations.0002_restitution_refused_on_statistics_indexes")
        case = plain_case(self)
        refused = actions.request_restitution(case, by=self.case_worker, requested_on=datetime.date(2026, 3, 1))
        still_open = actions.request_restitution(case, by=self.case_worker, requested_on=datetime.date(2026, 3, 2))
        # 20:30 UTC on 4 May is already 5 May in Jakarta.
        Restitution.objects.filter(pk=refused.pk).update(
            status="tidak_dikabulkan", updated_at=datetime.datetime(2026, 5, 4, 20, 30, tzinfo=datetime.UTC))
        step.date_refusals(apps, None)
        self.assertEqual(Restitution.objects.get(pk=refused.pk).refused_on, datetime.date(2026, 5, 5))
        self.assertIsNone(Restitution.objects.get(pk=still_open.pk).refused_on)
