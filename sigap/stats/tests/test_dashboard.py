"""Every dashboard number agrees with a count made here, with plain ORM queries, over the same data."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any
from unittest import skipUnless

from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, F, Min, Q
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from sigap.intake.codes import (
    AgeGroup,
    AmpkGroup,
    Authority,
    CaseType,
    Channel,
    Education,
    HeardFrom,
    Occupation,
    PerpetratorRelation,
    Place,
    ReportStatus,
    Risk,
    Sex,
    ViolenceType,
)
from sigap.intake.models import (
    ChronologyEvent,
    Perpetrator,
    Report,
    ReportViolence,
    Victim,
    VictimAmpkGroup,
)
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


RISK_RANK = {"rendah": 0, "sedang": 1, "tinggi": 2}


class IndependentUnits:
    """The counting units worked out here with plain queries: a case (through its primary report) or a
    report without a case; each case's victims taken once (same NIK or name index in a later report)."""

    def __init__(self, reports: Any) -> None:
        homes = reports.filter(Q(case_link__isnull=True) | Q(case_link__case__primary_report=F("pk")))
        # Every case by its home report's authority; only this unit's own in the case and victim counts.
        self.by_authority = {a: n for a, n in homes.values_list("authority").annotate(n=Count("id"))}
        self.homes = list(homes.filter(authority=Authority.OWN).order_by("pk"))
        self.members: dict[int, list[Report]] = {}
        self.victims: dict[int, list[Victim]] = {}
        for home in self.homes:
            if CASES and hasattr(home, "case_link"):
                others = list(Report.objects.filter(case_link__case=home.case_link.case).exclude(pk=home.pk)
                              .order_by("received_at", "pk"))
            else:
                others = []
            members = [home, *others]
            self.members[home.pk] = members
            seen: dict[str, int] = {}
            taken: list[Victim] = []
            for member in members:
                for victim in Victim.objects.filter(report=member).order_by("position"):
                    key = victim.nik_index or victim.name_index
                    if key and seen.get(key, member.pk) != member.pk:
                        continue
                    if key:
                        seen.setdefault(key, member.pk)
                    taken.append(victim)
            self.victims[home.pk] = taken

    def count(self, test: Any = None) -> tuple[int, int]:
        """(cases, victims) of the homes passing ``test(home, members)``."""
        chosen = [h for h in self.homes if test is None or test(h, self.members[h.pk])]
        return len(chosen), sum(len(self.victims[h.pk]) for h in chosen)

    def victim_count(self, test: Any) -> tuple[int, int]:
        """(cases with such a victim, such victims) for ``test(victim)``."""
        per_case = [sum(1 for v in self.victims[h.pk] if test(v)) for h in self.homes]
        return sum(1 for n in per_case if n), sum(per_case)


def _types(members: list[Report]) -> set[str]:
    return set(ReportViolence.objects.filter(report__in=members).values_list("violence_type", flat=True))


