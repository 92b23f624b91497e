from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from sigap.accompaniment import actions
from sigap.accompaniment.codes import (
    AppointmentStatus,
    CareItemStatus,
    JusticeStage,
    LpskStatus,
    ProtectionKind,
    RestitutionStatus,
    TransferStatus,
)
from sigap.accompaniment.models import (
    Appointment,
    CareChecklist,
    CareItem,
    JusticeStep,
    LpskApplication,
    OfficialLetter,
    Protection,
    Restitution,
    Transfer,
)
from sigap.accompaniment.tests.factories import plain_case, rape_case
from sigap.cases import actions as case_actions
from sigap.cases.actions import CaseActionError
from sigap.cases.codes import CaseStatus, Stage, TaskKind
from sigap.cases.models import Case, Task
from sigap.cases.tests.factories import create_partner
from sigap.core.models import Notification
from sigap.lib.testing import SigapTestCase
from sigap.vault.audit import AuditEntry

ZONE = timezone.get_current_timezone()


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZONE)


class AppointmentTests(SigapTestCase):
    def test_reminders_go_the_day_before_and_on_the_day_once_each_without_personal_data(self) -> None:
        case = plain_case(self)
        day = timezone.localdate() + datetime.timedelta(days=2)
        with self.captureOnCommitCallbacks(execute=True):
            appointment = actions.schedule_appointment(
                case, by=self.case_worker, kind="konseling", starts_at=at(day, 10), worker=self.case_worker,
                place="Ruang konseling Contoh", now=at(day - datetime.timedelta(days=3), 9))
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(actions.send_reminders(now=at(day - datetime.timedelta(days=1), 6)), 0)  # too early
            self.assertEqual(actions.send_reminders(now=at(day - datetime.timedelta(days=1), 7, 5)), 1)
            self.assertEqual(actions.send_reminders(now=at(day - datetime.timedelta(days=1), 9)), 0)  # once
            self.assertEqual(actions.send_reminders(now=at(day, 7, 1)), 1)
            self.assertEqual(actions.send_reminders(now=at(day, 8)), 0)
        texts = list(Notification.objects.filter(recipient=self.case_worker, kind="cases.appointment_reminder").order_by("id")
                     .values_list("text", flat=True))
        self.assertEqual(len(texts), 2)
        self.assertIn("besok pukul 10:00", texts[0])
        self.assertIn("hari ini pukul 10:00", texts[1])
        for text in texts:
            self.assertIn(case.number, text)
            self.assertNotIn("Contoh", text)
        appointment.refresh_from_db()
        self.assertIsNotNone(appointment.reminded_before_at)
        self.assertIsNotNone(appointment.reminded_day_at)

    def test_outcomes_reschedule_and_counselling_count(self) -> None:
        case = plain_case(self)
        now = timezone.now()
        first = actions.schedule_appointment(case, by=self.case_worker, kind="psikolog",
                                             starts_at=now - datetime.timedelta(hours=2), worker=self.case_worker)
        second = actions.schedule_appointment(case, by=self.case_worker, kind="konseling",
                                              starts_at=now - datetime.timedelta(hours=1), worker=self.case_worker)
        actions.record_outcome(first, by=self.case_worker, status=AppointmentStatus.ATTENDED)
        with self.assertRaises(CaseActionError) as caught:
            actions.record_outcome(second, by=self.case_worker, status=AppointmentStatus.MISSED)
        self.assertEqual(caught.exception.field, "note")
        new = actions.reschedule(second, by=self.case_worker, starts_at=now + datetime.timedelta(days=1),
                                 note="Korban sakit")
        second.refresh_from_db()
        self.assertEqual(second.status, AppointmentStatus.RESCHEDULED)
        self.assertEqual(second.rescheduled_to, new)
        self.assertEqual(new.status, AppointmentStatus.SCHEDULED)
        self.assertEqual(actions.counselling_sessions(case), 1)
        with self.assertRaises(CaseActionError):
            actions.record_outcome(first, by=self.case_worker, status=AppointmentStatus.CANCELLED, note="x")

    def test_only_the_cases_worker_or_a_manager_schedules(self) -> None:
        case = plain_case(self)
        for user in (self.operator, self.data_officer, self.partner):
            with self.assertRaises(PermissionDenied):
                actions.schedule_appointment(case, by=user, kind="bap", starts_at=timezone.now(),
                                             worker=self.case_worker)
        with self.assertRaises(CaseActionError):
            actions.schedule_appointment(case, by=self.case_worker, kind="bap", starts_at=timezone.now(),
                                         worker=self.operator)
        self.assertFalse(Appointment.objects.exists())


