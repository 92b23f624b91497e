from __future__ import annotations

import datetime
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from sigap.cases import actions
from sigap.cases.actions import CaseActionError, MediationRefused
from sigap.cases.codes import ClosureStatus, PlanStatus, ReferralStatus, Stage, TaskKind
from sigap.cases.models import (
    Attachment,
    Case,
    CaseNote,
    Closure,
    Referral,
    ShelterStay,
    StageChange,
    Task,
)
from sigap.cases.tests.factories import (
    create_case,
    create_partner,
    create_reports,
    move_to,
    sexual_violence,
)
from sigap.core.models import Notification
from sigap.intake.codes import ReportStatus
from sigap.intake.models import ChronologyEvent, Report
from sigap.lib.testing import SigapTestCase
from sigap.vault.models import AuditEntry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class AuditCounter:
    """Asserts that a block writes exactly the audit actions named."""

    def __init__(self, test: SigapTestCase, *expected: str) -> None:
        self.test, self.expected = test, list(expected)

    def __enter__(self) -> AuditCounter:
        self.before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            actions_written = list(AuditEntry.objects.filter(seq__gt=self.before).order_by("seq")
                                   .values_list("action", flat=True))
            self.test.assertEqual(actions_written, self.expected)


class OpeningAndAssigningTests(SigapTestCase):
    def test_operator_opens_a_case_from_a_report_with_a_number_and_triage_tasks(self) -> None:
        report = create_reports(self.operator, 1)[0]
        with self.captureOnCommitCallbacks(execute=True), AuditCounter(self, "cases.case_opened"):
            case = actions.open_case([report], by=self.operator)
        year = timezone.localdate().year
        self.assertEqual(case.number, f"1811-{year}-K00001")
        self.assertEqual((case.stage, case.registration_number, case.risk), (Stage.PENERIMAAN,
                                                                              report.registration_number,
                                                                              report.risk))
        self.assertEqual(case.reported_at, report.received_at)
        report.refresh_from_db()
        self.assertEqual(report.status, ReportStatus.DITANGANI)
        first = Task.objects.get(case=case, kind=TaskKind.FIRST_CONTACT)
        self.assertEqual(first.due_at, report.response_due_at)
        self.assertEqual(case.next_due_at, report.response_due_at)
        self.assertEqual(StageChange.objects.get(case=case).to_stage, Stage.PENERIMAAN)
        note = Notification.objects.get(recipient=self.manager)
        self.assertIn(case.number, note.text)

    def test_one_case_from_several_linked_reports_and_a_report_is_never_in_two_cases(self) -> None:
        reports = create_reports(self.operator, 2)
        case = actions.open_case(reports, by=self.manager)
        self.assertEqual(case.case_reports.count(), 2)
        self.assertEqual(case.primary_report_id, min(reports, key=lambda r: r.received_at).pk)
        with self.assertRaises(CaseActionError):
            actions.open_case([reports[1]], by=self.manager)
        second = actions.open_case(create_reports(self.operator, 1), by=self.manager)
        self.assertEqual(second.sequence, case.sequence + 1)

    def test_case_workers_partners_and_volunteers_cannot_open_cases(self) -> None:
        report = create_reports(self.operator, 1)[0]
        for user in (self.case_worker, self.partner, self.volunteer_a, self.data_officer, self.admin):
            with self.assertRaises(PermissionDenied):
                actions.open_case([report], by=user)

    def test_sexual_violence_case_tracks_the_police_deadline_3x24_hours_from_the_report(self) -> None:
        case = create_case(self.operator, **sexual_violence())
        self.assertTrue(case.has_sexual_violence)
        self.assertEqual(case.police_deadline_at, case.reported_at + datetime.timedelta(hours=72))
        task = Task.objects.get(case=case, kind=TaskKind.POLICE_REFERRAL)
        self.assertEqual(task.due_at, case.police_deadline_at)

    def test_manager_assigns_and_the_worker_is_notified(self) -> None:
        case = create_case(self.operator)
        with self.captureOnCommitCallbacks(execute=True), AuditCounter(self, "cases.case_assigned"):
            actions.assign_case(case, self.case_worker, by=self.manager)
        case.refresh_from_db()
        self.assertEqual(case.assigned_to, self.case_worker)
        self.assertTrue(Notification.objects.filter(recipient=self.case_worker, kind="cases.case_assigned").exists())
        with self.assertRaises(PermissionDenied):
            actions.assign_case(case, self.case_worker, by=self.operator)
        with self.assertRaises(CaseActionError):
            actions.assign_case(case, self.operator, by=self.manager)


class StageTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)

    def test_stages_move_one_at_a_time_and_every_move_is_recorded(self) -> None:
        with AuditCounter(self, "cases.stage_moved"):
            actions.move_stage(self.case, Stage.IDENTIFIKASI, by=self.case_worker, note="Data lengkap.")
        with self.assertRaises(CaseActionError):
            actions.move_stage(self.case, Stage.RENCANA, by=self.case_worker)
        change = StageChange.objects.filter(case=self.case).last()
        assert change is not None
        self.assertEqual((change.from_stage, change.to_stage, change.by, change.note),
                         (Stage.PENERIMAAN, Stage.IDENTIFIKASI, self.case_worker, "Data lengkap."))

    def test_entering_assessment_creates_the_assessment_task_and_saving_it_completes_the_task(self) -> None:
        move_to(self.case, Stage.ASESMEN, by=self.case_worker)
        task = Task.objects.get(case=self.case, kind=TaskKind.ASSESSMENT)
        self.assertIsNone(task.done_at)
        with AuditCounter(self, "cases.assessment_recorded"):
            actions.record_assessment(self.case, {"biological": "Luka memar.", "needs": "Rasa aman."},
                                      by=self.case_worker)
        task.refresh_from_db()
        self.case.refresh_from_db()
        self.assertIsNotNone(task.done_at)
        self.assertIsNotNone(self.case.assessed_at)

    def test_plan_needs_an_assessment_and_implementation_needs_an_approved_plan(self) -> None:
        move_to(self.case, Stage.ASESMEN, by=self.case_worker)
        with self.assertRaises(CaseActionError):
            actions.move_stage(self.case, Stage.RENCANA, by=self.case_worker)
        actions.record_assessment(self.case, {"social": "Tinggal dengan bibi."}, by=self.case_worker)
        actions.move_stage(self.case, Stage.RENCANA, by=self.case_worker)
        with self.assertRaises(CaseActionError):
            actions.move_stage(self.case, Stage.PELAKSANAAN, by=self.case_worker)

    def test_going_back_needs_a_note_and_terminasi_only_comes_from_an_approved_closure(self) -> None:
        move_to(self.case, Stage.ASESMEN, by=self.case_worker)
        with self.assertRaises(CaseActionError):
            actions.move_stage(self.case, Stage.IDENTIFIKASI, by=self.case_worker)
        actions.move_stage(self.case, Stage.IDENTIFIKASI, by=self.case_worker, note="Data korban belum lengkap.")
        with self.assertRaises(CaseActionError):
            actions.move_stage(self.case, Stage.TERMINASI, by=self.case_worker)

    def test_only_the_assigned_worker_or_a_manager_moves_a_case(self) -> None:
        other = create_case(self.operator)
        with self.assertRaises(PermissionDenied):
            actions.move_stage(other, Stage.IDENTIFIKASI, by=self.case_worker)
        with self.assertRaises(PermissionDenied):
            actions.move_stage(self.case, Stage.IDENTIFIKASI, by=self.operator)
        actions.move_stage(other, Stage.IDENTIFIKASI, by=self.manager)


class PlanTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        move_to(self.case, Stage.ASESMEN, by=self.case_worker)
        actions.record_assessment(self.case, {"psychological": "Cemas."}, by=self.case_worker)
        actions.move_stage(self.case, Stage.RENCANA, by=self.case_worker)
        self.partner_agency = create_partner("legal_aid", added_by=self.manager)

    def _plan(self) -> actions.InterventionPlan:
        plan = actions.save_plan(self.case, by=self.case_worker, goals="Korban aman; proses hukum berjalan.")
        due = timezone.localdate() + datetime.timedelta(days=14)
        actions.add_plan_item(plan, by=self.case_worker, service="pendampingan", simfoni_type="bantuan_hukum",
                              responsible_partner=self.partner_agency, due_date=due, description="Pendampingan LBH.")
        actions.add_plan_item(plan, by=self.case_worker, service="pengelolaan_kasus", responsible_user=self.case_worker,
                              due_date=due)
        return plan

    def test_manager_approves_the_plan_with_a_comment_and_the_case_moves_to_implementation(self) -> None:
        plan = self._plan()
        with self.captureOnCommitCallbacks(execute=True), AuditCounter(self, "cases.plan_submitted"):
            actions.submit_plan(plan, by=self.case_worker)
        with self.assertRaises(PermissionDenied):
            actions.approve_plan(plan, by=self.case_worker)
        with self.captureOnCommitCallbacks(execute=True), AuditCounter(self, "cases.plan_approved"):
            actions.approve_plan(plan, by=self.manager, comment="Lanjutkan.")
        plan.refresh_from_db()
        self.case.refresh_from_db()
        self.assertEqual((plan.status, plan.decision_comment), (PlanStatus.APPROVED, "Lanjutkan."))
        self.assertEqual(self.case.stage, Stage.PELAKSANAAN)
        self.assertEqual(Task.objects.filter(case=self.case, kind=TaskKind.PLAN_ITEM).count(), 2)
        self.assertTrue(Notification.objects.filter(recipient=self.case_worker, kind="cases.plan_approved").exists())

    def test_a_returned_plan_needs_a_comment_is_edited_and_submitted_again(self) -> None:
        plan = self._plan()
        actions.submit_plan(plan, by=self.case_worker)
        with self.assertRaises(CaseActionError):
            actions.return_plan(plan, by=self.manager, comment="")
        actions.return_plan(plan, by=self.manager, comment="Tambahkan layanan psikologis.")
        plan.refresh_from_db()
        self.assertEqual(plan.status, PlanStatus.RETURNED)
        actions.add_plan_item(plan, by=self.case_worker, service="pendampingan", responsible_user=self.case_worker,
                              due_date=timezone.localdate())
        actions.submit_plan(plan, by=self.case_worker)
        actions.approve_plan(plan, by=self.manager)
        with self.assertRaises(CaseActionError):
            actions.add_plan_item(plan, by=self.case_worker, service="pendampingan",
                                  responsible_user=self.case_worker, due_date=timezone.localdate())
        revision = actions.save_plan(self.case, by=self.case_worker, goals="Tujuan diperbarui.")
        self.assertEqual((revision.version, revision.items.count()), (2, 3))

    def test_each_planned_service_has_exactly_one_responsible(self) -> None:
        plan = actions.save_plan(self.case, by=self.case_worker, goals="Tujuan.")
        with self.assertRaises(CaseActionError):
            actions.add_plan_item(plan, by=self.case_worker, service="pendampingan", due_date=timezone.localdate())
        with self.assertRaises(CaseActionError):
            actions.add_plan_item(plan, by=self.case_worker, service="pendampingan", due_date=timezone.localdate(),
                                  responsible_user=self.case_worker, responsible_partner=self.partner_agency)
        with self.assertRaises(CaseActionError):
            actions.submit_plan(plan, by=self.case_worker)


class ServiceAndShelterTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)

    def test_a_service_is_recorded_with_date_provider_and_outcome_and_starts_the_response_chain(self) -> None:
        with AuditCounter(self, "cases.service_recorded"):
            record = actions.record_service(self.case, by=self.case_worker, service="pendampingan",
                                            simfoni_type="kesehatan", delivered_on=timezone.localdate(),
                                            outcome="Korban diantar ke puskesmas.")
        self.case.refresh_from_db()
        self.assertEqual((record.provider_user, record.outcome), (self.case_worker, "Korban diantar ke puskesmas."))
        self.assertIsNotNone(self.case.first_service_at)
        with self.assertRaises(CaseActionError):
            actions.record_service(self.case, by=self.case_worker, service="pendampingan",
                                   delivered_on=timezone.localdate() + datetime.timedelta(days=2))
        with self.assertRaises(CaseActionError):
            actions.record_service(self.case, by=self.case_worker, service="mediasi", delivered_on=timezone.localdate())

    def test_shelter_lasts_seven_days_by_default_and_only_the_manager_extends_it(self) -> None:
        start = timezone.now() - datetime.timedelta(days=1)
        with AuditCounter(self, "cases.shelter_started"):
            stay = actions.start_shelter(self.case, by=self.case_worker, checked_in_at=start)
        self.assertEqual(stay.planned_end_at, start + datetime.timedelta(days=7))
        task = Task.objects.get(case=self.case, kind=TaskKind.SHELTER_END)
        self.assertEqual(task.due_at, stay.planned_end_at)
        with self.assertRaises(CaseActionError):
            actions.start_shelter(self.case, by=self.case_worker)
        with self.assertRaises(PermissionDenied):
            actions.extend_shelter(stay, by=self.case_worker, new_end_at=start + datetime.timedelta(days=14),
                                   reason="Belum aman pulang.")
        with self.assertRaises(CaseActionError):
            actions.extend_shelter(stay, by=self.manager, new_end_at=start + datetime.timedelta(days=14), reason="")
        with AuditCounter(self, "cases.shelter_extended"):
            actions.extend_shelter(stay, by=self.manager, new_end_at=start + datetime.timedelta(days=14),
                                   reason="Belum aman pulang.")
        task.refresh_from_db()
        self.assertEqual(task.due_at, start + datetime.timedelta(days=14))
        with AuditCounter(self, "cases.shelter_ended"):
            actions.end_shelter(stay, by=self.case_worker)
        task.refresh_from_db()
        self.assertIsNotNone(task.done_at)
        self.assertFalse(ShelterStay.objects.get(pk=stay.pk).is_open)


class ReferralTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager,
                                **sexual_violence())
        self.police = create_partner("police_uppa", members=(self.partner,), added_by=self.manager)

    def test_a_referral_needs_consent_or_a_manager_override_with_a_reason(self) -> None:
        with self.assertRaises(CaseActionError):
            actions.send_referral(self.case, self.police, by=self.case_worker, service="penegakan_hukum",
                                  consent=False, override_reason="Bahaya.")
        with self.assertRaises(CaseActionError):
            actions.send_referral(self.case, self.police, by=self.manager, service="penegakan_hukum", consent=False)
        referral = actions.send_referral(self.case, self.police, by=self.manager, service="penegakan_hukum",
                                         consent=False, override_reason="Anak dalam bahaya segera.")
        self.assertEqual(referral.consent_basis, "keputusan_manajer")

    def test_sending_to_the_police_meets_the_deadline_and_notifies_the_partner_without_personal_data(self) -> None:
        with self.captureOnCommitCallbacks(execute=True), AuditCounter(self, "cases.referral_sent"):
            referral = actions.send_referral(self.case, self.police, by=self.case_worker, service="penegakan_hukum",
                                             consent=True, purpose="Mohon proses laporan.")
        self.case.refresh_from_db()
        self.assertIsNotNone(self.case.police_referred_at)
        self.assertIsNotNone(Task.objects.get(case=self.case, kind=TaskKind.POLICE_REFERRAL).done_at)
        notice = Notification.objects.get(recipient=self.partner)
        self.assertNotIn("Rina", notice.text)
        self.assertIn(str(referral.pk), notice.link)

    def test_status_goes_sent_accepted_done_and_never_backwards(self) -> None:
        referral = actions.send_referral(self.case, self.police, by=self.case_worker, service="penegakan_hukum",
                                         consent=True)
        with self.captureOnCommitCallbacks(execute=True), AuditCounter(self, "cases.referral_updated"):
            actions.update_referral(referral, ReferralStatus.ACCEPTED, by=self.partner, note="Diterima penyidik.")
        self.assertTrue(Notification.objects.filter(recipient=self.case_worker, kind="cases.referral_updated").exists())
        with self.assertRaises(CaseActionError):
            actions.update_referral(referral, ReferralStatus.SENT, by=self.partner)
        actions.update_referral(referral, ReferralStatus.DONE, by=self.case_worker)
        self.assertEqual(Referral.objects.get(pk=referral.pk).status, ReferralStatus.DONE)

    def test_a_partner_cannot_update_another_agencys_referral(self) -> None:
        hospital = create_partner("hospital", added_by=self.manager)
        referral = actions.send_referral(self.case, hospital, by=self.case_worker, service="kesehatan", consent=True)
        with self.assertRaises(PermissionDenied):
            actions.update_referral(referral, ReferralStatus.ACCEPTED, by=self.partner)

    def test_the_letter_holds_only_what_the_partner_needs(self) -> None:
        from sigap.cases import letters

        hospital = create_partner("hospital", added_by=self.manager)
        police_letter = letters.loads(actions.send_referral(
            self.case, self.police, by=self.case_worker, service="penegakan_hukum", consent=True).letter)
        hospital_letter = letters.loads(actions.send_referral(
            self.case, hospital, by=self.case_worker, service="kesehatan", consent=True).letter)
        police_titles = [s["title"] for s in police_letter["sections"]]
        hospital_titles = [s["title"] for s in hospital_letter["sections"]]
        self.assertIn("Kronologi", police_titles)
        self.assertIn("Terlapor", police_titles)
        self.assertNotIn("Kronologi", hospital_titles)
        self.assertNotIn("Terlapor", hospital_titles)
        text = letters.dumps(police_letter) + letters.dumps(hospital_letter)
        self.assertIn("Rina Contoh", text)
        self.assertIn("Terlapor Contoh", letters.dumps(police_letter))
        for personal in ("Budi Contoh", "0000-1111", "0000 1111", "Dusun Contoh", "Jalan Contoh"):
            self.assertNotIn(personal, text)
        pdf = letters.render_pdf(police_letter)
        self.assertTrue(pdf.startswith(b"%PDF"))