class CountsAgreeMixin(TestCase):
    """Independent counts, compared with a dashboard built over the same reports.

    Cases (a case through its home report, or a report not in a case) and their
    distinct victims for everything but the per-report counts (channel, status,
    source, responses), which count reports.
    """

    def assert_agrees(self, board: dashboard.Dashboard, reports: Any, activities: Any, now: datetime.datetime) -> None:
        units = IndependentUnits(reports)
        self.assertEqual(board.n(d.REPORTS, "all"), reports.count())
        self.assertEqual((board.n(d.TOTAL, "all"), board.victims(d.TOTAL, "all")), units.count())

        for value in [*Authority.values, "x"]:
            self.assertEqual(board.n(d.AUTHORITY, value), units.by_authority.get(value, 0), value)
        self.assertEqual(dict(board.figures).get("Kasus kewenangan lain (tidak dihitung)", 0),
                         sum(n for a, n in units.by_authority.items() if a != Authority.OWN))

        for month, n, v in board.months:
            self.assertEqual((n, v), units.count(
                lambda h, _m, month=month: timezone.localtime(h.received_at).strftime("%Y-%m") == month), month)
        self.assertEqual(sum(n for _m, n, _v in board.months), len(units.homes))

        for code, n, v in board.kecamatan_rows:
            self.assertEqual((n, v), units.count(lambda h, _m, code=code: h.kecamatan_code == code), code)

        for desa in {h.desa_id for h in units.homes}:
            self.assertEqual((board.n(d.DESA, desa or ""), board.victims(d.DESA, desa or "")),
                             units.count(lambda h, _m, desa=desa: h.desa_id == desa), desa)

        for field, dimension, values in (
            ("channel", d.CHANNEL, Channel.values),
            ("status", d.STATUS, ReportStatus.values),
            ("heard_from", d.HEARD_FROM, HeardFrom.values),
        ):
            for value in values:
                self.assertEqual(board.n(dimension, value), reports.filter(**{field: value}).count(),
                                 (dimension, value))
                self.assertEqual(board.victims(dimension, value), 0)
        for value in [*CaseType.values, ""]:  # each victim's own case type
            self.assertEqual((board.n(d.CASE_TYPE, value), board.victims(d.CASE_TYPE, value)),
                             units.victim_count(lambda v, value=value: v.case_type == value), value)
        for value in Risk.values:
            self.assertEqual(
                (board.n(d.RISK, value), board.victims(d.RISK, value)),
                units.count(lambda _h, m, value=value: max((r.risk for r in m), key=RISK_RANK.__getitem__) == value),
                value,
            )

        for kind in ViolenceType.values:
            self.assertEqual((board.n(d.VIOLENCE, kind), board.victims(d.VIOLENCE, kind)),
                             units.count(lambda _h, m, kind=kind: kind in _types(m)), kind)

        def relations(members: list[Report]) -> set[str]:
            found = set(Perpetrator.objects.filter(report__in=members).values_list("relation", flat=True))
            return found or {PerpetratorRelation.TIDAK_DIKETAHUI}

        for relation in PerpetratorRelation.values:
            self.assertEqual(board.n(d.RELATION, relation),
                             units.count(lambda _h, m, relation=relation: relation in relations(m))[0], relation)

        def places(members: list[Report]) -> set[str]:
            found = set(ChronologyEvent.objects.filter(report__in=members, is_current=True)
                        .values_list("place", flat=True))
            return found or {""}

        for place in [*Place.values, ""]:
            self.assertEqual(board.n(d.PLACE, place),
                             units.count(lambda _h, m, place=place: place in places(m))[0], place)

        for age in [*AgeGroup.values, ""]:
            self.assertEqual((board.n(d.AGE, age), board.victims(d.AGE, age)),
                             units.victim_count(lambda v, age=age: v.age_group == age), age)
            for sex in Sex.values:
                self.assertEqual(board.victims(d.AGE_SEX, f"{age}|{sex}"),
                                 units.victim_count(lambda v, age=age, sex=sex: (v.age_group, v.sex) == (age, sex))[1])
        for sex in Sex.values:
            self.assertEqual(board.victims(d.SEX, sex), units.victim_count(lambda v, sex=sex: v.sex == sex)[1])
        for value in [*Education.values, ""]:
            self.assertEqual(board.victims(d.EDUCATION, value),
                             units.victim_count(lambda v, value=value: v.education == value)[1], value)
        for value in [*Occupation.values, ""]:
            self.assertEqual(board.victims(d.OCCUPATION, value),
                             units.victim_count(lambda v, value=value: v.occupation == value)[1], value)
        self.assertEqual(board.victims(d.DISABILITY, "ya"), units.victim_count(lambda v: v.disability)[1])

        # AMPK groups: child victims (case type AMPK, from the age at the incident) only, each of their groups
        # (chosen or suggested), "" for a child victim with none.
        def groups(victim: Victim) -> set[str]:
            return set(VictimAmpkGroup.objects.filter(victim=victim).values_list("group", flat=True))

        for group in AmpkGroup.values:
            self.assertEqual(
                (board.n(d.AMPK_GROUP, group), board.victims(d.AMPK_GROUP, group)),
                units.victim_count(lambda v, group=group: v.case_type == CaseType.AMPK and group in groups(v)),
                group,
            )
        self.assertEqual(
            (board.n(d.AMPK_GROUP, ""), board.victims(d.AMPK_GROUP, "")),
            units.victim_count(lambda v: v.case_type == CaseType.AMPK and not groups(v)),
        )
        ampk_rows = board.section(d.AMPK_GROUP).rows
        self.assertEqual(sum(row[2] for row in ampk_rows),
                         sum(len(groups(v)) or 1 for vs in units.victims.values() for v in vs
                             if v.case_type == CaseType.AMPK))
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
                self.assertEqual(board.n(d.STAGE, stage), units.count(
                    lambda h, _m, stage=stage: hasattr(h, "case_link") and h.case_link.case.stage == stage)[0])
            self.assertEqual(board.n(d.STAGE, ""), units.count(lambda h, _m: not hasattr(h, "case_link"))[0])
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
    others: list[int]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        call_command("seed", "--cases", "300", "--random-seed", "5", stdout=StringIO())
        # A few reports are another region's to handle: counted apart, never as this unit's cases.
        cls.others = list(Report.objects.order_by("pk").values_list("pk", flat=True)[:300:37])
        Report.objects.filter(pk__in=cls.others).update(authority=Authority.OTHER)
        tally.mark_reports(cls.others)
        tally.run()
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
        # The seeded child victims carry SIGAP's suggested groups, so the AMPK counts are tested on real numbers.
        self.assertGreater(VictimAmpkGroup.objects.filter(suggested=True).count(), 20)
        self.assertGreater(dashboard.build(whole_period()).victims(d.AMPK_GROUP, AmpkGroup.KEKERASAN_FISIK_PSIKIS), 0)
        board = dashboard.build(whole_period())
        self.assertEqual(board.n(d.TOTAL, "all") + board.n(d.AUTHORITY, Authority.OTHER), 300)

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
        self.assertEqual(board.n(d.TOTAL, "all"), 300 - len(self.others))
        self.assertContains(response, "Kasus kewenangan lain (tidak dihitung)")
        touched = " ".join(q["sql"] for q in queries.captured_queries)
        self.assertNotIn("intake_report", touched)
        self.assertNotIn("intake_victim", touched)
        self.assertContains(response, "<svg", count=None)
        self.assertNotContains(response, "style=")
        self.assertNotContains(response, "<script>")


