"""The tally follows changes: new reports, audited changes, marked reports, passing deadlines."""

from __future__ import annotations

import datetime
from io import StringIO

from django.apps import apps
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from sigap.intake.actions import override_risk
from sigap.intake.codes import Place, ReportStatus, Risk
from sigap.intake.models import ChronologyEvent, Report, Victim
from sigap.lib.testing import SigapTestCase
from sigap.stats import dashboard, tally
from sigap.stats import dimensions as d
from sigap.stats.forms import Period, shift_month, this_month
from sigap.stats.models import ALL_KECAMATAN, CountedReport, MonthlyCount, TallyState
from sigap.vault.audit import record


def everything() -> Period:
    return Period(start="2000-01", end=shift_month(this_month(), 1))


def board() -> dashboard.Dashboard:
    return dashboard.build(everything())


class TallyTests(SigapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        call_command("seed", "--cases", "40", "--random-seed", "9", stdout=StringIO())

    def setUp(self) -> None:
        tally.run()

    def test_a_risk_override_is_counted_under_the_new_risk_on_the_next_run(self) -> None:
        report = Report.objects.filter(risk=Risk.RENDAH).first()
        assert report is not None
        before = board()
        override_risk(report, Risk.TINGGI, by=self.manager, reason="Ancaman baru dari terlapor")
        self.assertEqual(board().n(d.RISK, Risk.TINGGI), before.n(d.RISK, Risk.TINGGI))
        tally.run()
        after = board()
        self.assertEqual(after.n(d.RISK, Risk.TINGGI), before.n(d.RISK, Risk.TINGGI) + 1)
        self.assertEqual(after.n(d.RISK, Risk.RENDAH), before.n(d.RISK, Risk.RENDAH) - 1)
        self.assertEqual(after.n(d.RISK, Risk.TINGGI), Report.objects.filter(risk=Risk.TINGGI).count())

    def test_a_report_written_without_any_audit_entry_is_found_by_its_id(self) -> None:
        source = Report.objects.order_by("pk").first()
        assert source is not None
        next_number = (Report.objects.aggregate(n=Max("sequence"))["n"] or 0) + 1000
        copy = Report.objects.create(
            registration_number=f"1811-2001-{next_number:06d}", region_code="1811", year=2001, sequence=next_number,
            channel=source.channel, received_at=source.received_at, kecamatan_code=source.kecamatan_code,
            desa_id=source.desa_id, risk=source.risk, risk_computed=source.risk, case_type=source.case_type,
            response_due_at=source.response_due_at, status=ReportStatus.SELESAI,
        )
        total = board().n(d.TOTAL, "all")
        tally.run()
        self.assertEqual(board().n(d.TOTAL, "all"), total + 1)
        self.assertTrue(CountedReport.objects.filter(report_id=copy.pk).exists())

    def test_a_change_named_by_the_audit_log_through_a_chronology_event_recounts_its_report(self) -> None:
        event = ChronologyEvent.objects.filter(is_current=True).exclude(place=Place.SEKOLAH).first()
        assert event is not None
        schools = Report.objects.filter(events__place=Place.SEKOLAH, events__is_current=True).distinct().count()
        only_event = not ChronologyEvent.objects.filter(
            report_id=event.report_id, is_current=True, place=Place.SEKOLAH
        ).exists()
        ChronologyEvent.objects.filter(pk=event.pk).update(place=Place.SEKOLAH)
        record("cases.event_amended", actor=self.manager, obj=event)
        tally.run()
        self.assertEqual(board().n(d.PLACE, Place.SEKOLAH), schools + (1 if only_event else 0))

    def test_a_change_without_audit_is_counted_once_the_report_is_marked(self) -> None:
        report = Report.objects.first()
        assert report is not None
        victims = board().victims(d.TOTAL, "all")
        Victim.objects.create(report=report, position=9, age_group="6-12", is_child=True, sex="L",
                              desa_id=str(report.desa_id))
        tally.run()
        self.assertEqual(board().victims(d.TOTAL, "all"), victims)
        tally.mark_reports([report.pk])
        tally.run()
        self.assertEqual(board().victims(d.TOTAL, "all"), victims + 1)

    def test_a_report_moved_to_another_month_leaves_its_old_month(self) -> None:
        report = Report.objects.first()
        assert report is not None
        old_month = tally.month_of(report.received_at)
        new_received = datetime.datetime(2003, 5, 10, 9, tzinfo=timezone.get_current_timezone())
        Report.objects.filter(pk=report.pk).update(received_at=new_received)
        tally.mark_reports([report.pk])
        tally.run()
        expected_old = sum(1 for r in Report.objects.all() if tally.month_of(r.received_at) == old_month)
        self.assertEqual(dashboard.build(Period(old_month, old_month)).n(d.TOTAL, "all"), expected_old)
        self.assertEqual(dashboard.build(Period("2003-05", "2003-05")).n(d.TOTAL, "all"), 1)

    def test_a_passing_deadline_turns_a_waiting_report_into_an_overdue_one(self) -> None:
        report = Report.objects.first()
        assert report is not None
        now = timezone.now()
        due = now + datetime.timedelta(hours=2)
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.DITERIMA, response_due_at=due)
        if d.cases_installed():
            apps.get_model("cases", "Case").objects.filter(case_reports__report=report).update(first_contact_at=None)
        tally.mark_reports([report.pk])
        tally.run(now=now)
        waiting, overdue = f"{report.risk}|{d.WAITING}", f"{report.risk}|{d.OVERDUE}"
        before = board()
        self.assertGreaterEqual(before.n(d.RESPONSE, waiting), 1)
        tally.run(now=due + datetime.timedelta(minutes=1))
        after = board()
        self.assertEqual(after.n(d.RESPONSE, waiting), before.n(d.RESPONSE, waiting) - 1)
        self.assertEqual(after.n(d.RESPONSE, overdue), before.n(d.RESPONSE, overdue) + 1)

    def test_all_kecamatan_rows_are_the_sum_of_the_kecamatan_rows(self) -> None:
        for month in MonthlyCount.objects.values_list("month", flat=True).distinct()[:20]:
            for dim, value, n in MonthlyCount.objects.filter(month=month, kecamatan_code=ALL_KECAMATAN).values_list(
                "dimension", "value", "n"
            ):
                parts = MonthlyCount.objects.filter(month=month, dimension=dim, value=value).exclude(
                    kecamatan_code=ALL_KECAMATAN)
                self.assertEqual(n, sum(parts.values_list("n", flat=True)), (month, dim, value))

    def test_a_second_run_is_refused_while_another_holds_the_lease(self) -> None:
        TallyState.objects.filter(pk=1).update(lease_until=timezone.now() + datetime.timedelta(minutes=5))
        self.assertIsNone(tally.run())
        TallyState.objects.filter(pk=1).update(lease_until=timezone.now() - datetime.timedelta(minutes=1))
        self.assertIsNotNone(tally.run())

    def test_the_command_brings_the_counts_up_to_date(self) -> None:
        MonthlyCount.objects.all().delete()
        out = StringIO()
        call_command("stats_refresh", "--full", stdout=out)
        self.assertIn("(full)", out.getvalue())
        self.assertEqual(board().n(d.TOTAL, "all"), Report.objects.count())

    def test_the_worker_task_runs_the_tally(self) -> None:
        from sigap.stats.tasks import refresh_counts

        MonthlyCount.objects.all().delete()
        tally.mark_reports(Report.objects.values_list("pk", flat=True))
        refresh_counts.call()
        self.assertEqual(board().n(d.TOTAL, "all"), Report.objects.count())
