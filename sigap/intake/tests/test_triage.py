from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase, override_settings

from sigap.intake.codes import CaseType, Risk
from sigap.intake.triage import (
    RULES,
    PerpetratorFacts,
    TriageFacts,
    VictimFacts,
    add_working_days,
    assess,
    reason_labels,
    response_due,
)

WIB = ZoneInfo("Asia/Jakarta")
ADULT_WOMAN = VictimFacts(age=30, sex="P")
GIRL = VictimFacts(age=12, sex="P")


def facts(**kwargs: object) -> TriageFacts:
    base: dict[str, object] = {"victims": (ADULT_WOMAN,), "violence_types": frozenset({"psikis"})}
    base.update(kwargs)
    return TriageFacts(**base)  # type: ignore[arg-type]


class RiskRuleTests(SimpleTestCase):
    def assertRisk(self, f: TriageFacts, risk: str, reason: str) -> None:
        result = assess(f)
        self.assertEqual(result.risk, risk)
        self.assertIn(reason, result.reasons)

    def test_nothing_aggravating_is_rendah_without_reasons(self) -> None:
        result = assess(facts())
        self.assertEqual((result.risk, result.reasons), (Risk.RENDAH, []))

    def test_immediate_danger_is_tinggi(self) -> None:
        self.assertRisk(facts(immediate_danger=True), Risk.TINGGI, "immediate_danger")

    def test_child_victim_of_sexual_violence_is_tinggi(self) -> None:
        self.assertRisk(facts(victims=(GIRL,), violence_types=frozenset({"seksual"})), Risk.TINGGI,
                        "child_sexual_violence")

    def test_threat_to_life_is_tinggi(self) -> None:
        self.assertRisk(facts(threat_to_life=True), Risk.TINGGI, "threat_to_life")

    def test_self_harm_risk_is_tinggi(self) -> None:
        self.assertRisk(facts(self_harm_risk=True), Risk.TINGGI, "self_harm")

    def test_injury_needing_care_is_tinggi(self) -> None:
        self.assertRisk(facts(injury_needs_care=True), Risk.TINGGI, "injury_needs_care")

    def test_trafficking_is_tinggi(self) -> None:
        self.assertRisk(facts(violence_types=frozenset({"trafficking"})), Risk.TINGGI, "trafficking")

    def test_perpetrator_living_with_victim_is_sedang(self) -> None:
        self.assertRisk(facts(perpetrators=(PerpetratorFacts(lives_with_victim=True),)), Risk.SEDANG,
                        "perpetrator_lives_with_victim")

    def test_repeated_violence_is_sedang(self) -> None:
        self.assertRisk(facts(repeated_violence=True), Risk.SEDANG, "repeated_violence")

    def test_victim_with_disability_is_sedang(self) -> None:
        self.assertRisk(facts(victims=(VictimFacts(30, "P", disability=True),)), Risk.SEDANG, "disability")

    def test_child_victim_is_sedang(self) -> None:
        self.assertRisk(facts(victims=(GIRL,)), Risk.SEDANG, "child_victim")

    def test_adult_sexual_violence_is_sedang(self) -> None:
        self.assertRisk(facts(violence_types=frozenset({"seksual"})), Risk.SEDANG, "sexual_violence")

    def test_perpetrator_holding_office_is_sedang(self) -> None:
        self.assertRisk(facts(perpetrators=(PerpetratorFacts(holds_office=True),)), Risk.SEDANG,
                        "perpetrator_holds_office")

    def test_highest_rule_wins_and_every_reason_is_shown(self) -> None:
        result = assess(facts(immediate_danger=True, repeated_violence=True))
        self.assertEqual(result.risk, Risk.TINGGI)
        self.assertEqual(result.reasons, ["immediate_danger", "repeated_violence"])

    def test_every_rule_has_an_indonesian_label(self) -> None:
        for rule in RULES:
            self.assertNotEqual(reason_labels([rule.code])[0], rule.code)


class CaseTypeTests(SimpleTestCase):
    def test_any_victim_under_18_makes_ampk(self) -> None:
        self.assertEqual(assess(facts(victims=(ADULT_WOMAN, VictimFacts(17, "L")))).case_type, CaseType.AMPK)

    def test_adult_women_only_is_ktp(self) -> None:
        self.assertEqual(assess(facts(victims=(VictimFacts(18, "P"),))).case_type, CaseType.KTP)


class DeadlineTests(SimpleTestCase):
    def test_tinggi_one_hour_sedang_six_hours(self) -> None:
        start = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=WIB)
        self.assertEqual(response_due(Risk.TINGGI, start), start + datetime.timedelta(hours=1))
        self.assertEqual(response_due(Risk.SEDANG, start), start + datetime.timedelta(hours=6))

    def test_rendah_counts_three_working_days_skipping_the_weekend(self) -> None:
        friday = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=WIB)
        self.assertEqual(response_due(Risk.RENDAH, friday), datetime.datetime(2026, 11, 25, 9, 0, tzinfo=WIB))
        saturday = datetime.datetime(2026, 11, 21, 22, 0, tzinfo=WIB)
        self.assertEqual(add_working_days(saturday, 1), datetime.datetime(2026, 11, 23, 22, 0, tzinfo=WIB))

    @override_settings(SIGAP_HOLIDAYS=frozenset({datetime.date(2026, 12, 24), datetime.date(2026, 12, 25)}))
    def test_rendah_skips_listed_public_holidays(self) -> None:
        # Wednesday 23 Dec 2026: Thursday and Friday are holidays (cuti bersama, Natal), then the weekend.
        wednesday = datetime.datetime(2026, 12, 23, 10, 0, tzinfo=WIB)
        self.assertEqual(response_due(Risk.RENDAH, wednesday), datetime.datetime(2026, 12, 30, 10, 0, tzinfo=WIB))
        # Received on a holiday, the count starts the next working day.
        self.assertEqual(add_working_days(datetime.datetime(2026, 12, 25, 8, 0, tzinfo=WIB), 1),
                         datetime.datetime(2026, 12, 28, 8, 0, tzinfo=WIB))

    def test_without_holidays_only_weekends_are_skipped(self) -> None:
        wednesday = datetime.datetime(2026, 12, 23, 10, 0, tzinfo=WIB)
        with override_settings(SIGAP_HOLIDAYS=frozenset()):
            self.assertEqual(response_due(Risk.RENDAH, wednesday),
                             datetime.datetime(2026, 12, 28, 10, 0, tzinfo=WIB))

    @override_settings(SIGAP_RESPONSE_HOURS_TINGGI=2, SIGAP_RESPONSE_WORKING_DAYS_RENDAH=1)
    def test_deadlines_follow_settings(self) -> None:
        monday = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
        self.assertEqual(response_due(Risk.TINGGI, monday), monday + datetime.timedelta(hours=2))
        self.assertEqual(response_due(Risk.RENDAH, monday), monday + datetime.timedelta(days=1))