class CareChecklistTests(SigapTestCase):
    def test_a_recent_rape_report_gets_the_checklist_with_its_clock_and_tasks(self) -> None:
        case = rape_case(self, hours_ago=10)
        self.assertEqual(actions.start_due_checklists(), 1)
        checklist = CareChecklist.objects.get(case=case)
        self.assertEqual(checklist.deadline_at, checklist.incident_at + datetime.timedelta(hours=72))
        self.assertEqual(checklist.items.count(), 5)
        tasks = Task.objects.filter(case=case, kind=TaskKind.POST_RAPE_CARE, done_at__isnull=True)
        self.assertEqual(tasks.count(), 5)
        self.assertEqual({t.due_at for t in tasks}, {checklist.deadline_at})
        self.assertEqual(actions.start_due_checklists(), 0)  # once

    def test_an_old_incident_or_another_violence_gets_no_checklist(self) -> None:
        rape_case(self, hours_ago=100)
        plain_case(self)
        self.assertEqual(actions.start_due_checklists(), 0)
        self.assertFalse(CareChecklist.objects.exists())

    def test_items_complete_their_tasks_and_overdue_items_escalate_like_tasks(self) -> None:
        case = rape_case(self, hours_ago=10)
        checklist = actions.start_checklist(case, by=self.case_worker, incident_at=actions.incident_time(case))
        pep = checklist.items.get(item="pep_hiv")
        actions.record_care_item(pep, by=self.case_worker, status=CareItemStatus.DONE)
        contraception = checklist.items.get(item="kontrasepsi_darurat")
        actions.record_care_item(contraception, by=self.case_worker, status=CareItemStatus.DECLINED,
                                 note="Korban menolak")
        self.assertEqual(Task.objects.filter(case=case, kind=TaskKind.POST_RAPE_CARE, done_at__isnull=True).count(), 3)
        with self.assertRaises(CaseActionError):
            actions.record_care_item(pep, by=self.case_worker, status=CareItemStatus.NOT_APPLICABLE)
        later = checklist.deadline_at + datetime.timedelta(minutes=1)
        with self.captureOnCommitCallbacks(execute=True):
            escalated = case_actions.escalate_overdue(now=later)
        self.assertGreaterEqual(escalated, 3)
        self.assertEqual(Task.objects.filter(case=case, kind=TaskKind.POST_RAPE_CARE,
                                             escalated_at__isnull=False).count(), 3)
        texts = list(Notification.objects.filter(recipient=self.manager, kind="cases.task_overdue")
                     .values_list("text", flat=True))
        self.assertEqual(sum("72 jam" in text for text in texts), 3)
        pep.refresh_from_db()
        self.assertEqual(pep.status, CareItemStatus.DONE)
        self.assertIsNotNone(pep.at)

    def test_a_report_after_72_hours_cannot_open_the_checklist(self) -> None:
        case = rape_case(self, hours_ago=100)
        with self.assertRaises(CaseActionError):
            actions.start_checklist(case, by=self.case_worker, incident_at=actions.incident_time(case))
        with self.assertRaises(CaseActionError):
            actions.start_checklist(plain_case(self), by=self.case_worker,
                                    incident_at=timezone.now() - datetime.timedelta(hours=3))
        self.assertFalse(CareItem.objects.exists())


