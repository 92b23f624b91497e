"""Age and child status at the incident, and the case type per victim (issue 14 points 1 and 2)."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

from django.apps import apps
from django.test import SimpleTestCase
from django.utils import timezone
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sigap.intake import ages
from sigap.intake.codes import CaseType, DatePrecision
from sigap.intake.models import ChronologyEvent, Report, Victim
from sigap.intake.tests.factories import adult_victim, create_report, report_payload
from sigap.intake.triage import TriageFacts, VictimFacts, assess
from sigap.lib.testing import DESA_A, SigapTestCase

DATES = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))


def anniversary(birth: datetime.date, year: int) -> datetime.date:
    """The birthday in ``year``; 29 February falls on 1 March in other years (independent oracle)."""
    try:
        return datetime.date(year, birth.month, birth.day)
    except ValueError:
        return datetime.date(year, 3, 1)


def oracle_age(birth: datetime.date, day: datetime.date) -> int:
    """Count the birthdays passed, one year at a time."""
    years = 0
    while anniversary(birth, birth.year + years + 1) <= day:
        years += 1
    return years


class AgeArithmeticProperties(SimpleTestCase):
    @given(DATES, DATES)
    @settings(max_examples=300)
    def test_age_counts_the_birthdays_passed(self, birth: datetime.date, day: datetime.date) -> None:
        assume(day >= birth)
        self.assertEqual(ages.age_on(birth, day), oracle_age(birth, day))

    @given(DATES, st.integers(min_value=0, max_value=120))
    def test_on_the_birthday_itself_the_new_age_counts(self, birth: datetime.date, years: int) -> None:
        assume(birth.year + years <= 2100)
        day = anniversary(birth, birth.year + years)
        self.assertEqual(ages.age_on(birth, day), years)
        if years:
            self.assertEqual(ages.age_on(birth, day - datetime.timedelta(days=1)), years - 1)

    @given(DATES, DATES, DATES)
    def test_age_never_goes_down(self, birth: datetime.date, a: datetime.date, b: datetime.date) -> None:
        early, late = sorted((a, b))
        self.assertLessEqual(ages.age_on(birth, early), ages.age_on(birth, late))

    def test_leap_day_birth_turns_18_on_1_march_in_a_common_year(self) -> None:
        birth = datetime.date(2008, 2, 29)
        self.assertEqual(ages.age_on(birth, datetime.date(2026, 2, 28)), 17)
        self.assertEqual(ages.age_on(birth, datetime.date(2026, 3, 1)), 18)
        self.assertEqual(ages.age_on(birth, datetime.date(2028, 2, 29)), 20)
        self.assertEqual(ages.years_before(datetime.date(2028, 2, 29), 1), datetime.date(2027, 2, 28))

    @given(DATES, DATES)
    @settings(max_examples=300)
    def test_a_stated_age_gives_an_age_the_victim_can_have_had(
        self, birth: datetime.date, report_day: datetime.date
    ) -> None:
        assume(report_day >= birth)
        stated = ages.age_on(birth, report_day)
        # Every birth date that makes the victim ``stated`` on the report day.
        earliest = ages.years_before(report_day, stated + 1) + datetime.timedelta(days=1)
        latest = ages.years_before(report_day, stated)
        for incident in (report_day - datetime.timedelta(days=d) for d in (0, 1, 180, 365, 366, 365 * 3 + 17)):
            if incident < earliest:
                continue
            estimate = ages.age_at(None, stated, report_day, incident)
            assert estimate is not None
            self.assertLessEqual(ages.age_on(latest, incident), estimate)
            self.assertLessEqual(estimate, ages.age_on(earliest, incident))

    @given(st.datetimes(min_value=datetime.datetime(1950, 1, 1), max_value=datetime.datetime(2100, 1, 1)),  # noqa: DTZ001
           st.sampled_from(DatePrecision.values))
    def test_an_approximate_date_counts_from_its_earliest_possible_day(
        self, when: datetime.datetime, precision: str
    ) -> None:
        day = ages.earliest_day(when, precision)
        self.assertLessEqual(day, when.date())
        if precision == DatePrecision.HARI:
            self.assertEqual(day, when.date())
        elif precision == DatePrecision.BULAN:
            self.assertEqual(day, when.date().replace(day=1))
        else:
            self.assertEqual(day, datetime.date(when.year, 1, 1))

    @given(st.lists(st.tuples(DATES, st.sampled_from(DatePrecision.values)), max_size=6), DATES)
    def test_the_reference_is_the_earliest_event_or_the_report_day(
        self, events: list[tuple[datetime.date, str]], report_day: datetime.date
    ) -> None:
        reference, unknown = ages.incident_reference(events, report_day)
        if events:
            self.assertFalse(unknown)
            self.assertEqual(reference, min(ages.earliest_day(d, p) for d, p in events))
        else:
            self.assertEqual((reference, unknown), (report_day, True))

    def test_an_aware_time_counts_on_its_jakarta_day(self) -> None:
        # 20:00 UTC on 31 December is 03:00 on 1 January in Jakarta.
        moment = datetime.datetime(2024, 12, 31, 20, 0, tzinfo=datetime.UTC)
        self.assertEqual(ages.earliest_day(moment), datetime.date(2025, 1, 1))
        self.assertEqual(ages.earliest_day(moment, DatePrecision.TAHUN), datetime.date(2025, 1, 1))


def at(birth: datetime.date | None = None, stated: int | None = None, sex: str = "P", *,
       report: datetime.date = datetime.date(2026, 12, 1),
       incident: datetime.date = datetime.date(2024, 5, 1)) -> ages.AgeAtIncident:
    return ages.at_incident(birth_date=birth, stated_age=stated, sex=sex, report_day=report,
                            reference_date=incident, date_unknown=False)


class CaseTypeRules(SimpleTestCase):
    def test_a_girl_abused_at_15_who_reports_at_18_is_a_child_victim(self) -> None:
        result = at(datetime.date(2008, 6, 10))
        self.assertEqual((result.age, result.age_group, result.is_child, result.case_type),
                         (15, "13-17", True, CaseType.AMPK))

    def test_turning_18_on_the_incident_day_makes_an_adult(self) -> None:
        self.assertEqual(at(datetime.date(2006, 5, 1)).case_type, CaseType.KTP)
        self.assertEqual(at(datetime.date(2006, 5, 2)).case_type, CaseType.AMPK)

    def test_adult_man_is_lainnya_never_ktp(self) -> None:
        self.assertEqual(at(stated=40, sex="L").case_type, CaseType.LAINNYA)
        self.assertEqual(CaseType.LAINNYA.label, "Korban dewasa laki-laki")

    def test_boy_is_ampk(self) -> None:
        self.assertEqual(at(stated=12, sex="L").case_type, CaseType.AMPK)

    def test_unknown_age_is_treated_as_a_child_without_an_age_group(self) -> None:
        result = at(None, None, "P")
        self.assertEqual((result.age, result.age_group, result.is_child, result.case_type),
                         (None, "", True, CaseType.AMPK))

    def test_adult_of_unknown_sex_has_no_case_type_yet(self) -> None:
        self.assertEqual(at(stated=30, sex="").case_type, "")
        self.assertEqual(ages.case_type_label(""), "Belum dapat ditentukan")

    def test_a_stated_adult_age_can_still_be_a_child_at_an_earlier_incident(self) -> None:
        # 18 on 1 December 2026: born between 2 December 2007 and 1 December 2008, so 15 or 16
        # on 1 May 2024; the middle of that year (June 2008) gives 15.
        self.assertEqual(at(stated=18).age, 15)
        # Stated a week after the incident, 18 stays 18.
        self.assertEqual(at(stated=18, incident=datetime.date(2026, 11, 24)).age, 18)

    def test_several_victims_each_keep_their_type_and_the_report_shows_all(self) -> None:
        types = [at(stated=16, sex="P").case_type, at(stated=40, sex="L").case_type, at(stated=30).case_type]
        self.assertEqual(types, [CaseType.AMPK, CaseType.LAINNYA, CaseType.KTP])
        self.assertEqual(ages.report_case_type(types), CaseType.AMPK)
        self.assertEqual(ages.report_case_type([CaseType.LAINNYA, CaseType.KTP]), CaseType.KTP)
        self.assertEqual(ages.report_case_type([CaseType.LAINNYA]), CaseType.LAINNYA)
        self.assertEqual(ages.case_types_label(types),
                         "Anak yang Memerlukan Perlindungan Khusus (AMPK), Kekerasan terhadap Perempuan (KtP), "
                         "Korban dewasa laki-laki")

    def test_triage_child_rules_use_the_age_at_the_incident(self) -> None:
        result = assess(TriageFacts(victims=(VictimFacts(at(datetime.date(2008, 6, 10)).age, "P"),),
                                    violence_types=frozenset({"seksual"})))
        self.assertIn("child_sexual_violence", result.reasons)
        self.assertEqual(result.case_type, CaseType.AMPK)
        man = assess(TriageFacts(victims=(VictimFacts(40, "L"),), violence_types=frozenset({"fisik"})))
        self.assertEqual((man.case_type, man.victim_case_types), (CaseType.LAINNYA, (CaseType.LAINNYA,)))
        unknown = assess(TriageFacts(victims=(VictimFacts(None, "P"),), violence_types=frozenset({"fisik"})))
        self.assertIn("child_victim", unknown.reasons)


def years_ago(years: int, days: int = 0) -> datetime.date:
    return ages.years_before(timezone.localdate(), years) + datetime.timedelta(days=days)


def event(when: datetime.date, precision: str = DatePrecision.HARI) -> dict[str, Any]:
    return {"when": f"{when.isoformat()}T10:00", "approximate": precision != DatePrecision.HARI,
            "precision": precision, "place": "rumah_tangga", "desa": DESA_A, "description": "Uraian kejadian contoh."}


class SubmittedAgesTests(SigapTestCase):
    def test_a_victim_who_turned_18_since_the_incident_is_stored_and_shown_as_a_child_victim(self) -> None:
        incident = years_ago(3)
        birth = ages.years_before(incident, 15) - datetime.timedelta(days=40)  # 15 then, 18 now
        report = create_report(
            self.operator, victims=[adult_victim(birth_date=birth.isoformat(), age=None)],
            chronology=[event(incident)], violence_types=["seksual"],
        ).report
        victim = report.victims.get()
        self.assertEqual((victim.age_at_incident, victim.age_group, victim.is_child, victim.case_type),
                         (15, "13-17", True, CaseType.AMPK))
        self.assertEqual((victim.incident_reference_date, victim.incident_date_unknown), (incident, False))
        self.assertEqual(report.case_type, CaseType.AMPK)
        self.assertIn("child_sexual_violence", report.risk_reasons)
        self.login(self.operator)
        page = self.client.get(f"/pengaduan/laporan/{report.pk}/").content.decode()
        self.assertIn("15 tahun saat kejadian, 18 sekarang", page)
        self.assertIn("Anak yang Memerlukan Perlindungan Khusus (AMPK)", page)

    def test_the_referral_letter_states_the_age_at_the_incident(self) -> None:
        from sigap.cases import actions as case_actions
        from sigap.cases import letters
        from sigap.cases.tests.factories import create_case, create_partner, sexual_violence

        incident = years_ago(3)
        birth = ages.years_before(incident, 16) - datetime.timedelta(days=10)  # 16 then, 19 now
        overrides = sexual_violence()
        overrides.update(victims=[adult_victim(birth_date=birth.isoformat(), age=None)], chronology=[event(incident)])
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **overrides)
        self.assertEqual(case.case_type, CaseType.AMPK)
        police = create_partner("police_uppa", members=(self.partner,), added_by=self.manager)
        letter = letters.loads(case_actions.send_referral(
            case, police, by=self.case_worker, service="penegakan_hukum", consent=True).letter)
        self.assertIn("16 tahun saat kejadian, 19 sekarang", letters.dumps(letter))

    def test_the_earliest_event_counts_and_a_month_only_date_from_the_first_of_the_month(self) -> None:
        first_of_month = years_ago(2).replace(day=1)
        mid_month = first_of_month + datetime.timedelta(days=14)
        birth = ages.years_before(first_of_month, 18) + datetime.timedelta(days=5)  # 17 on the 1st, 18 on the 15th
        report = create_report(
            self.operator, victims=[adult_victim(birth_date=birth.isoformat(), age=None)],
            chronology=[event(years_ago(1)), event(mid_month, DatePrecision.BULAN)],
        ).report
        victim = report.victims.get()
        self.assertEqual((victim.age_at_incident, victim.incident_reference_date), (17, first_of_month))
        self.assertEqual(victim.case_type, CaseType.AMPK)
        stored = report.events.order_by("when").first()
        assert stored is not None
        self.assertEqual((stored.precision, stored.approximate), (DatePrecision.BULAN, True))

    def test_several_victims_of_different_ages_and_sexes(self) -> None:
        report = create_report(self.operator, victims=[
            adult_victim(name="Korban Satu", sex="L", age=45),
            adult_victim(name="Korban Dua", sex="P", age=30),
            adult_victim(name="Korban Tiga", sex="L", age=9),
        ]).report
        self.assertEqual(list(report.victims.order_by("position").values_list("case_type", flat=True)),
                         [CaseType.LAINNYA, CaseType.KTP, CaseType.AMPK])
        self.assertEqual(report.case_type, CaseType.AMPK)

    def test_adult_men_only_make_a_lainnya_report(self) -> None:
        submitted = create_report(self.operator, victims=[adult_victim(sex="L", age=35)])
        self.assertEqual((submitted.case_type, submitted.victim_case_types), ("Lainnya", ("Lainnya",)))
        self.assertEqual(submitted.report.case_type, CaseType.LAINNYA)

    def test_recompute_after_a_correction_and_when_no_event_date_remains(self) -> None:
        report = create_report(self.operator, victims=[adult_victim(age=30)]).report
        victim = report.victims.get()
        victim.birth_date = years_ago(10)
        victim.stated_age = None
        victim.save(update_fields=["birth_date", "stated_age"])
        self.assertEqual(ages.recompute_report(report), CaseType.AMPK)
        victim.refresh_from_db()
        self.assertEqual((victim.age_group, victim.is_child, victim.case_type), ("6-12", True, CaseType.AMPK))
        self.assertEqual(Report.objects.get(pk=report.pk).case_type, CaseType.AMPK)
        # Every event withdrawn: the report day is the reference, flagged.
        ChronologyEvent.objects.filter(report=report).update(is_current=False)
        ages.recompute_report(report)
        victim.refresh_from_db()
        self.assertTrue(victim.incident_date_unknown)
        self.assertEqual(victim.incident_reference_date, timezone.localdate(report.received_at))
        self.assertIn("tanggal kejadian belum diketahui", victim.age_label)

    def test_the_data_migration_recomputes_rows_counted_at_the_report(self) -> None:
        report = create_report(self.operator, victims=[adult_victim(sex="L", age=40)]).report
        # As the old code stored it: the age at the report, and KtP for a man.
        Victim.objects.filter(report=report).update(case_type="", age_at_incident=None, incident_reference_date=None)
        Report.objects.filter(pk=report.pk).update(case_type=CaseType.KTP)
        migration = importlib.import_module("sigap.intake.migrations.0005_recompute_ages_at_incident")
        migration.recompute(apps, None)
        victim = Victim.objects.get(report=report)
        self.assertEqual((victim.case_type, victim.age_at_incident), (CaseType.LAINNYA, 40))
        self.assertEqual(Report.objects.get(pk=report.pk).case_type, CaseType.LAINNYA)


class ApiCaseTypeTests(SigapTestCase):
    def post(self, body: Any) -> Any:
        from sigap.intake.api import issue_token

        return self.client.post("/api/v1/reports", body, content_type="application/json",
                                headers={"Authorization": f"Bearer {issue_token(self.operator)}"})

    def test_api_returns_lainnya_for_an_adult_man_and_each_victims_type(self) -> None:
        body = report_payload(victims=[adult_victim(sex="L", age=50), adult_victim(sex="P", age=20)])
        response = self.post(body)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual((response.json()["case_type"], response.json()["victim_case_types"]),
                         ("KtP", ["Lainnya", "KtP"]))

    def test_openapi_schema_lists_the_three_case_types_and_the_precisions(self) -> None:
        schema = self.client.get("/api/v1/openapi.json").json()
        text = str(schema)
        self.assertIn("'KtP', 'AMPK', 'Lainnya'", text)
        self.assertIn("'hari', 'bulan', 'tahun'", text)

    def test_an_unknown_precision_is_a_clear_422_and_nothing_is_saved(self) -> None:
        for bad in ("minggu", "", None, 3, ["bulan"], "BULAN", "bulan\x00"):
            chronology = [dict(event(years_ago(1)), precision=bad)]
            response = self.post(report_payload(chronology=chronology))
            self.assertEqual(response.status_code, 422, bad)
            self.assertIn("chronology.0.precision", response.json()["error"]["fields"])
        self.assertEqual(Report.objects.count(), 0)
