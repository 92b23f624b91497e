from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from sigap.intake import actions
from sigap.intake.access import get_report_for, report_access_level
from sigap.intake.actions import (
    link_reports,
    open_report,
    override_risk,
    record_contact,
    submit_report,
    track,
)
from sigap.intake.codes import Authority, CaseType, ReportStatus, Risk
from sigap.intake.models import (
    ChronologyEvent,
    Contact,
    Report,
    ReporterIdentity,
    ReportLink,
    RiskOverride,
    TrackingCode,
    Victim,
)
from sigap.intake.queries import caller_history, find_duplicates
from sigap.intake.tests.factories import (
    OTHER_DISTRICT_DESA,
    REPORTER_PHONE,
    VICTIM_NIK,
    adult_victim,
    create_report,
    report_payload,
)
from sigap.intake.validation import ContactInput, ReportInput, ReportInvalid, parse_report
from sigap.lib.testing import DESA_A, DESA_B, SigapTestCase
from sigap.vault.models import AuditEntry


def contact_input(**fields: object) -> ContactInput:
    return ContactInput.model_validate(fields)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Report, Victim, ReporterIdentity, ChronologyEvent, TrackingCode,
                                             AuditEntry))


class SubmitReportTests(SigapTestCase):
    def test_submission_stores_everything_and_returns_the_code_once(self) -> None:
        submitted = create_report(self.operator, perpetrators=[{"relation": "orang_tua", "lives_with_victim": True}])
        report = submitted.report
        year = timezone.localdate().year
        self.assertEqual(submitted.registration_number, f"1811-{year}-000001")
        self.assertRegex(submitted.tracking_code, r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$")
        self.assertRegex(submitted.pin, r"^\d{6}$")
        self.assertEqual(report.submitted_by, self.operator)
        self.assertEqual(report.victims.get().age_group, "6-12")
        self.assertEqual(report.case_type, CaseType.AMPK)
        self.assertEqual(report.risk, Risk.SEDANG)
        self.assertIn("perpetrator_lives_with_victim", report.risk_reasons)
        self.assertEqual(report.response_due_at, report.received_at + datetime.timedelta(hours=6))
        self.assertEqual(list(report.violence.values_list("violence_type", flat=True)), ["psikis"])
        self.assertEqual(report.kecamatan_code, "18.11.01")
        self.assertTrue(report.consent_statistics)
        assert report.reporter is not None
        self.assertEqual(report.reporter.name, "Budi Contoh")
        self.assertEqual(report.reporter.phone, "+6281200001111")
        # Tracking code and PIN are stored only as digests.
        entry = TrackingCode.objects.get(report=report)
        self.assertNotIn(submitted.pin, entry.pin_digest)
        self.assertNotIn(submitted.tracking_code.replace("-", ""), entry.code_digest)
        actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
        self.assertTrue({"intake.report_created", "intake.reporter_identity_created"} <= actions_logged)

    def test_names_and_chronology_are_not_in_the_database_in_clear(self) -> None:
        create_report(self.operator)
        with connection.cursor() as cursor:
            for table in ("intake_victim", "intake_reporteridentity", "intake_chronologyevent", "intake_report"):
                cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
                dump = repr(cursor.fetchall())
                for secret in ("Siti", "Budi", "Uraian kejadian", "1111", "Jalan Contoh"):
                    self.assertNotIn(secret, dump, table)

    def test_numbers_follow_each_other_without_gaps_even_after_a_rejected_report(self) -> None:
        first = create_report(self.operator).registration_number
        with self.assertRaises(ReportInvalid):
            create_report(self.operator, victims=[adult_victim(desa="18.11.99.9999")])
        second = create_report(self.operator).registration_number
        self.assertEqual(int(second[-6:]), int(first[-6:]) + 1)

    def test_declined_identity_is_accepted_and_flagged_for_follow_up(self) -> None:
        report = create_report(self.operator, reporter={"declined_identity": True, "declined_reason": "takut"}).report
        self.assertIsNone(report.reporter)
        self.assertTrue(report.reporter_declined_identity)
        self.assertTrue(report.needs_follow_up)

    def test_reporter_needs_name_and_phone_or_address_unless_declined(self) -> None:
        with self.assertRaises(ReportInvalid) as caught:
            create_report(self.operator, reporter={"name": "", "relation": "keluarga"})
        self.assertIn("reporter.name", caught.exception.fields)
        self.assertIn("reporter.phone", caught.exception.fields)

    def test_desa_outside_the_region_marks_another_authority_with_a_transfer_suggestion(self) -> None:
        payload = report_payload(victims=[adult_victim(desa=OTHER_DISTRICT_DESA)])
        payload["chronology"][0]["desa"] = OTHER_DISTRICT_DESA
        report = submit_report(ReportInput.model_validate(payload), by=self.operator).report
        self.assertEqual(report.authority, Authority.OTHER)
        self.assertEqual(report.transfer_to_id, "18.10")
        self.assertEqual(create_report(self.operator).report.authority, Authority.OWN)

    def test_volunteer_report_is_attributed_to_the_volunteer(self) -> None:
        report = create_report(self.volunteer_a, channel="relawan").report
        self.assertEqual(report.submitted_by, self.volunteer_a)

    def test_roles_that_may_not_file_are_refused_and_nothing_is_saved(self) -> None:
        before = counts()
        for user in (self.data_officer, self.partner, self.admin):
            with self.assertRaises(PermissionDenied):
                create_report(user)
        self.assertEqual(counts(), before)


class ValidationTests(SigapTestCase):
    def errors_for(self, **overrides: object) -> dict[str, str]:
        with self.assertRaises(ReportInvalid) as caught:
            parse_report(report_payload(**overrides))
        return caught.exception.fields

    def test_future_birth_date_and_event_are_refused_in_indonesian(self) -> None:
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        errors = self.errors_for(
            victims=[adult_victim(birth_date=tomorrow.isoformat(), age=None)],
            chronology=[{"when": f"{tomorrow.isoformat()}T10:00", "desa": DESA_A, "description": "x"}],
        )
        self.assertEqual(errors["victims.0.birth_date"], "Tanggal lahir tidak boleh di masa depan.")
        self.assertEqual(errors["chronology.0.when"], "Waktu kejadian tidak boleh di masa depan.")

    def test_age_must_agree_with_birth_date(self) -> None:
        ten_years = (timezone.localdate() - datetime.timedelta(days=365 * 10 + 10)).isoformat()
        errors = self.errors_for(victims=[adult_victim(birth_date=ten_years, age=30)])
        self.assertIn("Usia tidak sesuai", errors["victims.0.age"])

    def test_birth_date_or_age_is_required(self) -> None:
        errors = self.errors_for(victims=[adult_victim(birth_date=None, age=None)])
        self.assertIn("victims.0.birth_date", errors)

    def test_nik_must_have_16_plausible_digits(self) -> None:
        self.assertEqual(self.errors_for(victims=[adult_victim(nik="12345")])["victims.0.nik"],
                         "NIK harus 16 angka.")
        self.assertIn("tanggal lahir", self.errors_for(victims=[adult_victim(nik="1811019901010001")])["victims.0.nik"])
        parse_report(report_payload(victims=[adult_victim(nik=VICTIM_NIK)]))

    def test_unknown_desa_and_codes_are_refused(self) -> None:
        errors = self.errors_for(victims=[adult_victim(desa="18.11.09.9999", sex="X")])
        self.assertIn("victims.0.sex", errors)
        errors = self.errors_for(victims=[adult_victim(desa="18.11.09.9999")])
        self.assertEqual(errors["victims.0.desa"], "Kode desa tidak dikenal.")

    def test_sexual_forms_need_the_sexual_violence_type(self) -> None:
        errors = self.errors_for(sexual_violence_forms=["kbgo"])
        self.assertIn("sexual_violence_forms", errors)
        parse_report(report_payload(violence_types=["seksual"], sexual_violence_forms=["kbgo"]))

    def test_missing_sections_are_named(self) -> None:
        with self.assertRaises(ReportInvalid) as caught:
            parse_report({"channel": "telepon"})
        self.assertEqual(caught.exception.fields["victims"], "Wajib diisi.")
        self.assertEqual(caught.exception.fields["consent"], "Wajib diisi.")


class AccessTests(SigapTestCase):
    def test_operators_and_managers_see_reports_case_workers_and_volunteers_only_theirs(self) -> None:
        by_a = create_report(self.volunteer_a, channel="relawan").report
        by_operator = create_report(self.operator).report
        by_case_worker = create_report(self.case_worker).report
        for user in (self.operator, self.manager):
            self.assertEqual(set(Report.objects.visible_to(user)), {by_a, by_operator, by_case_worker})
        # Without a case assigned to them, a case worker sees only what they filed.
        self.assertEqual(list(Report.objects.visible_to(self.case_worker)), [by_case_worker])
        self.assertEqual(list(Report.objects.visible_to(self.volunteer_a)), [by_a])
        self.assertEqual(list(Report.objects.visible_to(self.volunteer_b)), [])
        for user in (self.data_officer, self.partner, self.admin):
            self.assertEqual(list(Report.objects.visible_to(user)), [])
        self.assertEqual(report_access_level(self.volunteer_a), "coarse")
        self.assertEqual(report_access_level(self.operator), "full")
        self.assertIsNone(report_access_level(self.partner))

    def test_volunteer_cannot_open_another_villages_report_by_guessing_ids(self) -> None:
        by_a = create_report(self.volunteer_a, channel="relawan").report
        for pk in (by_a.pk, str(by_a.pk), by_a.pk + 1, "x", None, -1):
            with self.assertRaises(Http404):
                get_report_for(self.volunteer_b, pk)
        self.assertEqual(get_report_for(self.volunteer_a, by_a.pk), by_a)

    def test_opening_a_report_is_audited_and_a_refusal_leaves_no_entry(self) -> None:
        report = create_report(self.operator).report
        open_report(self.manager, report.pk)
        self.assertTrue(AuditEntry.objects.filter(action="intake.report_opened", object_id=str(report.pk),
                                                  actor=self.manager).exists())
        with self.assertRaises(Http404):
            open_report(self.partner, report.pk)
        self.assertEqual(AuditEntry.objects.filter(action="intake.report_opened").count(), 1)


class ContactAndHistoryTests(SigapTestCase):
    def test_caller_history_counts_contacts_and_lists_linked_reports(self) -> None:
        report = create_report(self.operator).report
        record_contact(contact_input(channel="telepon", outcome="laporan_baru", caller_phone="+62 812 0000 1111"),
                       by=self.operator, report=report)
        record_contact(contact_input(channel="telepon", outcome="informasi", caller_phone="081200001111",
                                    do_not_call_back=True), by=self.operator)
        record_contact(contact_input(channel="telepon", outcome="informasi", caller_phone="081299998888"),
                       by=self.operator)
        history = caller_history("0812-0000-1111", self.operator)
        self.assertEqual(history.contact_count, 2)
        self.assertEqual(history.registration_numbers, [report.registration_number])
        self.assertTrue(history.do_not_call_back)
        self.assertFalse(caller_history("0813-1234-5678", self.operator).known)
        self.assertFalse(caller_history("bukan nomor", self.operator).known)
        self.assertTrue(AuditEntry.objects.filter(action="intake.contact_recorded").exists())

    def test_reporter_phone_alone_ties_the_number_to_the_report_and_its_never_call_back_flag(self) -> None:
        report = create_report(self.operator, safe_contact={"never_call_back": True}).report
        history = caller_history(REPORTER_PHONE, self.operator)
        self.assertEqual((history.contact_count, history.registration_numbers), (0, [report.registration_number]))
        self.assertTrue(history.do_not_call_back)

    def test_caller_history_needs_the_record_contact_permission(self) -> None:
        for user in (self.volunteer_a, self.partner, self.data_officer):
            with self.assertRaises(PermissionDenied):
                caller_history(REPORTER_PHONE, user)

    def test_invalid_contact_phone_is_refused(self) -> None:
        with self.assertRaises(ReportInvalid):
            record_contact(contact_input(channel="sms", outcome="informasi", caller_phone="abc"), by=self.operator)
        self.assertEqual(Contact.objects.count(), 0)


class DuplicateTests(SigapTestCase):
    def test_same_victim_nik_reporter_phone_or_name_desa_birth_are_candidates(self) -> None:
        victim = adult_victim(nik=VICTIM_NIK, birth_date="1996-01-01", age=None)
        first = create_report(self.operator, victims=[victim]).report
        second = create_report(self.operator, victims=[victim]).report
        candidates = find_duplicates(second)
        self.assertEqual([c.report for c in candidates], [first])
        self.assertEqual(candidates[0].reasons, ["victim_nik", "reporter_phone", "victim_name_desa_birth"])

    def test_name_alone_in_another_desa_is_no_candidate_and_a_closed_report_is_marked_closed(self) -> None:
        other_reporter = {"name": "Ani Contoh", "phone": "0812-0000-2222", "relation": "keluarga"}
        first = create_report(self.operator, victims=[adult_victim(birth_date="1996-01-01", age=None)]).report
        moved = create_report(self.operator, reporter=other_reporter,
                              victims=[adult_victim(birth_date="1996-01-01", age=None, desa=DESA_B)]).report
        self.assertEqual(find_duplicates(moved), [])
        same = create_report(self.operator, reporter=other_reporter,
                             victims=[adult_victim(birth_date="1996-01-01", age=None)]).report
        reasons = {c.report: c.reasons for c in find_duplicates(same)}
        self.assertEqual(reasons, {first: ["victim_name_desa_birth"], moved: ["reporter_phone"]})
        Report.objects.filter(pk=first.pk).update(status=ReportStatus.SELESAI)
        # Issue 16: a closed report stays a candidate (the victim comes back), marked closed.
        closed = {c.report: c.closed for c in find_duplicates(same)}
        self.assertEqual(closed, {first: True, moved: False})

    def test_linking_keeps_both_reports_is_audited_and_happens_once(self) -> None:
        a, b = create_report(self.operator).report, create_report(self.operator).report
        link = link_reports(b, a, by=self.operator, reason="Korban sama")
        self.assertEqual((link.report_id, link.other_id), (a.pk, b.pk))
        self.assertEqual(link_reports(a, b, by=self.manager, reason="lagi"), link)
        self.assertEqual(ReportLink.objects.count(), 1)
        self.assertEqual(Report.objects.count(), 2)
        self.assertEqual(AuditEntry.objects.filter(action="intake.reports_linked").count(), 1)
        self.assertTrue(find_duplicates(b)[0].already_linked)
        with self.assertRaises(PermissionDenied):
            link_reports(a, b, by=self.volunteer_a, reason="x")


class OverrideTests(SigapTestCase):
    def test_operator_overrides_risk_with_a_reason_and_the_deadline_follows(self) -> None:
        report = create_report(self.operator).report
        override_risk(report, Risk.TINGGI, by=self.operator, reason="Korban menelepon lagi sambil menangis")
        report.refresh_from_db()
        self.assertEqual((report.risk, report.risk_computed, report.risk_overridden), ("tinggi", "sedang", True))
        self.assertEqual(report.response_due_at, report.received_at + datetime.timedelta(hours=1))
        override = RiskOverride.objects.get()
        self.assertEqual((override.from_risk, override.to_risk, override.by), ("sedang", "tinggi", self.operator))
        entry = AuditEntry.objects.get(action="intake.risk_overridden")
        self.assertNotIn("menangis", entry.reason)

    def test_override_needs_a_reason_a_known_risk_and_permission(self) -> None:
        report = create_report(self.operator).report
        with self.assertRaises(ReportInvalid):
            override_risk(report, Risk.TINGGI, by=self.operator, reason=" ")
        with self.assertRaises(ReportInvalid):
            override_risk(report, "darurat", by=self.operator, reason="x")
        for user in (self.volunteer_a, self.partner, self.data_officer):
            with self.assertRaises(PermissionDenied):
                override_risk(report, Risk.RENDAH, by=user, reason="x")
        self.assertEqual(RiskOverride.objects.count(), 0)


class TrackTests(SigapTestCase):
    def test_right_code_and_pin_give_the_coarse_status_and_typing_is_forgiving(self) -> None:
        submitted = create_report(self.operator)
        self.assertEqual(track(submitted.tracking_code, submitted.pin), "diterima")
        sloppy = submitted.tracking_code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
        self.assertEqual(track(sloppy, submitted.pin), "diterima")
        Report.objects.filter(pk=submitted.report.pk).update(status=ReportStatus.DITANGANI)
        self.assertEqual(track(submitted.tracking_code, submitted.pin), "ditangani")

    @override_settings(SIGAP_TRACKING_MAX_FAILURES=3, SIGAP_TRACKING_LOCK_MINUTES=30)
    def test_wrong_pins_lock_the_code_even_for_the_right_pin(self) -> None:
        submitted = create_report(self.operator)
        wrong = f"{(int(submitted.pin) + 1) % 1000000:06d}"
        for _ in range(3):
            self.assertIsNone(track(submitted.tracking_code, wrong))
        with self.assertRaises(actions.TrackingLocked):
            track(submitted.tracking_code, submitted.pin)
        later = timezone.now() + datetime.timedelta(minutes=31)
        self.assertEqual(track(submitted.tracking_code, submitted.pin, now=later), "diterima")
        self.assertEqual(TrackingCode.objects.get().failed_attempts, 0)

    def test_unknown_or_malformed_codes_are_none(self) -> None:
        for code in ("", "AAAA-AAAA-AA", "x" * 500, "UUUU-UUUU-UU"):
            self.assertIsNone(track(code, "123456"))