class JusticeTests(SigapTestCase):
    def test_a_court_order_restricting_the_perpetrator_lasts_at_most_six_months(self) -> None:
        case = rape_case(self)
        granted = datetime.datetime(2026, 8, 31, 10, tzinfo=timezone.get_current_timezone())
        with self.assertRaises(CaseActionError) as caught:
            actions.record_protection(case, by=self.case_worker, kind=ProtectionKind.COURT_ORDER, granted_at=granted,
                                      ends_on=datetime.date(2027, 3, 1))
        self.assertEqual(caught.exception.field, "ends_on")
        self.assertIn("Pasal 45", caught.exception.message)
        self.assertFalse(Protection.objects.filter(case=case).exists())
        order = actions.record_protection(case, by=self.case_worker, kind=ProtectionKind.COURT_ORDER,
                                          granted_at=granted)
        self.assertEqual(order.ends_on, datetime.date(2027, 2, 28))  # six months on, the end of a shorter month
        extension = actions.record_protection(case, by=self.case_worker, kind=ProtectionKind.COURT_ORDER,
                                              granted_at=granted.replace(month=11, day=20),
                                              ends_on=datetime.date(2027, 5, 20))
        self.assertEqual(extension.ends_on, datetime.date(2027, 5, 20))

    def test_police_report_opens_the_24_hour_protection_task_closed_by_police_protection(self) -> None:
        case = rape_case(self)
        police = create_partner("police_uppa", added_by=self.manager)
        reported = timezone.now() - datetime.timedelta(hours=2)
        actions.save_justice(case, by=self.case_worker, data={
            "police_report_number": "LP/B/12/XII/2026", "police_report_at": reported, "police_unit": police,
            "investigator": "Penyidik Contoh 0812", "visum_requested_on": timezone.localdate()})
        task = Task.objects.get(case=case, kind=TaskKind.PROTECTION)
        self.assertEqual(task.due_at, reported + datetime.timedelta(hours=24))
        self.assertTrue(JusticeStep.objects.filter(case=case, stage=JusticeStage.POLICE_REPORT).exists())
        with self.assertRaises(CaseActionError) as caught:
            actions.record_protection(case, by=self.case_worker, kind=ProtectionKind.POLICE_TEMPORARY,
                                      granted_at=timezone.now(), ends_on=timezone.localdate() + datetime.timedelta(
                                          days=20))
        self.assertEqual(caught.exception.field, "ends_on")
        protection = actions.record_protection(case, by=self.case_worker, kind=ProtectionKind.POLICE_TEMPORARY,
                                               granted_at=timezone.now(), issuer=police)
        self.assertEqual(protection.ends_on, timezone.localdate() + datetime.timedelta(days=14))
        task.refresh_from_db()
        self.assertIsNotNone(task.done_at)
        order = actions.record_protection(case, by=self.case_worker, kind=ProtectionKind.COURT_ORDER,
                                          granted_at=timezone.now(),
                                          ends_on=timezone.localdate() + datetime.timedelta(days=180))
        self.assertEqual(order.ends_on, timezone.localdate() + datetime.timedelta(days=180))
        entry = AuditEntry.objects.filter(action="accompaniment.justice_saved").get()
        self.assertNotIn("LP/B", str(entry.__dict__))

    def test_steps_with_accompaniment_and_bad_dates(self) -> None:
        case = rape_case(self)
        actions.add_justice_step(case, by=self.case_worker, stage=JusticeStage.TRIAL, on=timezone.localdate(),
                                 accompanied=True, accompanied_by=self.case_worker)
        with self.assertRaises(CaseActionError):
            actions.add_justice_step(case, by=self.case_worker, stage=JusticeStage.VERDICT,
                                     on=timezone.localdate() + datetime.timedelta(days=1))
        with self.assertRaises(CaseActionError):
            actions.add_justice_step(case, by=self.case_worker, stage=JusticeStage.VERDICT, on=timezone.localdate(),
                                     accompanied=True)
        with self.assertRaises(CaseActionError):
            actions.save_justice(case, by=self.case_worker, data={
                "visum_requested_on": timezone.localdate(),
                "visum_received_on": timezone.localdate() - datetime.timedelta(days=2)})
        self.assertEqual(JusticeStep.objects.filter(case=case).count(), 1)


