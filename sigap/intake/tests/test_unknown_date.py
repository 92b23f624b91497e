"""Issue 14 point 1: an event whose date nobody knows.

Stored without a date (never a stand-in), shown "tanggal tidak diketahui" wherever an event date is
shown; the victims' ages and child status then count from the report's date, flagged "tanggal kejadian
belum diketahui"; with dated events beside it the earliest dated one counts.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from sigap.intake import ages
from sigap.intake.api import issue_token
from sigap.intake.codes import CaseType
from sigap.intake.models import ChronologyEvent, Report
from sigap.intake.tests.factories import adult_victim, create_report, report_payload
from sigap.intake.tests.form_data import report_form_data
from sigap.lib.testing import DESA_A, SigapTestCase


def years_ago(years: int, days: int = 0) -> datetime.date:
    return ages.years_before(timezone.localdate(), years) + datetime.timedelta(days=days)


def undated(description: str = "Tidak ada yang ingat kapan.") -> dict[str, Any]:
    return {"date_known": False, "place": "rumah_tangga", "desa": DESA_A, "description": description}


def dated(day: datetime.date) -> dict[str, Any]:
    return {"when": f"{day.isoformat()}T10:00", "place": "rumah_tangga", "desa": DESA_A,
            "description": "Uraian kejadian contoh."}


def turned_18_last_month() -> str:
    """A birth date: 17 until a month ago, 18 at the report."""
    return (ages.years_before(timezone.localdate(), 18) - datetime.timedelta(days=30)).isoformat()


class UnknownDateAgesTests(SigapTestCase):
    def test_only_an_undated_event_counts_ages_from_the_report_date_and_flags_it(self) -> None:
        report = create_report(self.operator, victims=[adult_victim(birth_date=turned_18_last_month(), age=None),
                                                       adult_victim(name="Adik", birth_date=years_ago(9).isoformat(),
                                                                    age=None)],
                               chronology=[undated()]).report
        event = report.events.get()
        self.assertIsNone(event.when)  # nothing made up
        self.assertFalse(event.time_known)
        adult, child = report.victims.order_by("position")
        for victim in (adult, child):
            self.assertTrue(victim.incident_date_unknown)
            self.assertEqual(victim.incident_reference_date, timezone.localdate(report.received_at))
        self.assertEqual((adult.age_at_incident, adult.is_child, adult.case_type), (18, False, CaseType.KTP))
        self.assertEqual((child.age_at_incident, child.is_child, child.case_type), (9, True, CaseType.AMPK))
        self.login(self.operator)
        page = self.client.get(reverse("intake:report_detail", args=[report.pk])).content.decode()
        self.assertIn("tanggal tidak diketahui", page)
        self.assertIn("tanggal kejadian belum diketahui", page)
        self.assertNotIn("<time datetime=\"\"", page)

    def test_dated_and_undated_events_count_from_the_earliest_dated_one(self) -> None:
        incident = years_ago(2)
        report = create_report(self.operator, victims=[adult_victim(birth_date=turned_18_last_month(), age=None)],
                               chronology=[undated(), dated(years_ago(1)), dated(incident)]).report
        victim = report.victims.get()
        self.assertEqual((victim.incident_reference_date, victim.incident_date_unknown), (incident, False))
        self.assertEqual((victim.age_at_incident, victim.is_child, victim.case_type), (16, True, CaseType.AMPK))
        self.assertNotIn("tanggal kejadian belum diketahui", victim.age_label)
        # The chronology reads by date, the undated event last, on either database.
        order = [e.when.date() if e.when else None for e in report.events.current().in_order()]
        self.assertEqual(order[-1], None)
        self.assertEqual(len([d for d in order if d is not None]), 2)
        self.assertEqual(list(ChronologyEvent.objects.filter(report=report))[-1].when, None)

    def test_recompute_keeps_the_rule(self) -> None:
        report = create_report(self.operator, victims=[adult_victim(birth_date=turned_18_last_month(), age=None)],
                               chronology=[undated(), dated(years_ago(1))]).report
        self.assertTrue(report.victims.get().is_child)
        ChronologyEvent.objects.filter(report=report, when__isnull=False).update(is_current=False)
        self.assertEqual(ages.recompute_report(report), CaseType.KTP)
        victim = report.victims.get()
        self.assertEqual((victim.is_child, victim.incident_date_unknown), (False, True))

    def test_a_late_paper_form_counts_from_the_day_it_was_received(self) -> None:
        received = timezone.localtime() - datetime.timedelta(days=20)
        birth = (ages.years_before(timezone.localdate(), 18) - datetime.timedelta(days=5)).isoformat()
        report = create_report(self.operator, victims=[adult_victim(birth_date=birth, age=None)],
                               chronology=[undated()], received_at=received.strftime("%Y-%m-%dT%H:%M"),
                               late_entry_reason="Formulir kertas dari desa.").report
        victim = report.victims.get()
        # 17 on the day the unit received it, 18 when it was typed in: the report's date is the receipt.
        self.assertEqual(victim.incident_reference_date, received.date())
        self.assertEqual((victim.age_at_incident, victim.is_child), (17, True))
        ages.recompute_report(report)
        self.assertTrue(report.victims.get().is_child)


class UnknownDateFormTests(SigapTestCase):
    def test_the_public_form_files_an_event_marked_date_unknown(self) -> None:
        page = self.client.get(reverse("intake:public_report"))
        self.assertContains(page, "Saya tidak tahu tanggalnya")
        data = report_form_data(public=True, **{"chronology-0-date": "", "chronology-0-time": "",
                                                "chronology-0-date_unknown": "on"})
        response = self.client.post(reverse("intake:public_report"), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Kode pelacakan")
        event = ChronologyEvent.objects.get()
        self.assertIsNone(event.when)
        self.assertTrue(Report.objects.get().victims.get().incident_date_unknown)

    def test_the_staff_and_volunteer_forms_offer_it(self) -> None:
        for user, url in ((self.operator, reverse("intake:report_new")),
                          (self.volunteer_a, reverse("intake:volunteer_report_new"))):
            self.login(user)
            self.assertContains(self.client.get(url), "Tanggal tidak diketahui")

    def test_a_date_and_the_tick_together_or_neither_is_a_clear_error_and_nothing_is_filed(self) -> None:
        self.login(self.operator)
        cases = [
            ({"chronology-0-date_unknown": "on"}, "tidak keduanya"),
            ({"chronology-0-date": "", "chronology-0-time": ""}, "centang &quot;tanggal tidak diketahui&quot;"),
        ]
        for overrides, message in cases:
            with self.subTest(overrides=overrides):
                response = self.client.post(reverse("intake:report_new"), report_form_data(**overrides))
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, message, status_code=400)
        self.assertEqual(Report.objects.count(), 0)


class UnknownDateApiTests(SigapTestCase):
    def post(self, body: Any) -> Any:
        return self.client.post("/api/v1/reports", body, content_type="application/json",
                                headers={"Authorization": f"Bearer {issue_token(self.operator)}"})

    def test_the_api_takes_an_event_without_a_date(self) -> None:
        response = self.post(report_payload(chronology=[undated()]))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertIsNone(ChronologyEvent.objects.get().when)
        self.assertTrue(Report.objects.get().victims.get().incident_date_unknown)

    def test_a_date_with_date_known_false_or_no_date_at_all_is_422_and_nothing_is_saved(self) -> None:
        for event in (dict(undated(), when="2026-01-01T10:00"), {k: v for k, v in dated(years_ago(1)).items()
                                                                  if k != "when"}):
            response = self.post(report_payload(chronology=[event]))
            self.assertEqual(response.status_code, 422, event)
            self.assertIn("chronology.0.when", response.json()["error"]["fields"])
        self.assertEqual(Report.objects.count(), 0)

    def test_the_schema_documents_date_known(self) -> None:
        schema = self.client.get("/api/v1/openapi.json").json()["components"]["schemas"]["EventInput"]
        self.assertNotIn("when", schema.get("required", []))
        self.assertIs(schema["properties"]["date_known"]["default"], True)
        self.assertIn("tanggal tidak diketahui", schema["properties"]["date_known"]["description"])


class UnknownDateCaseTests(SigapTestCase):
    def case_with(self, **overrides: Any) -> Any:
        from sigap.cases.tests.factories import create_case

        return create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **overrides)

    def test_timeline_and_referral_letter_say_the_date_is_unknown(self) -> None:
        from sigap.cases import actions as case_actions
        from sigap.cases import letters
        from sigap.cases.tests.factories import create_partner, sexual_violence

        overrides = sexual_violence()
        overrides["chronology"] = [undated("Kejadian tanpa tanggal.")]
        case = self.case_with(**overrides)
        self.login(self.case_worker)
        timeline = self.client.get(reverse("cases:timeline", args=[case.pk]))
        self.assertContains(timeline, "tanggal tidak diketahui")
        self.assertContains(timeline, "Kejadian tanpa tanggal.")
        police = create_partner("police_uppa", members=(self.partner,), added_by=self.manager)
        letter = letters.dumps(letters.loads(case_actions.send_referral(
            case, police, by=self.case_worker, service="penegakan_hukum", consent=True).letter))
        self.assertIn("tanggal tidak diketahui", letter)
        self.assertIn("tanggal kejadian belum diketahui", letter)
        page = self.client.get(reverse("cases:case_detail", args=[case.pk]))
        self.assertContains(page, "tanggal kejadian belum diketahui")

    def test_amending_the_date_to_unknown_recomputes_the_child_status_and_case_type(self) -> None:
        incident = years_ago(2)
        case = self.case_with(victims=[adult_victim(birth_date=turned_18_last_month(), age=None)],
                              chronology=[dated(incident)])
        self.assertEqual(case.case_type, CaseType.AMPK)
        event = ChronologyEvent.objects.get(report=case.primary_report)
        self.login(self.case_worker)
        url = reverse("cases:amend_event", args=[case.pk, event.pk])
        self.assertContains(self.client.get(url), "Tanggal tidak diketahui")
        response = self.client.post(url, {"when": "", "date_unknown": "on", "place": "rumah_tangga",
                                          "desa": DESA_A, "description": "Tanggalnya ternyata tidak diketahui."})
        self.assertRedirects(response, reverse("cases:timeline", args=[case.pk]))
        new = ChronologyEvent.objects.get(report=case.primary_report, is_current=True)
        self.assertIsNone(new.when)
        victim = case.primary_report.victims.get()
        self.assertEqual((victim.is_child, victim.incident_date_unknown, victim.case_type),
                         (False, True, CaseType.KTP))
        case.refresh_from_db()
        self.assertEqual(case.case_type, CaseType.KTP)
        # And back to a date: the child status returns.
        self.client.post(reverse("cases:amend_event", args=[case.pk, new.pk]), {
            "when": f"{incident.isoformat()}T10:00", "time_unknown": "on", "place": "rumah_tangga",
            "desa": DESA_A, "description": "Tanggalnya diingat lagi."})
        latest = ChronologyEvent.objects.get(report=case.primary_report, is_current=True)
        self.assertEqual((latest.when is not None, latest.time_known), (True, False))
        case.refresh_from_db()
        self.assertEqual(case.case_type, CaseType.AMPK)

    def test_the_amend_form_refuses_both_or_neither(self) -> None:
        case = self.case_with()
        event = ChronologyEvent.objects.get(report=case.primary_report)
        self.login(self.case_worker)
        url = reverse("cases:amend_event", args=[case.pk, event.pk])
        base = {"place": "rumah_tangga", "desa": DESA_A, "description": "Uraian."}
        for extra in ({"when": "2025-01-01T10:00", "date_unknown": "on"}, {"when": ""}):
            response = self.client.post(url, {**base, **extra})
            self.assertEqual(response.status_code, 400, extra)
        self.assertEqual(ChronologyEvent.objects.filter(report=case.primary_report).count(), 1)

    def test_the_care_checklist_clock_ignores_an_undated_event(self) -> None:
        from sigap.accompaniment.actions import incident_time

        day = timezone.localdate() - datetime.timedelta(days=1)
        case = self.case_with(chronology=[undated(), dated(day)])
        found = incident_time(case)
        assert found is not None
        self.assertEqual(timezone.localtime(found).date(), day)
        self.assertIsNone(incident_time(self.case_with(chronology=[undated()])))


class UnknownDateStatisticsTests(SigapTestCase):
    def test_simfoni_leaves_the_date_empty_and_lists_it_as_missing(self) -> None:
        from sigap.stats import simfoni
        from sigap.stats.forms import Period as StatsPeriod
        from sigap.stats.forms import this_month

        report = create_report(self.operator, chronology=[undated()]).report
        both = create_report(self.operator, chronology=[undated(), dated(years_ago(1))]).report
        period = StatsPeriod("2000-01", this_month())
        cases = {c.registration_number: c for c in simfoni.load_period(period)}
        self.assertIsNone(cases[report.registration_number].first_event)
        self.assertIsNotNone(cases[both.registration_number].first_event)
        rows = simfoni.rows(list(cases.values()))
        self.assertTrue(rows)
        missing = {g.registration_number: g.missing for g in simfoni.quality(period)}
        self.assertIn("tanggal kejadian (tidak diketahui)", missing[report.registration_number])
        self.assertNotIn("tanggal kejadian (tidak diketahui)", missing.get(both.registration_number, []))
        self.login(self.data_officer)
        for fmt in ("csv", "xlsx"):
            response = self.client.get(reverse("stats:simfoni_export", args=[fmt]),
                                       {"dari": "2000-01", "sampai": this_month()})
            self.assertEqual(response.status_code, 200, fmt)


class PaperFormTests(SigapTestCase):
    def test_the_blank_complaint_form_offers_an_unknown_date_accommodations_and_the_statistics_consent(self) -> None:
        from sigap.lib import pdftext

        self.login(self.volunteer_a)
        response = self.client.get(reverse("accompaniment:complaint_form"))
        self.assertEqual(response.status_code, 200)
        text = pdftext.pdf_text(response.content)
        for part in ("Tanggal tidak diketahui", "Juru bahasa isyarat", "Pendamping disabilitas",
                     "data tanpa nama dipakai untuk statistik"):
            self.assertIn(part, text)
