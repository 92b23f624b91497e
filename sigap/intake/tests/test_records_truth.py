"""Issue 16: paper forms entered late, "dari mana tahu layanan ini", the contact log, unknown places."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from sigap.intake.actions import record_contact, submit_report
from sigap.intake.codes import ContactOutcome
from sigap.intake.models import ChronologyEvent, Contact, Report
from sigap.intake.tests.factories import create_report, report_payload
from sigap.intake.tests.form_data import contact_form_data, report_form_data
from sigap.intake.triage import response_due
from sigap.intake.validation import ContactInput, ReportInput, ReportInvalid
from sigap.lib.testing import DESA_A, DESA_B, SigapTestCase


def _local(days: float = 0, hours: float = 0) -> datetime.datetime:
    return timezone.localtime() - datetime.timedelta(days=days, hours=hours)


def _event(days_ago: float) -> list[dict[str, object]]:
    return [{"when": _local(days_ago).strftime("%Y-%m-%dT%H:%M"), "place": "rumah_tangga", "desa": DESA_A,
             "description": "Uraian kejadian contoh."}]


class LateEntryTests(SigapTestCase):
    def _submit(self, by: object = None, **overrides: object) -> Report:
        data = ReportInput.model_validate(report_payload(**overrides))
        return submit_report(data, by=by or self.operator).report

    def test_paper_form_counts_deadlines_from_the_time_it_was_received(self) -> None:
        received = _local(days=3).replace(second=0, microsecond=0)
        report = self._submit(chronology=_event(10), received_at=received.strftime("%Y-%m-%dT%H:%M"),
                              late_entry_reason="Formulir kertas dari relawan desa.")
        self.assertTrue(report.late_entry)
        self.assertEqual(report.received_at, received)
        self.assertEqual(report.response_due_at, response_due(report.risk, received))
        self.assertGreater(report.created_at, report.received_at + datetime.timedelta(days=2))
        self.assertEqual(report.late_entry_reason, "Formulir kertas dari relawan desa.")

    def test_received_time_bounds_each_refused_with_a_clear_message_and_nothing_saved(self) -> None:
        cases: dict[str, dict[str, Any]] = {
            "future": dict(received_at=_local(hours=-3).strftime("%Y-%m-%dT%H:%M"), late_entry_reason="x"),
            "too old": dict(received_at=_local(days=31).strftime("%Y-%m-%dT%H:%M"), late_entry_reason="x",
                            chronology=_event(60)),
            "before incident": dict(received_at=_local(days=5).strftime("%Y-%m-%dT%H:%M"), late_entry_reason="x",
                                    chronology=_event(2)),
        }
        for name, overrides in cases.items():
            with self.subTest(name), self.assertRaises(ReportInvalid) as raised:
                self._submit(**overrides)
            self.assertIn("received_at", raised.exception.fields)
        with self.assertRaises(ReportInvalid) as raised:
            self._submit(received_at=_local(days=2).strftime("%Y-%m-%dT%H:%M"))
        self.assertIn("late_entry_reason", raised.exception.fields)
        self.assertEqual(Report.objects.count(), 0)

    def test_thirty_days_back_is_still_accepted(self) -> None:
        report = self._submit(chronology=_event(40), received_at=_local(days=29, hours=23).strftime("%Y-%m-%dT%H:%M"),
                              late_entry_reason="Catatan relawan.")
        self.assertTrue(report.late_entry)

    def test_a_volunteer_cannot_backdate_a_report(self) -> None:
        payload = {"received_at": _local(days=2).strftime("%Y-%m-%dT%H:%M"), "late_entry_reason": "x"}
        with self.assertRaises(ReportInvalid) as raised:
            self._submit(by=self.volunteer_a, channel="relawan", **payload)
        self.assertIn("received_at", raised.exception.fields)

    def test_staff_form_takes_the_received_time_and_the_report_says_so(self) -> None:
        self.login(self.operator)
        received = _local(days=2).replace(second=0, microsecond=0)
        data = report_form_data(received_at=received.strftime("%Y-%m-%dT%H:%M"),
                                late_entry_reason="Formulir kertas posyandu.")
        response = self.client.post(reverse("intake:report_new"), data)
        self.assertEqual(response.status_code, 200, response.content[:500])
        report = Report.objects.get()
        self.assertEqual(report.received_at, received)
        page = self.client.get(reverse("intake:report_detail", args=[report.pk])).content.decode()
        self.assertIn("Dicatat dari formulir kertas, diterima", page)

    def test_staff_form_refuses_a_future_received_time_next_to_the_field(self) -> None:
        self.login(self.operator)
        data = report_form_data(received_at=_local(days=-2).strftime("%Y-%m-%dT%H:%M"), late_entry_reason="x")
        response = self.client.post(reverse("intake:report_new"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Waktu diterima tidak boleh di masa depan.", status_code=400)
        self.assertFalse(Report.objects.exists())

    def test_case_response_chain_counts_from_the_paper_time(self) -> None:
        from sigap.cases.actions import open_case

        received = _local(days=2).replace(second=0, microsecond=0)
        report = self._submit(violence_types=["seksual"], received_at=received.strftime("%Y-%m-%dT%H:%M"),
                              late_entry_reason="Formulir kertas.")
        case = open_case([report], by=self.operator)
        self.assertEqual(case.reported_at, received)
        self.assertEqual(case.police_deadline_at, received + datetime.timedelta(hours=72))


class HeardFromTests(SigapTestCase):
    def test_api_report_carries_how_the_reporter_learned_of_the_hotline(self) -> None:
        report = create_report(self.operator, heard_from="sosialisasi_desa", source="").report
        self.assertEqual(report.heard_from, "sosialisasi_desa")

    def test_a_pamphlet_link_report_counts_as_pamphlet_when_not_asked(self) -> None:
        report = create_report(self.operator, source="pamflet-2026-desa").report
        self.assertEqual(report.heard_from, "pamflet")

    def test_unknown_code_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            ReportInput.model_validate(report_payload(heard_from="tv_kabel"))

    def test_contact_form_records_it_and_the_report_filed_from_the_contact_inherits_it(self) -> None:
        self.login(self.operator)
        response = self.client.post(reverse("intake:contact_new"),
                                    contact_form_data(outcome="laporan_baru", heard_from="relawan_patbm"))
        self.assertEqual(response.status_code, 302)
        contact = Contact.objects.get()
        self.assertEqual(contact.heard_from, "relawan_patbm")
        data = report_form_data(contact=str(contact.pk))
        self.client.post(reverse("intake:report_new"), data)
        self.assertEqual(Report.objects.get().heard_from, "relawan_patbm")

    def test_public_form_asks_it(self) -> None:
        response = self.client.post(reverse("intake:public_report"),
                                    report_form_data(public=True, heard_from="sekolah"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Report.objects.get().heard_from, "sekolah")


class ContactLogTests(SigapTestCase):
    def _contact(self, by: object, **values: object) -> Contact:
        payload = {"channel": "telepon", "outcome": "informasi", **values}
        return record_contact(ContactInput.model_validate(payload), by=by)

    def test_only_operators_and_managers_reach_the_contact_log(self) -> None:
        self.assertAllowedOnly("get", reverse("intake:contact_list"), [self.operator, self.manager])

    def test_filters_match_an_independent_count(self) -> None:
        report = create_report(self.operator).report
        start = timezone.localtime() - datetime.timedelta(days=3)
        made = [
            self._contact(self.operator, channel="telepon", outcome="diam_iseng_salah", kecamatan="18.11.01"),
            self._contact(self.operator, channel="whatsapp", outcome="informasi", kecamatan="18.11.02",
                          heard_from="media_sosial"),
            self._contact(self.manager, channel="telepon", outcome="laporan_baru", started_at=start),
            self._contact(self.operator, channel="telepon", outcome="tindak_lanjut"),
        ]
        Contact.objects.filter(pk=made[3].pk).update(report=report)
        self.login(self.manager)
        url = reverse("intake:contact_list")

        def rows(**params: str) -> int:
            return self.client.get(url, params).content.decode().count('<tr>\n    <td>')

        self.assertEqual(rows(), 4)
        self.assertEqual(rows(channel="telepon"), sum(c.channel == "telepon" for c in made))
        self.assertEqual(rows(outcome="diam_iseng_salah"), 1)
        self.assertEqual(rows(operator=str(self.manager.pk)), 1)
        # A contact without its own kecamatan is found by its report's.
        self.assertEqual(rows(kecamatan="18.11.01"), 2)
        self.assertEqual(rows(kecamatan="18.11.02"), 1)
        self.assertEqual(rows(heard_from="media_sosial"), 1)
        today = timezone.localdate().isoformat()
        self.assertEqual(rows(dari=today, sampai=today), 3)
        # Bad filter values are ignored, never a 500.
        self.assertEqual(self.client.get(url, {"dari": "kemarin", "operator": "x", "channel": "fax"}).status_code, 200)

    def test_the_list_shows_no_phone_number_or_note(self) -> None:
        self._contact(self.operator, caller_phone="0812-5555-0001", note="Catatan rahasia uji")
        self.login(self.operator)
        page = self.client.get(reverse("intake:contact_list")).content.decode()
        self.assertNotIn("5555", page)
        self.assertNotIn("Catatan rahasia uji", page)

    def test_dashboard_contact_counts_match_an_independent_count(self) -> None:
        from sigap.stats import contacts as contact_stats
        from sigap.stats.forms import Period

        report = create_report(self.operator).report
        for outcome, phone, heard in [
            ("diam_iseng_salah", "0812-5555-0001", ""),
            ("diam_iseng_salah", "0812-5555-0001", ""),
            ("informasi", "0812-5555-0002", "pamflet"),
            ("laporan_baru", "0812-5555-0003", "pamflet"),
            ("tindak_lanjut", "0812-5555-0003", "sekolah"),
        ]:
            contact = self._contact(self.operator, outcome=outcome, caller_phone=phone, heard_from=heard or None)
            if outcome in ("laporan_baru", "tindak_lanjut"):
                Contact.objects.filter(pk=contact.pk).update(report=report)
        month = timezone.localdate().strftime("%Y-%m")
        from sigap.stats import tally

        tally.run()  # the dashboard reads the tally's counts
        found = contact_stats.figures(Period(month, month))
        everything = list(Contact.objects.all())
        self.assertEqual(found.total, len(everything))
        self.assertEqual(found.silent, sum(c.outcome == ContactOutcome.SILENT for c in everything))
        phones = [c.caller_phone_index for c in everything if c.caller_phone_index]
        self.assertEqual(found.repeat_callers, len({p for p in phones if phones.count(p) > 1}))
        self.assertEqual(found.per_report, 2.0)
        self.assertEqual(found.by_heard_from.get("pamflet"), 2)
        self.login(self.data_officer)
        page = self.client.get(reverse("stats:dashboard")).content.decode()
        self.assertIn("Kontak per hasil", page)
        self.assertIn("Dari mana tahu layanan ini (kontak)", page)


class UnknownPlaceTests(SigapTestCase):
    def test_an_event_without_a_place_is_stored_as_unknown_not_lainnya(self) -> None:
        report = create_report(self.operator, chronology=[
            {"when": _local(2).strftime("%Y-%m-%dT%H:%M"), "desa": DESA_B, "description": "Uraian."}
        ]).report
        event = ChronologyEvent.objects.get(report=report)
        self.assertEqual(event.place, "")
        self.login(self.operator)
        page = self.client.get(reverse("intake:report_detail", args=[report.pk])).content.decode()
        self.assertIn("tempat kejadian belum dicatat", page)
        self.assertNotIn("Lainnya", page)

    def test_the_data_quality_list_names_the_missing_place(self) -> None:
        from sigap.stats import simfoni

        report = create_report(self.operator, chronology=[
            {"when": _local(2).strftime("%Y-%m-%dT%H:%M"), "desa": DESA_B, "description": "Uraian."}
        ]).report
        gaps = simfoni.gaps(simfoni.load([report.pk]))
        self.assertEqual(len(gaps), 1)
        self.assertTrue(any("tempat" in m for m in gaps[0].missing))

    def test_the_dashboard_counts_it_as_not_recorded(self) -> None:
        from sigap.stats import tally

        report = create_report(self.operator, chronology=[
            {"when": _local(2).strftime("%Y-%m-%dT%H:%M"), "desa": DESA_B, "description": "Uraian."}
        ]).report
        facts = tally.load_facts([report.pk])[0]
        self.assertEqual(facts.places, {""})

