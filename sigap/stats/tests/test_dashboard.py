"""Every dashboard number agrees with a count made here, with plain ORM queries, over the same data."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, F, Min
from django.db.models.functions import TruncMonth
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from sigap.intake.codes import (
    AgeGroup,
    CaseType,
    Channel,
    Education,
    Occupation,
    PerpetratorRelation,
    Place,
    ReportStatus,
    Risk,
    Sex,
    ViolenceType,
)
from sigap.intake.models import Report, ReportViolence, Victim
from sigap.lib.testing import DESA_A, SigapTestCase
from sigap.outreach.models import Activity, ActivityKind
from sigap.regions.models import Region
from sigap.stats import dashboard, tally
from sigap.stats import dimensions as d
from sigap.stats.forms import Period, shift_month, this_month
from sigap.stats.models import CountedReport, MonthlyCount, TallyState

CASES = apps.is_installed("sigap.cases")


def whole_period(kecamatan: str = "") -> Period:
    first = Report.objects.aggregate(first=Min("received_at"))["first"]
    return Period(start=timezone.localtime(first).strftime("%Y-%m"), end=this_month(), kecamatan=kecamatan)


class CountsAgreeMixin(TestCase):
    """Independent counts, compared with a dashboard built over the same reports."""

    def assert_agrees(self, board: dashboard.Dashboard, reports: Any, activities: Any, now: datetime.datetime) -> None:
        victims = Victim.objects.filter(report__in=reports)
        self.assertEqual(board.n(d.TOTAL, "all"), reports.count())
        self.assertEqual(board.victims(d.TOTAL, "all"), victims.count())

        by_month = {
            row["m"].strftime("%Y-%m"): row["n"]
            for row in reports.annotate(m=TruncMonth("received_at")).values("m").annotate(n=Count("id"))
        }
        victims_by_month = {
            row["m"].strftime("%Y-%m"): row["n"]
            for row in victims.annotate(m=TruncMonth("report__received_at")).values("m").annotate(n=Count("id"))
        }
        for month, n, v in board.months:
            self.assertEqual(n, by_month.get(month, 0), month)
            self.assertEqual(v, victims_by_month.get(month, 0), month)
        self.assertEqual(sum(n for _m, n, _v in board.months), reports.count())

        by_kecamatan = dict(reports.values_list("kecamatan_code").annotate(n=Count("id")))
        for code, n, v in board.kecamatan_rows:
            self.assertEqual(n, by_kecamatan.get(code, 0), code)
            self.assertEqual(v, victims.filter(report__kecamatan_code=code).count(), code)

        for desa, n in reports.values_list("desa_id").annotate(n=Count("id")):
            self.assertEqual(board.n(d.DESA, desa or ""), n, desa)
            self.assertEqual(board.victims(d.DESA, desa or ""), victims.filter(report__desa_id=desa).count())

        for field, dimension, values in (
            ("channel", d.CHANNEL, Channel.values),
            ("risk", d.RISK, Risk.values),
            ("status", d.STATUS, ReportStatus.values),
            ("case_type", d.CASE_TYPE, CaseType.values),
        ):
            for value in values:
                subset = reports.filter(**{field: value})
                self.assertEqual(board.n(dimension, value), subset.count(), (dimension, value))
                self.assertEqual(board.victims(dimension, value), victims.filter(report__in=subset).count())

        for kind in ViolenceType.values:
            with_kind = reports.filter(pk__in=ReportViolence.objects.filter(violence_type=kind).values("report"))
            self.assertEqual(board.n(d.VIOLENCE, kind), with_kind.count(), kind)
            self.assertEqual(board.victims(d.VIOLENCE, kind), victims.filter(report__in=with_kind).count(), kind)

        for relation in PerpetratorRelation.values:
            subset = reports.filter(perpetrators__relation=relation)
            if relation == PerpetratorRelation.TIDAK_DIKETAHUI:
                subset = subset | reports.filter(perpetrators__isnull=True)
            self.assertEqual(board.n(d.RELATION, relation), subset.distinct().count(), relation)

        for place in Place.values:
            subset = reports.filter(events__place=place, events__is_current=True).distinct()
            self.assertEqual(board.n(d.PLACE, place), subset.count(), place)
        self.assertEqual(board.n(d.PLACE, ""), reports.exclude(events__is_current=True).count())

        for age in AgeGroup.values:
            self.assertEqual(board.victims(d.AGE, age), victims.filter(age_group=age).count(), age)
            self.assertEqual(board.n(d.AGE, age), reports.filter(victims__age_group=age).distinct().count(), age)
            for sex in Sex.values:
                self.assertEqual(board.victims(d.AGE_SEX, f"{age}|{sex}"),
                                 victims.filter(age_group=age, sex=sex).count())
        for sex in Sex.values:
            self.assertEqual(board.victims(d.SEX, sex), victims.filter(sex=sex).count())
        for value in [*Education.values, ""]:
            self.assertEqual(board.victims(d.EDUCATION, value), victims.filter(education=value).count(), value)
        for value in [*Occupation.values, ""]:
            self.assertEqual(board.victims(d.OCCUPATION, value), victims.filter(occupation=value).count(), value)
        self.assertEqual(board.victims(d.DISABILITY, "ya"), victims.filter(disability=True).count())
        for source, n in reports.values_list("source").annotate(n=Count("id")):
            self.assertEqual(board.n(d.SOURCE, source), n, source)

        for row in board.responses:
            mine = reports.filter(risk=row.risk)
            if CASES:
                contacted = mine.filter(case_link__case__first_contact_at__isnull=False)
                self.assertEqual(row.on_time, contacted.filter(
                    case_link__case__first_contact_at__lte=F("response_due_at")).count())
                self.assertEqual(row.late, contacted.filter(
                    case_link__case__first_contact_at__gt=F("response_due_at")).count())
                minutes = sorted(
                    max(0, int((contact - received).total_seconds() // 60))
                    for received, contact in contacted.values_list("received_at", "case_link__case__first_contact_at")
                )
                expected = d.response_bucket(minutes[(len(minutes) - 1) // 2]) if minutes else None
                self.assertEqual(row.median_minutes, expected)
                mine = mine.exclude(pk__in=contacted.values("pk"))
            else:
                self.assertEqual(row.on_time + row.late, 0)
            self.assertEqual(row.not_measured, mine.filter(status=ReportStatus.SELESAI).count())
            open_ = mine.exclude(status=ReportStatus.SELESAI)
            self.assertEqual(row.overdue, open_.filter(response_due_at__lt=now).count())
            self.assertEqual(row.waiting, open_.filter(response_due_at__gte=now).count())

        if CASES:
            from sigap.cases.codes import Stage

            for stage in Stage.values:
                self.assertEqual(board.n(d.STAGE, stage), reports.filter(case_link__case__stage=stage).count())
            self.assertEqual(board.n(d.STAGE, ""), reports.filter(case_link__isnull=True).count())
            open_cases = apps.get_model("cases", "Case").objects.open()
            if board.period.kecamatan:
                open_cases = open_cases.filter(kecamatan_code=board.period.kecamatan)
            expected_open = {str(w or ""): n for w, n in open_cases.values_list("assigned_to").annotate(n=Count("id"))}
            shown_open = {w: n for (dim, w), (n, _v) in board.now_counts.items() if dim == d.WORKER_OPEN}
            self.assertEqual(shown_open, expected_open)
            expected_overdue = {
                str(w or ""): n
                for w, n in open_cases.filter(next_due_at__lt=now).values_list("assigned_to").annotate(n=Count("id"))
            }
            shown_overdue = {w: n for (dim, w), (n, _v) in board.now_counts.items() if dim == d.WORKER_OVERDUE}
            self.assertEqual(shown_overdue, expected_overdue)
            workers = board.section("workers")
            self.assertEqual(sum(row[1] for row in workers.rows), open_cases.count())

        for code, n in activities.exclude(desa=None).values_list("desa_id").annotate(n=Count("id")):
            self.assertEqual(board.n(d.OUTREACH_ACTIVITIES, code), n)
        outreach = board.section("outreach")
        self.assertEqual(sum(row[2] for row in outreach.rows), activities.count())


class SeededDashboardTests(CountsAgreeMixin, SigapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        call_command("seed", "--cases", "300", "--random-seed", "5", stdout=StringIO())
        today = timezone.localdate()
        kecamatan = str(Region.objects.get(code=DESA_A).parent_id)
        for offset, desa in ((3, DESA_A), (40, DESA_A), (70, None), (400, DESA_A)):
            Activity.objects.create(
                date=today - datetime.timedelta(days=offset), kecamatan_id=kecamatan, desa_id=desa,
                kind=ActivityKind.SOSIALISASI, audience_women=10, audience_men=4, audience_children=2,
                pamphlets_handed_out=30, created_by=cls.manager,
            )

    def test_seeding_counts_every_report_as_it_is_written(self) -> None:
        self.assertEqual(CountedReport.objects.count(), Report.objects.count())
        board = dashboard.build(whole_period())
        self.assertEqual(board.n(d.TOTAL, "all"), 300)

    def test_every_number_agrees_with_an_independent_count_over_the_whole_period(self) -> None:
        now = timezone.now()
        tally.run(now=now)
        self.assert_agrees(dashboard.build(whole_period()), Report.objects.all(), Activity.objects.all(), now)

    def test_numbers_agree_for_one_kecamatan_and_twelve_months(self) -> None:
        now = timezone.now()
        tally.run(now=now)
        kecamatan = str(Region.objects.get(code=DESA_A).parent_id)
        end = this_month()
        period = Period(start=shift_month(end, -11), end=end, kecamatan=kecamatan)
        tz = timezone.get_current_timezone()
        start = datetime.datetime(int(period.start[:4]), int(period.start[5:]), 1, tzinfo=tz)
        reports = Report.objects.filter(received_at__gte=start, kecamatan_code=kecamatan)
        activities = Activity.objects.filter(date__gte=start.date(), kecamatan_id=kecamatan)
        self.assert_agrees(dashboard.build(period), reports, activities, now)

    def test_a_run_from_nothing_gives_the_same_numbers_as_the_seeding_hook(self) -> None:
        before = dashboard.build(whole_period()).counts
        MonthlyCount.objects.all().delete()
        CountedReport.objects.all().delete()
        TallyState.objects.all().delete()
        result = tally.run()
        assert result is not None
        self.assertEqual(result.reports, 300)
        after = dashboard.build(whole_period()).counts
        outreach = {k for k in after if k[0] in d.OUTREACH_DIMENSIONS}
        self.assertEqual({k: v for k, v in after.items() if k not in outreach}, before)

    def test_the_full_recount_changes_nothing_when_counts_are_right(self) -> None:
        tally.run()
        before = dashboard.build(whole_period()).counts
        tally.run(full=True)
        self.assertEqual(dashboard.build(whole_period()).counts, before)

    def test_the_dashboard_page_shows_the_numbers_without_reading_reports(self) -> None:
        tally.run()
        self.login(self.data_officer)
        period = whole_period()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("stats:dashboard"), {"dari": period.start, "sampai": period.end})
        self.assertEqual(response.status_code, 200)
        board = response.context["dashboard"]
        self.assertEqual(board.n(d.TOTAL, "all"), 300)
        touched = " ".join(q["sql"] for q in queries.captured_queries)
        self.assertNotIn("intake_report", touched)
        self.assertNotIn("intake_victim", touched)
        self.assertContains(response, "<svg", count=None)
        self.assertNotContains(response, "style=")
        self.assertNotContains(response, "<script>")
