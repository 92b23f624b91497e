"""The dashboard's contact figures, counted by the tally, against an independent count of the contacts."""

from __future__ import annotations

import datetime
import itertools
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sigap.intake.codes import ContactOutcome
from sigap.intake.models import Contact, Report
from sigap.intake.tests.factories import create_report
from sigap.lib.testing import SigapTestCase
from sigap.stats import contacts, tally
from sigap.stats import dimensions as d
from sigap.stats.forms import Period, shift_month, this_month
from sigap.stats.models import MonthlyCount

KEC_A, KEC_B = "18.11.01", "18.11.02"


def _month(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m")


def _first_day(month: str, day: int = 1, hour: int = 10) -> datetime.datetime:
    tz = timezone.get_current_timezone()
    return datetime.datetime(int(month[:4]), int(month[5:7]), day, hour, tzinfo=tz)


def independent(period: Period) -> contacts.ContactFigures:
    """The figures as the page's filter defines them, counted one contact at a time."""
    chosen = []
    for c in Contact.objects.select_related("report"):
        if not period.start <= _month(c.started_at) <= period.end:
            continue
        kecamatan = c.kecamatan_code or (c.report.kecamatan_code if c.report else "")
        if period.kecamatan and kecamatan != period.kecamatan:
            continue
        chosen.append(c)
    by_outcome: dict[str, int] = {}
    by_heard: dict[str, int] = {}
    for c in chosen:
        by_outcome[c.outcome] = by_outcome.get(c.outcome, 0) + 1
        by_heard[c.heard_from] = by_heard.get(c.heard_from, 0) + 1
    phones = [c.caller_phone_index for c in chosen if c.caller_phone_index]
    tied = [c for c in chosen if c.report_id is not None]
    return contacts.ContactFigures(
        total=len(chosen), by_outcome=by_outcome, silent=by_outcome.get(ContactOutcome.SILENT, 0),
        repeat_callers=len({p for p in phones if phones.count(p) > 1}), with_report=len(tied),
        reports=len({c.report_id for c in tied}), by_heard_from=by_heard,
    )


class ContactTallyTests(SigapTestCase):
    def setUp(self) -> None:
        months = [shift_month(this_month(), -k) for k in (3, 2, 1, 0)]
        self.months = months
        report_a = create_report(self.operator).report  # desa A: kecamatan A
        report_b = create_report(self.operator).report
        Report.objects.filter(pk=report_b.pk).update(kecamatan_code=KEC_B)
        self.assertEqual(report_a.kecamatan_code, KEC_A)

        def add(month: str, day: int, outcome: str, phone: str = "", kecamatan: str = "", report: Report | None = None,
                heard: str = "", hour: int = 10) -> None:
            Contact.objects.create(
                channel="telepon", started_at=_first_day(month, day, hour), operator=self.operator,
                caller_phone_index=phone, outcome=outcome, kecamatan_code=kecamatan, report=report,
                heard_from=heard,
            )

        m0, m1, m2, m3 = months
        # A caller whose two contacts lie in two months: a repeat caller only over both.
        add(m0, 28, "informasi", "idx-across", KEC_A, heard="pamflet")
        add(m1, 2, "informasi", "idx-across", KEC_A)
        # Three contacts in one month, in two kecamatan: repeat over all, not in kecamatan B alone.
        add(m1, 5, "diam_iseng_salah", "idx-many", KEC_A)
        add(m1, 6, "diam_iseng_salah", "idx-many", KEC_A)
        add(m1, 7, "diam_iseng_salah", "idx-many", KEC_B)
        # Contacts without a kecamatan of their own count in their report's.
        add(m0, 10, "laporan_baru", "idx-rep", report=report_a, heard="sekolah")
        add(m2, 11, "tindak_lanjut", "idx-rep", report=report_a)
        add(m2, 12, "tindak_lanjut", "idx-rep", KEC_B, report=report_a)
        add(m3, 1, "tindak_lanjut", "", report=report_b)
        add(m3, 1, "tindak_lanjut", "idx-b", report=report_b, hour=0)  # just after midnight, local time
        # No number, no kecamatan: only in the all-kecamatan figures.
        add(m2, 20, "informasi")
        add(m2, 21, "informasi")
        # Last hour of a month, local time.
        add(m2, 28, "informasi", "idx-edge", KEC_B)
        Contact.objects.filter(caller_phone_index="idx-edge").update(
            started_at=_first_day(m3) - datetime.timedelta(minutes=1))
        add(m3, 1, "informasi", "idx-edge", KEC_B, hour=0)

    def test_every_period_and_kecamatan_matches_an_independent_count(self) -> None:
        tally.run()
        checked = 0
        for start, end in itertools.combinations_with_replacement(self.months, 2):
            for kecamatan in ("", KEC_A, KEC_B):
                period = Period(start, end, kecamatan)
                with self.subTest(start=start, end=end, kecamatan=kecamatan):
                    found, expected = contacts.figures(period), independent(period)
                    self.assertEqual(found, expected)
                    self.assertEqual(found.per_report, expected.per_report)
                    checked += 1
        self.assertEqual(checked, 30)
        whole = contacts.figures(Period(self.months[0], self.months[-1]))
        self.assertEqual((whole.total, whole.repeat_callers, whole.reports), (14, 4, 2))

    def assert_all_periods_match(self) -> None:
        for start, end in itertools.combinations_with_replacement(self.months, 2):
            for kecamatan in ("", KEC_A, KEC_B):
                period = Period(start, end, kecamatan)
                with self.subTest(start=start, end=end, kecamatan=kecamatan):
                    self.assertEqual(contacts.figures(period), independent(period))

    def stored(self) -> dict[tuple[str, str, str, str], int]:
        return {(m, k, dim, v): n for m, k, dim, v, n in MonthlyCount.objects.filter(
            dimension__in=d.CONTACT_DIMENSIONS).values_list("month", "kecamatan_code", "dimension", "value", "n")}

    def test_new_contacts_and_changed_reports_are_counted_on_the_next_run(self) -> None:
        m0, m1, _m2, m3 = self.months
        report_b = Report.objects.get(kecamatan_code=KEC_B)
        Contact.objects.create(channel="telepon", started_at=_first_day(m1, 9), operator=self.operator,
                               caller_phone_index="idx-b", outcome="tindak_lanjut", report=report_b)
        tally.run()
        # A late entry for a caller of three months ago: its next contact's "previous month" changes.
        Contact.objects.create(channel="telepon", started_at=_first_day(m0, 3), operator=self.operator,
                               caller_phone_index="idx-rep", outcome="informasi")
        # A new caller this month.
        Contact.objects.create(channel="telepon", started_at=_first_day(m3, 2), operator=self.operator,
                               caller_phone_index="idx-new", outcome="informasi", kecamatan_code=KEC_A)
        # A report moved to another kecamatan: its contacts without their own kecamatan move with it.
        Report.objects.filter(pk=report_b.pk).update(kecamatan_code=KEC_A)
        tally.mark_reports([report_b.pk])
        result = tally.run()
        assert result is not None and not result.full
        self.assertEqual(self.stored(), {k: n for k, n in contacts.count_all().items() if n})
        self.assert_all_periods_match()

    def test_an_earlier_contact_tied_to_a_new_report_is_counted_on_the_next_run(self) -> None:
        m1 = self.months[1]
        call = Contact.objects.create(channel="telepon", started_at=_first_day(m1, 15), operator=self.operator,
                                      caller_phone_index="idx-later", outcome="laporan_baru")
        tally.run()
        before = contacts.figures(Period(m1, m1, KEC_A))
        report = create_report(self.operator).report  # as intake does when a report is filed from a contact
        Contact.objects.filter(pk=call.pk).update(report=report)
        result = tally.run()
        assert result is not None and not result.full
        after = contacts.figures(Period(m1, m1, KEC_A))
        self.assertEqual((after.total - before.total, after.with_report - before.with_report), (1, 1))
        self.assertEqual(self.stored(), {k: n for k, n in contacts.count_all().items() if n})
        self.assert_all_periods_match()

    def test_a_contact_scrubbed_or_edited_in_place_is_counted_by_the_full_recount(self) -> None:
        tally.run()
        month = self.months[1]
        before = contacts.figures(Period(month, month))
        Contact.objects.filter(caller_phone_index="idx-many").update(caller_phone_index="")  # scrubbed
        Contact.objects.filter(caller_phone_index="idx-across").update(outcome="diam_iseng_salah")
        tally.run(full=True)
        after = contacts.figures(Period(month, month))
        self.assertEqual(before.repeat_callers - after.repeat_callers, 1)
        self.assertEqual(after.silent - before.silent, 1)
        self.assert_all_periods_match()

    def test_the_dashboard_shows_the_tallied_counts(self) -> None:
        tally.run()
        self.login(self.data_officer)
        month = self.months[1]
        page = self.client.get(reverse("stats:dashboard"), {"dari": month, "sampai": month}).content.decode()
        self.assertIn("Kontak per hasil", page)
        self.assertIn("Penelepon berulang", page)


class SeededContactTests(SigapTestCase):
    def test_a_seeded_database_has_its_contact_counts_at_once(self) -> None:
        call_command("seed", "--cases", "40", "--random-seed", "3", stdout=StringIO())
        first = timezone.localtime(Contact.objects.order_by("started_at").first().started_at)  # type: ignore[union-attr]
        period = Period(first.strftime("%Y-%m"), this_month())
        found = contacts.figures(period)
        self.assertGreater(found.total, 40)
        self.assertEqual(found, independent(period))
        kecamatan = Contact.objects.exclude(report=None).values_list("report__kecamatan_code", flat=True).first()
        local = Period(period.start, period.end, kecamatan or "")
        self.assertEqual(contacts.figures(local), independent(local))