class MediationTests(SigapTestCase):
    def test_mediation_is_refused_for_sexual_violence_with_an_adult_perpetrator(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager,
                           **sexual_violence(perpetrator_is_child=False))
        with self.assertRaises(MediationRefused) as caught:
            actions.record_mediation(case, by=self.case_worker, held_at=timezone.now(), summary="Sesi pertama.")
        self.assertIn("UU TPKS Pasal 23", caught.exception.message)
        self.assertFalse(case.mediations.exists())

    def test_unknown_perpetrator_age_refuses_too(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager,
                           **sexual_violence(perpetrator_is_child=None))
        self.assertIsNotNone(actions.mediation_refusal(case))

    def test_sexual_violence_by_a_child_and_other_cases_record_sessions_and_the_agreement(self) -> None:
        child = create_case(self.operator, assign_to=self.case_worker, manager=self.manager,
                            **sexual_violence(perpetrator_is_child=True, adult=False))
        self.assertIsNone(actions.mediation_refusal(child))
        civil = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        with AuditCounter(self, "cases.mediation_recorded"):
            session = actions.record_mediation(civil, by=self.case_worker, held_at=timezone.now(),
                                               summary="Para pihak hadir.", agreement="Nafkah anak Rp500.000/bulan.")
        self.assertEqual(session.agreement, "Nafkah anak Rp500.000/bulan.")


class ChronologyNotesAttachmentsTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)

    def test_amending_a_chronology_event_keeps_the_old_version(self) -> None:
        old = ChronologyEvent.objects.get(report=self.case.primary_report)
        with AuditCounter(self, "cases.event_amended"):
            new = actions.amend_event(old, by=self.case_worker, when=old.when, place="sekolah", desa_id=old.desa_id,
                                      description="Uraian yang diperbaiki.")
        old.refresh_from_db()
        self.assertFalse(old.is_current)
        self.assertEqual(old.description, "Uraian kejadian contoh.")
        self.assertEqual((new.supersedes_id, new.is_current, new.description),
                         (old.pk, True, "Uraian yang diperbaiki."))
        with self.assertRaises(CaseActionError):
            actions.amend_event(old, by=self.case_worker, when=old.when, place="sekolah", desa_id=old.desa_id,
                                description="Lagi.")

    def test_notes_and_attachments_are_sealed_at_rest(self) -> None:
        with AuditCounter(self, "cases.note_added"):
            actions.add_note(self.case, by=self.case_worker, body="Korban bercerita tentang Pak Contoh.")
        with AuditCounter(self, "cases.attachment_added"):
            attachment = actions.add_attachment(self.case, by=self.case_worker, kind="pdf", name="visum-siti.pdf",
                                                content=PDF + b"RAHASIA-ISI")
        self.assertEqual(attachment.content_type, "application/pdf")
        with connection.cursor() as cursor:
            cursor.execute("SELECT body FROM cases_casenote")
            note_raw = bytes(cursor.fetchone()[0])
            cursor.execute("SELECT name, content FROM cases_attachment")
            name_raw, content_raw = (bytes(v) for v in cursor.fetchone())
        self.assertNotIn(b"Contoh", note_raw)
        self.assertNotIn(b"siti", name_raw)
        self.assertNotIn(b"RAHASIA", content_raw)
        self.assertNotIn(b"%PDF", content_raw)
        self.assertEqual(CaseNote.objects.get().body, "Korban bercerita tentang Pak Contoh.")
        self.assertEqual(Attachment.objects.with_content().get().content, PDF + b"RAHASIA-ISI")

    def test_attachments_are_checked_for_type_and_size(self) -> None:
        with self.assertRaises(CaseActionError):
            actions.add_attachment(self.case, by=self.case_worker, kind="foto", name="x.exe", content=b"MZ\x90\x00")
        with override_settings(SIGAP_ATTACHMENT_MAX_MB=1), self.assertRaises(CaseActionError):
            actions.add_attachment(self.case, by=self.case_worker, kind="pdf", name="besar.pdf",
                                   content=PDF + b"0" * (1024 * 1024))
        photo = actions.add_attachment(self.case, by=self.case_worker, kind="foto", name="luka.jpg",
                                       content=b"\xff\xd8\xff\xe0" + b"\x00" * 100)
        self.assertEqual(photo.content_type, "image/jpeg")

    def test_a_contact_sets_the_first_contact_and_completes_its_task(self) -> None:
        with AuditCounter(self, "intake.contact_recorded", "cases.contact_recorded"):
            actions.record_case_contact(self.case, by=self.case_worker, channel="telepon", note="Korban aman.")
        self.case.refresh_from_db()
        self.assertIsNotNone(self.case.first_contact_at)
        self.assertIsNotNone(Task.objects.get(case=self.case, kind=TaskKind.FIRST_CONTACT).done_at)


class ClosureTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)

    def test_closure_needs_a_reason_and_an_outcome_and_the_managers_approval(self) -> None:
        with self.assertRaises(CaseActionError):
            actions.close_case(self.case, by=self.case_worker, outcome="tujuan_tercapai", reason="")
        with self.assertRaises(CaseActionError):
            actions.close_case(self.case, by=self.case_worker, outcome="entah", reason="Selesai.")
        with AuditCounter(self, "cases.closure_requested"):
            closure = actions.close_case(self.case, by=self.case_worker, outcome="tujuan_tercapai",
                                         reason="Korban pulih dan aman.")
        with self.assertRaises(PermissionDenied):
            actions.approve_closure(closure, by=self.case_worker)
        with AuditCounter(self, "cases.case_closed"):
            actions.approve_closure(closure, by=self.manager, comment="Setuju ditutup.")
        self.case.refresh_from_db()
        self.assertEqual((self.case.stage, self.case.is_open), (Stage.TERMINASI, False))
        self.assertIsNone(self.case.next_due_at)
        self.assertEqual(Report.objects.get(pk=self.case.primary_report_id).status, ReportStatus.SELESAI)
        with self.assertRaises(CaseActionError):
            actions.move_stage(self.case, Stage.IDENTIFIKASI, by=self.case_worker, note="x")

    def test_a_returned_closure_keeps_the_case_open(self) -> None:
        closure = actions.close_case(self.case, by=self.case_worker, outcome="korban_menolak", reason="Menolak.")
        with self.assertRaises(CaseActionError):
            actions.return_closure(closure, by=self.manager, comment="")
        actions.return_closure(closure, by=self.manager, comment="Coba hubungi keluarga dulu.")
        self.assertEqual(Closure.objects.get(pk=closure.pk).status, ClosureStatus.RETURNED)
        self.assertTrue(Case.objects.get(pk=self.case.pk).is_open)

    def test_reopening_needs_a_reason(self) -> None:
        closure = actions.close_case(self.case, by=self.case_worker, outcome="tujuan_tercapai", reason="Pulih.")
        actions.approve_closure(closure, by=self.manager)
        with self.assertRaises(CaseActionError):
            actions.reopen_case(self.case, by=self.manager, reason=" ")
        with AuditCounter(self, "cases.case_reopened"):
            actions.reopen_case(self.case, by=self.manager, reason="Kekerasan terulang.")
        self.case.refresh_from_db()
        self.assertEqual((self.case.stage, self.case.is_open, self.case.closed_at), (Stage.ASESMEN, True, None))
        change = StageChange.objects.filter(case=self.case).last()
        assert change is not None
        self.assertEqual(change.note, "Kekerasan terulang.")

    def test_a_case_erased_at_the_end_of_retention_is_not_reopened(self) -> None:
        closure = actions.close_case(self.case, by=self.case_worker, outcome="tujuan_tercapai", reason="Pulih.")
        actions.approve_closure(closure, by=self.manager)
        Case.objects.filter(pk=self.case.pk).update(scrubbed_at=timezone.now())
        self.case.refresh_from_db()
        changes = StageChange.objects.filter(case=self.case).count()
        with self.assertRaises(CaseActionError) as refused:
            actions.reopen_case(self.case, by=self.manager, reason="Kekerasan terulang.")
        self.assertIn("catat laporan baru", refused.exception.message)
        self.case.refresh_from_db()
        self.assertEqual((self.case.is_open, StageChange.objects.filter(case=self.case).count()), (False, changes))


