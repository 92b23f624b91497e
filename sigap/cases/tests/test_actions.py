from __future__ import annotations

import datetime
from typing import Any
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
    PoliceDutyDecision,
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
from sigap.intake.models import ChronologyEvent, Report, ReportSexualForm, ReportViolence
from sigap.intake.tests.factories import adult_victim, report_payload
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


def adult_civil(**overrides: Any) -> dict[str, Any]:
    """An adult woman, psychological violence: a matter the unit may mediate."""
    return {"victims": [adult_victim()], "violence_types": ["psikis"], **overrides}


class MediationTests(SigapTestCase):
    def session(self, case: Case, **kwargs: Any) -> Any:
        return actions.record_mediation(case, by=self.case_worker, held_at=timezone.now(), summary="Sesi pertama.",
                                        matters=kwargs.pop("matters", ["nafkah"]), **kwargs)

    def case(self, **overrides: Any) -> Case:
        return create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **overrides)

    def test_mediation_is_refused_for_sexual_violence_with_an_adult_perpetrator(self) -> None:
        case = self.case(**sexual_violence(perpetrator_is_child=False))
        with self.assertRaises(MediationRefused) as caught:
            self.session(case)
        self.assertIn("UU TPKS Pasal 23", caught.exception.message)
        self.assertFalse(case.mediations.exists())

    def test_a_child_perpetrator_no_longer_opens_mediation_and_the_refusal_points_to_diversi(self) -> None:
        case = self.case(**sexual_violence(perpetrator_is_child=True, adult=False))
        refusal = actions.mediation_refusal(case)
        self.assertIsNotNone(refusal)
        assert refusal is not None
        self.assertIn("UU TPKS Pasal 23", refusal)
        self.assertIn("diversi", refusal)
        self.assertIn("UU 11/2012", refusal)
        with self.assertRaises(MediationRefused):
            self.session(case)
        adult = self.case(**sexual_violence(perpetrator_is_child=True))
        self.assertIn("Bapas", actions.mediation_refusal(adult) or "")

    def test_a_sexual_violence_form_without_the_type_still_refuses(self) -> None:
        case = self.case(**adult_civil())
        ReportSexualForm.objects.create(report=case.primary_report, form="pelecehan_nonfisik")
        self.assertIn("UU TPKS Pasal 23", actions.mediation_refusal(case) or "")

    def test_trafficking_child_exploitation_and_violence_against_a_child_are_refused(self) -> None:
        trafficking = self.case(**adult_civil(violence_types=["trafficking"]))
        self.assertIn("perdagangan orang", actions.mediation_refusal(trafficking) or "")
        exploitation = self.case(violence_types=["eksploitasi"])  # the default victim is a 12-year-old girl
        self.assertIn("eksploitasi terhadap anak", actions.mediation_refusal(exploitation) or "")
        for kind in ("fisik", "psikis", "penelantaran"):
            child = self.case(violence_types=[kind])
            self.assertIn("kekerasan terhadap anak", actions.mediation_refusal(child) or "", kind)
            with self.assertRaises(MediationRefused):
                self.session(child)
        # The same violence against an adult, and exploitation of an adult, leave mediation open.
        self.assertIsNone(actions.mediation_refusal(self.case(**adult_civil(violence_types=["fisik"]))))
        self.assertIsNone(actions.mediation_refusal(self.case(**adult_civil(violence_types=["eksploitasi"]))))
        # A child's matter recorded as "lainnya" (custody, maintenance) may be mediated.
        self.assertIsNone(actions.mediation_refusal(self.case(violence_types=["lainnya"])))

    def test_one_child_among_several_victims_refuses(self) -> None:
        child = report_payload()["victims"][0]
        case = self.case(victims=[adult_victim(), child], violence_types=["fisik"])
        self.assertIn("kekerasan terhadap anak", actions.mediation_refusal(case) or "")

    def test_an_allowed_mediation_records_what_is_mediated_and_the_agreement(self) -> None:
        civil = self.case(**adult_civil())
        self.assertIsNone(actions.mediation_refusal(civil))
        with self.assertRaises(CaseActionError) as caught:
            self.session(civil, matters=[])
        self.assertEqual(caught.exception.field, "matters")
        with self.assertRaises(CaseActionError):
            self.session(civil, matters=["hutang_piutang"])
        self.assertFalse(civil.mediations.exists())
        with AuditCounter(self, "cases.mediation_recorded"):
            session = self.session(civil, matters=["hak_asuh", "nafkah", "nafkah"],
                                   agreement="Nafkah anak Rp500.000/bulan.")
        session.refresh_from_db()
        self.assertEqual(session.agreement, "Nafkah anak Rp500.000/bulan.")
        self.assertEqual(session.matters, ["hak_asuh", "nafkah"])