@skipUnless(CASES, "needs case management")
class CountingUnitTests(CountsAgreeMixin, SigapTestCase):
    """The counting unit is the case and the victim, not the report."""

    def open_case(self, *reports: Report) -> Any:
        from sigap.cases import actions

        return actions.open_case(list(reports), by=self.operator)

    def board(self, now: datetime.datetime) -> dashboard.Dashboard:
        tally.run(now=now)
        board = dashboard.build(whole_period())
        self.assert_agrees(board, Report.objects.all(), Activity.objects.none(), now)
        return board

    def test_two_linked_reports_about_one_victim_in_one_case_are_one_case_and_one_victim(self) -> None:
        from sigap.intake.tests.factories import adult_victim, create_report

        first = create_report(self.operator).report
        second = create_report(self.operator, violence_types=["fisik"]).report
        alone = create_report(self.operator, victims=[adult_victim(name="Ani Lain")]).report
        Report.objects.filter(pk__in=[first.pk, second.pk]).update(heard_from=HeardFrom.PAMFLET)
        Report.objects.filter(pk=alone.pk).update(heard_from="")
        self.open_case(first, second)
        board = self.board(timezone.now())
        self.assertEqual(board.n(d.REPORTS, "all"), 3)
        self.assertEqual(board.n(d.HEARD_FROM, HeardFrom.PAMFLET), 2)  # per report, like the channel
        self.assertEqual(board.n(d.HEARD_FROM, d.UNKNOWN), 1)
        self.assertEqual((board.n(d.TOTAL, "all"), board.victims(d.TOTAL, "all")), (2, 2))
        self.assertEqual(board.n(d.VIOLENCE, "fisik"), 1)
        self.assertEqual(board.n(d.VIOLENCE, "psikis"), 2)
        self.assertEqual(board.victims(d.AGE, "6-12"), 1)
        self.assertEqual(board.n(d.CHANNEL, "whatsapp"), 3)  # per report, labelled "laporan"
        self.assertEqual(board.section("channel").headers[1], "Laporan")
        self.assertEqual(board.section("violence").headers[1], "Kasus")
        figures = dict(board.figures)
        self.assertEqual((figures["Laporan"], figures["Kasus"], figures["Korban"]), (3, 2, 2))
        self.assertIsNotNone(alone.pk)

    def test_a_second_victim_named_in_a_later_report_of_the_case_is_counted(self) -> None:
        from sigap.intake.tests.factories import adult_victim, create_report, report_payload

        child = report_payload()["victims"][0]
        first = create_report(self.operator).report
        second = create_report(self.operator, victims=[child, adult_victim()]).report
        self.open_case(first, second)
        board = self.board(timezone.now())
        self.assertEqual((board.n(d.TOTAL, "all"), board.victims(d.TOTAL, "all")), (1, 2))

    def test_a_change_to_a_later_report_recounts_its_case(self) -> None:
        from sigap.intake.tests.factories import create_report

        first = create_report(self.operator).report
        second = create_report(self.operator).report
        self.open_case(first, second)
        self.board(timezone.now())
        ReportViolence.objects.create(report=second, violence_type="eksploitasi")
        tally.mark_reports([second.pk])
        board = self.board(timezone.now())
        self.assertEqual(board.n(d.VIOLENCE, "eksploitasi"), 1)
        self.assertEqual(board.n(d.TOTAL, "all"), 1)

    def test_a_case_of_another_authority_is_shown_apart_not_counted(self) -> None:
        from sigap.intake.tests.factories import create_report

        first = create_report(self.operator, violence_types=["fisik"]).report
        second = create_report(self.operator, violence_types=["fisik"]).report
        own = create_report(self.operator, violence_types=["psikis"]).report
        self.open_case(first, second)
        Report.objects.filter(pk=first.pk).update(authority=Authority.OTHER)
        tally.mark_reports([first.pk])
        board = self.board(timezone.now())
        self.assertEqual((board.n(d.TOTAL, "all"), board.victims(d.TOTAL, "all")), (1, 1))
        self.assertEqual(board.n(d.VIOLENCE, "fisik"), 0)
        self.assertEqual(board.n(d.REPORTS, "all"), 3)  # the office received all three
        self.assertEqual(board.n(d.AUTHORITY, Authority.OTHER), 1)
        table = board.section("authority")
        self.assertEqual([row[1:] for row in table.rows[:2]], [[1, 1, True], [1, 1, False]])
        self.assertEqual(dict(board.figures)["Kasus kewenangan lain (tidak dihitung)"], 1)
        # Decided to be this unit's after all: counted from the next run.
        Report.objects.filter(pk=first.pk).update(authority=Authority.OWN)
        tally.mark_reports([first.pk])
        board = self.board(timezone.now())
        self.assertEqual((board.n(d.TOTAL, "all"), board.n(d.VIOLENCE, "fisik")), (2, 1))
        self.assertNotIn("Kasus kewenangan lain (tidak dihitung)", dict(board.figures))
        self.assertIsNotNone(own.pk)

    def test_ampk_groups_are_counted_per_child_victim_at_the_incident_own_cases_only(self) -> None:
        from sigap.intake.amend import amend_report
        from sigap.intake.tests.factories import adult_victim, create_report, report_payload

        today = timezone.localdate()
        # 12 now, suggested from "fisik": kekerasan fisik/psikis.
        create_report(self.operator, violence_types=["fisik"])
        # 19 at the report, 17 when it happened two years ago: a child victim; groups chosen by staff.
        grown = report_payload()["victims"][0]
        grown.update(name="Dewi Contoh", birth_date=(today - datetime.timedelta(days=365 * 19 + 40)).isoformat(),
                     ampk_groups=["eksploitasi", "situasi_darurat"])
        two_years_ago = timezone.localtime() - datetime.timedelta(days=730)
        event = {**report_payload()["chronology"][0], "when": two_years_ago.strftime("%Y-%m-%dT%H:%M")}
        create_report(self.operator, victims=[grown], chronology=[event], violence_types=["eksploitasi"])
        # An adult woman: KtP, in no AMPK group.
        create_report(self.operator, victims=[adult_victim()], violence_types=["fisik"])
        # A child with no group chosen and none to suggest: "Kelompok belum dicatat".
        none = report_payload()["victims"][0]
        none.update(name="Lina Contoh", ampk_groups=[])
        empty = create_report(self.operator, victims=[none], violence_types=["psikis"]).report
        # Another region's case: not counted.
        other = report_payload()["victims"][0]
        other.update(name="Rara Contoh")
        elsewhere = create_report(self.operator, victims=[other], violence_types=["fisik"]).report
        Report.objects.filter(pk=elsewhere.pk).update(authority=Authority.OTHER)
        tally.mark_reports([elsewhere.pk])
        # Two linked reports about one child in one case: one victim.
        again = report_payload()["victims"][0]
        again.update(name="Tari Contoh")
        first = create_report(self.operator, victims=[again], violence_types=["penelantaran"]).report
        second = create_report(self.operator, victims=[again], violence_types=["penelantaran"]).report
        self.open_case(first, second)

        board = self.board(timezone.now())
        self.assertEqual(board.victims(d.AMPK_GROUP, AmpkGroup.KEKERASAN_FISIK_PSIKIS), 1)
        self.assertEqual(board.victims(d.AMPK_GROUP, AmpkGroup.EKSPLOITASI), 1)
        self.assertEqual(board.victims(d.AMPK_GROUP, AmpkGroup.SITUASI_DARURAT), 1)
        self.assertEqual(board.victims(d.AMPK_GROUP, AmpkGroup.PERLAKUAN_SALAH), 1)
        self.assertEqual(board.victims(d.AMPK_GROUP, ""), 1)
        self.assertEqual(board.victims(d.CASE_TYPE, CaseType.AMPK), 4)
        self.assertEqual(sum(row[2] for row in board.section(d.AMPK_GROUP).rows), 5)  # one child in two groups

        # A group chosen later (an amendment, audited) is counted from the next run, the "none" row emptied.
        amend_report(empty, {"victims.0.ampk_groups": ["perlakuan_salah"]}, by=self.manager,
                     reason="Hasil asesmen.")
        board = self.board(timezone.now())
        self.assertEqual(board.victims(d.AMPK_GROUP, AmpkGroup.PERLAKUAN_SALAH), 2)
        self.assertEqual(board.victims(d.AMPK_GROUP, ""), 0)

    def test_the_monthly_report_lists_child_victims_per_ampk_group(self) -> None:
        from sigap.intake.tests.factories import adult_victim, create_report, report_payload
        from sigap.lib import pdftext
        from sigap.stats import monthly

        if not pdftext.available():
            self.skipTest("pdftotext (poppler-utils) is not installed")
        month = this_month()
        text = pdftext.pdf_text(monthly.render_pdf(month))
        self.assertIn("Tidak ada korban anak (AMPK) bulan ini.", text)
        create_report(self.operator, violence_types=["fisik", "penelantaran"])
        none = report_payload()["victims"][0]
        none.update(name="Lina Contoh", ampk_groups=[])
        create_report(self.operator, victims=[none], violence_types=["psikis"])
        create_report(self.operator, victims=[adult_victim()], violence_types=["fisik"])
        tally.run()
        text = pdftext.pdf_text(monthly.render_pdf(month))
        section = text.split("Korban AMPK per kelompok (UU 35/2014 Pasal 59 ayat 2)")[1].split("Kasus per kecamatan")[0]
        self.assertRegex(section, r"Anak korban kekerasan fisik dan/atau psikis\s+1\s+1")
        self.assertRegex(section, r"Anak korban perlakuan salah dan penelantaran\s+1\s+1")
        self.assertRegex(section, r"Kelompok belum dicatat\s+1\s+1")
        self.assertNotIn("Anak yang dieksploitasi", section)  # only the groups with victims

    def test_counts_of_an_older_meaning_are_recounted_in_full(self) -> None:
        from sigap.intake.tests.factories import create_report

        create_report(self.operator)
        tally.run()
        MonthlyCount.objects.filter(dimension=d.TOTAL).update(n=99)  # as an older version counted it
        TallyState.objects.filter(pk=1).update(counting_version=tally.COUNTING_VERSION - 1)
        result = tally.run()
        assert result is not None
        self.assertTrue(result.full)
        self.assertEqual(dashboard.build(whole_period()).n(d.TOTAL, "all"), 1)
        self.assertFalse(tally.run().full)  # type: ignore[union-attr]


class MonthAxisTests(TestCase):
    def test_month_labels_fit_under_their_columns(self) -> None:
        import re

        from sigap.stats import charts

        for count in (12, 24):
            months = [shift_month(this_month(), -i) for i in range(count - 1, -1, -1)]
            svg = charts.columns("t", [(m, [1, 2]) for m in months], ["a", "b"],
                                 ticks=dashboard._month_ticks(months))
            labels = re.findall(r'<text class="axis" x="([\d.]+)" y="[\d.]+" text-anchor="middle">([^<]*)</text>', svg)
            column = (charts.WIDTH - 44) / count * (1 if count <= 12 else 3)  # every third month beyond a year
            # 11 px text is about 6.5 px per character: each label narrower than the space it owns.
            self.assertTrue(all(len(text) * 6.5 < column for _x, text in labels), labels)
            names = [text for _x, text in labels if not text.isdigit()]
            self.assertEqual(len(names), count if count <= 12 else count // 3)
            self.assertIn(months[-1][:4], [text for _x, text in labels])  # the year is shown