class LpskTests(SigapTestCase):
    def test_the_letter_needs_consent_and_the_managers_approval(self) -> None:
        case = rape_case(self)
        lpsk = create_partner("lpsk", added_by=self.manager, name="LPSK Contoh")
        with self.assertRaises(CaseActionError) as caught:
            actions.prepare_lpsk(case, by=self.case_worker, partner=lpsk, applicant="korban",
                                 protection_asked="Pelindungan fisik", consent=False, consent_on=None)
        self.assertEqual(caught.exception.field, "consent")
        self.assertFalse(LpskApplication.objects.exists())
        application = actions.prepare_lpsk(case, by=self.case_worker, partner=lpsk, applicant="korban",
                                           protection_asked="Pelindungan fisik", consent=True,
                                           consent_on=timezone.localdate())
        self.assertIsNone(application.letter)
        self.assertFalse(OfficialLetter.objects.exists())
        with self.assertRaises(PermissionDenied):
            actions.approve_lpsk(application, by=self.case_worker)
        application = actions.approve_lpsk(application, by=self.manager)
        self.assertEqual(application.status, LpskStatus.APPROVED)
        assert application.letter is not None
        self.assertIn("/LPSK/", application.letter.number)
        self.assertTrue(AuditEntry.objects.filter(action="accompaniment.lpsk_approved").exists())
        with self.assertRaises(CaseActionError):
            actions.approve_lpsk(application, by=self.manager)
        actions.update_lpsk(application, by=self.case_worker, status=LpskStatus.SENT)
        with self.assertRaises(CaseActionError):
            actions.update_lpsk(application, by=self.case_worker, status=LpskStatus.APPROVED)
        actions.update_lpsk(application, by=self.case_worker, status=LpskStatus.ACCEPTED, note="Diterima")
        application.refresh_from_db()
        self.assertEqual(application.status, LpskStatus.ACCEPTED)


class RestitutionTests(SigapTestCase):
    def test_requested_assessed_ordered_paid_then_compensated(self) -> None:
        case = rape_case(self)
        today = timezone.localdate()
        restitution = actions.request_restitution(case, by=self.case_worker, requested_on=today, amount=50_000_000)
        with self.assertRaises(CaseActionError):
            actions.update_restitution(restitution, by=self.case_worker, status=RestitutionStatus.PAID, on=today,
                                       amount=1)
        actions.update_restitution(restitution, by=self.case_worker, status=RestitutionStatus.ASSESSED, on=today,
                                   amount=40_000_000)
        with self.assertRaises(CaseActionError) as caught:
            actions.update_restitution(restitution, by=self.case_worker, status=RestitutionStatus.ORDERED, on=today)
        self.assertEqual(caught.exception.field, "amount")
        actions.update_restitution(restitution, by=self.case_worker, status=RestitutionStatus.ORDERED, on=today,
                                   amount=30_000_000)
        actions.update_restitution(restitution, by=self.case_worker, status=RestitutionStatus.PAID, on=today,
                                   amount=10_000_000)
        actions.update_restitution(restitution, by=self.case_worker, status=RestitutionStatus.COMPENSATED, on=today,
                                   amount=20_000_000)
        restitution = Restitution.objects.get(pk=restitution.pk)
        self.assertEqual((restitution.status, restitution.assessed_amount, restitution.ordered_amount,
                          restitution.paid_amount, restitution.compensation_amount),
                         (RestitutionStatus.COMPENSATED, 40_000_000, 30_000_000, 10_000_000, 20_000_000))
        with self.assertRaises(CaseActionError):
            actions.update_restitution(restitution, by=self.case_worker, status=RestitutionStatus.REFUSED, on=today)
        with self.assertRaises(CaseActionError):
            actions.request_restitution(case, by=self.case_worker, requested_on=today, amount="banyak")