class EscalationTests(SigapTestCase):
    def test_an_overdue_task_escalates_to_the_manager_once(self) -> None:
        frozen = timezone.now().replace(microsecond=0)
        with mock.patch("django.utils.timezone.now", return_value=frozen):
            case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        task = Task.objects.get(case=case, kind=TaskKind.FIRST_CONTACT)
        later = task.due_at + datetime.timedelta(minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=task.due_at - datetime.timedelta(minutes=1)):
            self.assertEqual(actions.escalate_overdue(), 0)
        with mock.patch("django.utils.timezone.now", return_value=later), \
                self.captureOnCommitCallbacks(execute=True), AuditCounter(self, "cases.task_escalated"):
            from sigap.cases.tasks import escalate_overdue_tasks

            self.assertEqual(escalate_overdue_tasks.call(), 1)
        task.refresh_from_db()
        self.assertEqual(task.escalated_at, later)
        notice = Notification.objects.get(recipient=self.manager, kind="cases.task_overdue")
        self.assertIn(case.number, notice.text)
        self.assertFalse(Notification.objects.filter(recipient=self.case_worker, kind="cases.task_overdue").exists())
        with mock.patch("django.utils.timezone.now", return_value=later + datetime.timedelta(hours=1)):
            self.assertEqual(actions.escalate_overdue(), 0)

    def test_done_tasks_and_closed_cases_do_not_escalate(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        for task in Task.objects.filter(case=case):
            actions.complete_task(task, by=self.case_worker)
        self.assertIsNone(Case.objects.get(pk=case.pk).next_due_at)
        self.assertEqual(actions.escalate_overdue(now=timezone.now() + datetime.timedelta(days=30)), 0)

    def test_the_command_runs_the_task(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        create_case(self.operator)
        out = StringIO()
        with mock.patch("django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(days=30)):
            call_command("escalate_overdue", stdout=out)
        self.assertIn("escalated 1", out.getvalue())


class RemainingAuditTests(SigapTestCase):
    def test_plan_edits_returns_and_task_completion_are_audited(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        move_to(case, Stage.RENCANA, by=self.manager)
        with AuditCounter(self, "cases.plan_saved"):
            plan = actions.save_plan(case, by=self.case_worker, goals="Tujuan.")
        with AuditCounter(self, "cases.plan_item_added"):
            item = actions.add_plan_item(plan, by=self.case_worker, service="pendampingan",
                                         responsible_user=self.case_worker, due_date=timezone.localdate())
        with AuditCounter(self, "cases.plan_item_removed"):
            actions.remove_plan_item(item, by=self.case_worker)
        actions.add_plan_item(plan, by=self.case_worker, service="pendampingan", responsible_user=self.case_worker,
                              due_date=timezone.localdate())
        actions.submit_plan(plan, by=self.case_worker)
        with AuditCounter(self, "cases.plan_returned"):
            actions.return_plan(plan, by=self.manager, comment="Perbaiki.")
        closure = actions.close_case(case, by=self.case_worker, outcome="lainnya", reason="Alasan.")
        with AuditCounter(self, "cases.closure_returned"):
            actions.return_closure(closure, by=self.manager, comment="Belum.")
        task = Task.objects.filter(case=case, done_at__isnull=True).first()
        assert task is not None
        with AuditCounter(self, "cases.task_completed"):
            actions.complete_task(task, by=self.case_worker)