class PlanMediationTests(SigapTestCase):
    """A plan with mediation on a case that may not be mediated is refused at add, submit and approve."""

    def due(self) -> datetime.date:
        return timezone.localdate() + datetime.timedelta(days=7)

    def plan_for(self, **overrides: Any) -> tuple[Case, Any]:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **overrides)
        case = move_to(case, Stage.RENCANA, by=self.case_worker)
        return case, actions.save_plan(case, by=self.case_worker, goals="Korban aman.")

    def test_adding_a_mediation_item_to_a_sexual_violence_plan_is_refused_with_the_reason(self) -> None:
        _case, plan = self.plan_for(**sexual_violence())
        with AuditCounter(self), self.assertRaises(MediationRefused) as caught:
            actions.add_plan_item(plan, by=self.case_worker, service="mediasi", responsible_user=self.case_worker,
                                  due_date=self.due())
        self.assertIn("UU TPKS Pasal 23", caught.exception.message)
        self.assertEqual(caught.exception.field, "service")
        self.assertFalse(plan.items.exists())
        actions.add_plan_item(plan, by=self.case_worker, service="pendampingan", responsible_user=self.case_worker,
                              due_date=self.due())
        self.assertEqual(plan.items.count(), 1)

    def test_a_plan_holding_mediation_is_refused_at_approval_when_sexual_violence_appeared_later(self) -> None:
        case, plan = self.plan_for(**adult_civil())
        actions.add_plan_item(plan, by=self.case_worker, service="mediasi", responsible_user=self.case_worker,
                              due_date=self.due())
        actions.submit_plan(plan, by=self.case_worker)
        # Sexual violence comes out after the plan was submitted (issue 16's amendment writes this).
        ReportViolence.objects.create(report=case.primary_report, violence_type="seksual")
        with AuditCounter(self), self.assertRaises(MediationRefused) as caught:
            actions.approve_plan(plan, by=self.manager)
        self.assertIn("UU TPKS Pasal 23", caught.exception.message)
        plan.refresh_from_db()
        self.assertEqual(plan.status, PlanStatus.SUBMITTED)
        self.assertFalse(Task.objects.filter(case=case, kind=TaskKind.PLAN_ITEM).exists())
        actions.return_plan(plan, by=self.manager, comment="Hapus mediasi.")
        with self.assertRaises(MediationRefused):
            actions.submit_plan(plan, by=self.case_worker)

    def test_through_the_plan_screen_the_refusal_is_shown_next_to_the_service(self) -> None:
        case, _plan = self.plan_for(**sexual_violence())
        client = self.login(self.case_worker)
        response = client.post(f"/kasus/{case.pk}/rencana/", {
            "form": "item", "service": "mediasi", "responsible_user": self.case_worker.pk,
            "due_date": self.due().isoformat()})
        self.assertContains(response, "UU TPKS Pasal 23", status_code=400)
        self.assertFalse(case.plans.get().items.exists())

    def test_an_allowed_plan_with_mediation_is_approved_and_makes_its_task(self) -> None:
        case, plan = self.plan_for(**adult_civil())
        actions.add_plan_item(plan, by=self.case_worker, service="mediasi", responsible_user=self.case_worker,
                              due_date=self.due())
        actions.submit_plan(plan, by=self.case_worker)
        actions.approve_plan(plan, by=self.manager)
        self.assertTrue(Task.objects.filter(case=case, kind=TaskKind.PLAN_ITEM,
                                            plan_item__service="mediasi").exists())


class PoliceDutyTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager,
                                **sexual_violence())
        self.task = Task.objects.get(case=self.case, kind=TaskKind.POLICE_REFERRAL)

    def test_the_task_says_it_is_a_duty(self) -> None:
        label = self.task.get_kind_display()
        self.assertIn("Wajib", label)
        self.assertIn("3x24", label)
        self.assertNotIn("bila korban setuju", label)

    def test_the_police_task_cannot_be_ticked_off(self) -> None:
        for user in (self.case_worker, self.manager):
            with AuditCounter(self), self.assertRaises(CaseActionError):
                actions.complete_task(self.task, by=user)
        self.assertIsNone(Task.objects.get(pk=self.task.pk).done_at)

    def test_closing_without_a_reason_or_by_a_case_worker_is_refused(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.close_police_duty(self.case, by=self.case_worker, basis="penolakan_korban_dewasa",
                                      reason="Menolak.")
        with self.assertRaises(CaseActionError) as caught:
            actions.close_police_duty(self.case, by=self.manager, basis="penolakan_korban_dewasa", reason="  ")
        self.assertEqual(caught.exception.field, "reason")
        with self.assertRaises(CaseActionError):
            actions.close_police_duty(self.case, by=self.manager, basis="tidak_ada", reason="Menolak.")
        self.assertIsNone(Task.objects.get(pk=self.task.pk).done_at)
        self.assertFalse(PoliceDutyDecision.objects.exists())

    def test_the_manager_closes_it_with_a_sealed_reason_shown_on_the_case(self) -> None:
        with self.captureOnCommitCallbacks(execute=True), AuditCounter(self, "cases.police_duty_closed"):
            decision = actions.close_police_duty(self.case, by=self.manager, basis="penolakan_korban_dewasa",
                                                 reason="Korban dewasa menolak setelah dijelaskan.")
        task = Task.objects.get(pk=self.task.pk)
        self.assertEqual((task.done_by, decision.decided_by), (self.manager, self.manager))
        self.assertIsNotNone(task.done_at)
        with connection.cursor() as cursor:
            cursor.execute("SELECT reason FROM cases_policedutydecision WHERE id = %s", [decision.pk])
            self.assertNotIn("menolak", str(cursor.fetchone()[0]))
        self.assertTrue(Notification.objects.filter(recipient=self.case_worker,
                                                    kind="cases.police_duty_closed").exists())
        with self.assertRaises(CaseActionError):  # nothing left to close
            actions.close_police_duty(self.case, by=self.manager, basis="lainnya", reason="Lagi.")

    def test_a_childs_refusal_does_not_close_the_duty(self) -> None:
        child = create_case(self.operator, assign_to=self.case_worker, manager=self.manager,
                            **sexual_violence(adult=False))
        with self.assertRaises(CaseActionError) as caught:
            actions.close_police_duty(child, by=self.manager, basis="penolakan_korban_dewasa", reason="Wali menolak.")
        self.assertIn("Korban anak", caught.exception.message)
        actions.close_police_duty(child, by=self.manager, basis="sudah_dilaporkan",
                                  reason="Ibu korban sudah melapor ke Polres.")
        self.assertIsNotNone(Task.objects.get(case=child, kind=TaskKind.POLICE_REFERRAL).done_at)

    def test_a_police_referral_completes_the_duty(self) -> None:
        police = create_partner("police_uppa", added_by=self.manager)
        actions.send_referral(self.case, police, by=self.case_worker, service="penegakan_hukum", consent=True)
        self.assertEqual(Task.objects.get(pk=self.task.pk).done_by, self.case_worker)


class ReevaluationTests(SigapTestCase):
    """``reevaluate_case_rules``: what issue 16's amendments call when the reports change."""

    def test_sexual_violence_found_later_sets_the_deadline_from_the_original_report_and_one_task(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **adult_civil())
        self.assertIsNone(case.police_deadline_at)
        self.assertFalse(Task.objects.filter(case=case, kind=TaskKind.POLICE_REFERRAL).exists())
        ReportViolence.objects.create(report=case.primary_report, violence_type="seksual")
        later = timezone.now() + datetime.timedelta(days=5)
        with self.captureOnCommitCallbacks(execute=True), AuditCounter(self, "cases.rules_reevaluated"):
            result = actions.reevaluate_case_rules(case, by=self.case_worker, now=later)
        case.refresh_from_db()
        expected = case.primary_report.received_at + datetime.timedelta(hours=72)
        self.assertEqual(case.police_deadline_at, expected)
        self.assertTrue(case.has_sexual_violence)
        self.assertTrue(result.police_task_created)
        self.assertIn("UU TPKS Pasal 23", result.mediation_refusal or "")
        task = Task.objects.get(case=case, kind=TaskKind.POLICE_REFERRAL)
        self.assertEqual(task.due_at, expected)
        self.assertTrue(task.is_overdue(later))
        self.assertEqual(case.next_due_at, min(expected, case.next_due_at or expected))
        self.assertIn("seksual", set(case.violence.values_list("violence_type", flat=True)))
        # Run again: nothing new, no second task, no audit entry.
        with AuditCounter(self):
            again = actions.reevaluate_case_rules(case, by=self.case_worker, now=later)
        self.assertFalse(again.changed)
        self.assertEqual(Task.objects.filter(case=case, kind=TaskKind.POLICE_REFERRAL).count(), 1)

    def test_a_closed_police_duty_is_not_reopened_by_a_reevaluation(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **sexual_violence())
        actions.close_police_duty(case, by=self.manager, basis="penolakan_korban_dewasa", reason="Menolak.")
        actions.reevaluate_case_rules(case, by=self.manager)
        self.assertEqual(Task.objects.filter(case=case, kind=TaskKind.POLICE_REFERRAL).count(), 1)
        self.assertFalse(Task.objects.filter(case=case, kind=TaskKind.POLICE_REFERRAL, done_at__isnull=True).exists())

    def test_planned_mediation_tasks_are_withdrawn_when_mediation_becomes_refused(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **adult_civil())
        case = move_to(case, Stage.RENCANA, by=self.case_worker)
        plan = actions.save_plan(case, by=self.case_worker, goals="Korban aman.")
        actions.add_plan_item(plan, by=self.case_worker, service="mediasi", responsible_user=self.case_worker,
                              due_date=timezone.localdate() + datetime.timedelta(days=3))
        actions.submit_plan(plan, by=self.case_worker)
        actions.approve_plan(plan, by=self.manager)
        ReportViolence.objects.create(report=case.primary_report, violence_type="trafficking")
        result = actions.reevaluate_case_rules(case, by=self.manager)
        self.assertEqual(result.mediation_tasks_withdrawn, 1)
        self.assertFalse(Task.objects.filter(case=case, plan_item__service="mediasi", done_at__isnull=True).exists())
        self.assertFalse(result.police_task_created)  # trafficking alone is not the TPKS police duty


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