class TransferTests(SigapTestCase):
    def test_a_transferred_case_is_read_only_and_keeps_its_history(self) -> None:
        case = rape_case(self)
        case_actions.add_note(case, by=self.case_worker, body="Catatan sebelum pelimpahan")
        other = create_partner("uptd_ppa_regency", added_by=self.manager, name="UPTD PPA Kabupaten Tetangga")
        school = create_partner("school", added_by=self.manager)
        with self.assertRaises(CaseActionError):
            actions.prepare_transfer(case, by=self.case_worker, partner=school, reason="Pindah")
        transfer = actions.prepare_transfer(case, by=self.case_worker, partner=other,
                                            reason="Korban pindah domisili")
        with self.assertRaises(PermissionDenied):
            actions.approve_transfer(transfer, by=self.case_worker)
        actions.approve_transfer(transfer, by=self.manager)
        case = Case.objects.get(pk=case.pk)
        self.assertEqual((case.status, case.stage), (CaseStatus.CLOSED, Stage.TERMINASI))
        self.assertFalse(Task.objects.filter(case=case, done_at__isnull=True).exists())
        self.assertEqual(case.notes.count(), 1)
        self.assertEqual(case.closures.get().outcome, "dirujuk_dilimpahkan")
        transfer.refresh_from_db()
        self.assertEqual(transfer.status, TransferStatus.SENT)
        assert transfer.letter is not None
        self.assertIn("/PLH/", transfer.letter.number)
        for attempt in (
            lambda: case_actions.add_note(case, by=self.case_worker, body="Catatan baru"),
            lambda: case_actions.reopen_case(case, by=self.manager, reason="Buka lagi"),
            lambda: actions.schedule_appointment(case, by=self.case_worker, kind="bap", starts_at=timezone.now(),
                                                 worker=self.case_worker),
        ):
            with self.assertRaises(CaseActionError):
                attempt()
        self.assertEqual(Case.objects.get(pk=case.pk).status, CaseStatus.CLOSED)
        self.assertEqual(case.notes.count(), 1)
        actions.record_transfer_received(transfer, by=self.case_worker, received_by="Petugas Contoh, Kepala UPTD",
                                         received_at=timezone.now())
        transfer.refresh_from_db()
        self.assertEqual(transfer.status, TransferStatus.RECEIVED)
        self.assertTrue(AuditEntry.objects.filter(action="accompaniment.case_transferred").exists())

    def test_a_case_received_by_transfer_records_its_origin(self) -> None:
        case = plain_case(self)
        province = create_partner("uptd_ppa_province", added_by=self.manager, name="UPTD PPA Provinsi Contoh")
        incoming = actions.record_incoming_transfer(case, by=self.case_worker, origin=province,
                                                    received_on=timezone.localdate(),
                                                    origin_letter_number="400/01/PLH/2026")
        self.assertEqual(incoming.origin, province)
        with self.assertRaises(CaseActionError):
            actions.record_incoming_transfer(case, by=self.case_worker, origin=province,
                                             received_on=timezone.localdate())
        self.assertEqual(Transfer.objects.count(), 0)


class RetentionTests(SigapTestCase):
    def test_retention_erases_the_accompaniment_records_with_the_case(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        case = rape_case(self)
        long_ago = timezone.now() - datetime.timedelta(days=365 * 11)
        appointment = actions.schedule_appointment(case, by=self.case_worker, kind="visum",
                                                   starts_at=long_ago, worker=self.case_worker,
                                                   place="RSUD Contoh ruang 3", now=long_ago)
        actions.save_justice(case, by=self.case_worker, data={"police_report_number": "LP/B/1/I/2015"},
                             now=long_ago)
        other = create_partner("uptd_ppa_regency", added_by=self.manager)
        transfer = actions.prepare_transfer(case, by=self.case_worker, partner=other, reason="Pindah ke Contoh",
                                            now=long_ago)
        transfer = actions.approve_transfer(transfer, by=self.manager, now=long_ago)
        call_command("retention", "--scrub", "--yes", stdout=StringIO())
        appointment.refresh_from_db()
        transfer.refresh_from_db()
        assert transfer.letter is not None
        self.assertIsNone(appointment.place)
        self.assertFalse(transfer.reason)
        self.assertFalse(OfficialLetter.objects.get(pk=transfer.letter.pk).content)
        self.assertIsNone(case.justice.__class__.objects.get(case=case).police_report_number)
        self.assertEqual(appointment.kind, "visum")  # what is counted stays
