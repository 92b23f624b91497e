"""Issue 14's test list, the edges not covered elsewhere: a perpetrator who was a child at the incident
and is an adult now; an undated event beside a victim who turned 18 counted by SIMFONI at the report date."""

from __future__ import annotations

import datetime

from django.utils import timezone

from sigap.intake import ages
from sigap.intake.codes import CaseType
from sigap.intake.tests.factories import adult_victim, create_report
from sigap.lib.testing import DESA_A, SigapTestCase


def years_ago(years: int, days: int = 0) -> datetime.date:
    return ages.years_before(timezone.localdate(), years) + datetime.timedelta(days=days)


class ChildPerpetratorAtTheIncidentTests(SigapTestCase):
    def test_a_perpetrator_16_at_the_incident_and_19_now_is_a_child_perpetrator_and_mediation_points_to_diversi(
        self,
    ) -> None:
        from sigap.cases import actions as case_actions
        from sigap.cases.tests.factories import create_case, sexual_violence

        incident = years_ago(3)
        born = ages.years_before(incident, 16) - datetime.timedelta(days=30)  # 16 then, 19 now
        overrides = sexual_violence()
        overrides["perpetrators"] = [{"relation": "tetangga", "sex": "L", "birth_date": born.isoformat()}]
        overrides["chronology"] = [{"when": f"{incident.isoformat()}T10:00", "place": "rumah_tangga",
                                    "desa": DESA_A, "description": "Uraian kejadian contoh."}]
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **overrides)
        perpetrator = case.primary_report.perpetrators.get()
        self.assertEqual((perpetrator.age_at_incident, perpetrator.is_child), (16, True))
        refusal = case_actions.mediation_refusal(case) or ""
        self.assertIn("UU TPKS Pasal 23", refusal)
        self.assertIn("diversi", refusal)
        # The victim, an adult woman, stays KtP; the perpetrator's age does not change her case type.
        self.assertEqual(case.case_type, CaseType.KTP)

    def test_a_child_answer_that_contradicts_the_age_at_the_incident_is_refused(self) -> None:
        from sigap.intake.validation import ReportInvalid

        incident = years_ago(3)
        born = ages.years_before(incident, 16) - datetime.timedelta(days=30)
        with self.assertRaises(ReportInvalid) as caught:
            create_report(self.operator, victims=[adult_victim()],
                          perpetrators=[{"relation": "tetangga", "birth_date": born.isoformat(), "is_child": False}],
                          chronology=[{"when": f"{incident.isoformat()}T10:00", "place": "rumah_tangga",
                                       "desa": DESA_A, "description": "Uraian."}])
        self.assertIn("16 tahun", caught.exception.fields["perpetrators.0.is_child"])


class SimfoniUnknownDateCountTests(SigapTestCase):
    def test_a_victim_with_only_an_undated_event_is_counted_by_the_age_at_the_report(self) -> None:
        from sigap.stats import simfoni
        from sigap.stats.forms import Period, this_month

        birth = (ages.years_before(timezone.localdate(), 18) - datetime.timedelta(days=30)).isoformat()
        report = create_report(self.operator, victims=[adult_victim(birth_date=birth, age=None)],
                               chronology=[{"date_known": False, "place": "rumah_tangga", "desa": DESA_A,
                                            "description": "Tidak ada yang ingat kapan."}]).report
        cases = [c for c in simfoni.load_period(Period("2000-01", this_month()))
                 if c.registration_number == report.registration_number]
        self.assertEqual(len(cases), 1)
        victim = cases[0].victims[0]
        # Independent count: the report date gives 18, an adult woman.
        self.assertEqual((victim["age_at_incident"], victim["is_child"], victim["case_type"]),
                         (18, False, CaseType.KTP))
