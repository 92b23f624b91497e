"""Issue 16: reports into an open case, merging two cases, duplicates across closed cases."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from sigap.cases import actions
from sigap.cases.actions import CaseActionError
from sigap.cases.models import Case, CaseNote, CaseReport, StageChange, Task
from sigap.cases.tests.factories import create_case, sexual_violence
from sigap.intake.codes import ReportStatus
from sigap.intake.models import Report
from sigap.intake.queries import caller_history, find_duplicates
from sigap.intake.tests.factories import REPORTER_PHONE, VICTIM_NIK, create_report
from sigap.lib.testing import SigapTestCase
from sigap.vault.models import AuditEntry


def _same_victim() -> dict[str, Any]:
    from sigap.intake.tests.factories import report_payload

    victim = report_payload()["victims"][0]
    victim["nik"] = VICTIM_NIK
    return {"victims": [victim]}


class AddReportTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **_same_victim())
        self.new = create_report(self.operator, **_same_victim(), **{
            k: v for k, v in sexual_violence(adult=False).items() if k != "victims"}).report

    def test_the_assigned_worker_adds_a_report_about_the_same_victim(self) -> None:
        self.assertEqual(actions.report_candidates(self.case), [self.new])
        case = actions.add_report_to_case(self.case, self.new, by=self.case_worker)
        self.assertEqual(CaseReport.objects.get(report=self.new).case, case)
        self.new.refresh_from_db()
        self.assertEqual(self.new.status, ReportStatus.DITANGANI)
        # Sexual violence in the new report: police deadline from the original report and the task.
        self.assertTrue(case.has_sexual_violence)
        self.assertIsNotNone(case.police_deadline_at)
        self.assertTrue(Task.objects.filter(case=case, kind="rujukan_polisi").exists())
        self.assertTrue(AuditEntry.objects.filter(action="cases.report_added").exists())
        self.assertIsNotNone(actions.mediation_refusal(case))
        # Its chronology joins the case timeline.
        from sigap.cases.timeline import build

        numbers = [e.title for e in build(case) if e.kind == "report"]
        self.assertEqual(len(numbers), 2)

    def test_others_may_not_add_and_a_worker_only_a_matching_report(self) -> None:
        for user in (self.operator, self.data_officer, self.volunteer_a, self.partner):
            with self.subTest(user.username), self.assertRaises(PermissionDenied):
                actions.add_report_to_case(self.case, self.new, by=user)
        from sigap.intake.tests.factories import adult_victim

        unrelated = create_report(self.operator, reporter={"declined_identity": True},
                                  victims=[adult_victim(name="Orang Lain")]).report
        with self.assertRaises(PermissionDenied):
            actions.add_report_to_case(self.case, unrelated, by=self.case_worker)
        # The manager may add any report they see.
        actions.add_report_to_case(self.case, unrelated, by=self.manager)
        self.assertEqual(CaseReport.objects.filter(case=self.case).count(), 2)

    def test_a_report_already_in_a_case_or_closed_is_refused(self) -> None:
        other = create_case(self.operator)
        with self.assertRaises(CaseActionError):
            actions.add_report_to_case(self.case, other.primary_report, by=self.manager)
        Report.objects.filter(pk=self.new.pk).update(status=ReportStatus.SELESAI)
        with self.assertRaises(CaseActionError):
            actions.add_report_to_case(self.case, self.new, by=self.manager)
        self.assertEqual(CaseReport.objects.filter(case=self.case).count(), 1)

    def test_the_page_is_for_the_assigned_worker_and_the_manager(self) -> None:
        url = f"/kasus/{self.case.pk}/laporan/"
        self.assertAllowedOnly("get", url, [self.manager, self.case_worker])
        self.login(self.case_worker)
        response = self.client.post(url, {"form": "add_candidate", "report": str(self.new.pk)})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(CaseReport.objects.filter(report=self.new, case=self.case).exists())
        response = self.client.post(url, {"form": "add", "registration_number": "1811-2000-999999"})
        self.assertEqual(response.status_code, 400)


class MergeTests(SigapTestCase):
    def setUp(self) -> None:
        self.keep = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        self.other = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        actions.add_note(self.other, by=self.case_worker, body="Catatan kasus kedua.")

    def test_merging_moves_every_record_keeps_the_number_and_closes_the_other(self) -> None:
        before = {model: model._base_manager.filter(**{field: self.other}).count()
                  for model, field in actions._moved_models()}
        from sigap.cases.models import CaseViolence

        # A violence type both cases carry is one row on the kept case (derived, not moved).
        shared = CaseViolence.objects.filter(case=self.other, violence_type__in=CaseViolence.objects.filter(
            case=self.keep).values("violence_type")).count()
        moved_total = sum(before.values()) - shared
        keep_number, other_number = self.keep.number, self.other.number
        keep = actions.merge_cases(self.keep, self.other, by=self.manager, reason="Korban yang sama.")
        other = Case.objects.get(pk=self.other.pk)
        self.assertEqual(keep.number, keep_number)
        self.assertEqual(other.number, other_number)
        self.assertFalse(other.is_open)
        self.assertEqual(other.merged_into, keep)
        self.assertEqual(CaseReport.objects.filter(case=keep).count(), 2)
        self.assertEqual(CaseNote.objects.get().case, keep)
        self.assertEqual(AuditEntry.objects.filter(action="cases.record_moved").count(), moved_total)
        # Nothing is left on the merged case but its closing stage change.
        for model, field in actions._moved_models():
            rows = model._base_manager.filter(**{field: other})
            if model is StageChange:
                self.assertEqual(rows.count(), 1)
            else:
                self.assertEqual(rows.count(), 0, model.__name__)

    def test_only_the_manager_merges_with_a_reason(self) -> None:
        for user in (self.case_worker, self.operator):
            with self.subTest(user.username), self.assertRaises(PermissionDenied):
                actions.merge_cases(self.keep, self.other, by=user, reason="x")
        with self.assertRaises(CaseActionError):
            actions.merge_cases(self.keep, self.other, by=self.manager, reason=" ")
        with self.assertRaises(CaseActionError):
            actions.merge_cases(self.keep, self.keep, by=self.manager, reason="x")
        self.assertTrue(Case.objects.get(pk=self.other.pk).is_open)

    def test_merge_through_the_page(self) -> None:
        self.login(self.manager)
        response = self.client.post(f"/kasus/{self.keep.pk}/laporan/",
                                    {"form": "merge", "other": self.other.number, "reason": "Korban yang sama."})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Case.objects.get(pk=self.other.pk).merged_into_id, self.keep.pk)


class ClosedDuplicatesTests(SigapTestCase):
    def test_a_returning_victim_is_recognised_across_a_closed_case(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **_same_victim())
        closure = actions.close_case(case, by=self.manager, outcome="tujuan_tercapai", reason="Pulih.")
        actions.approve_closure(closure, by=self.manager)
        earlier = case.primary_report
        earlier.refresh_from_db()
        self.assertEqual(earlier.status, ReportStatus.SELESAI)
        new = create_report(self.operator, **_same_victim()).report
        found = find_duplicates(new, self.operator)
        self.assertEqual([c.report for c in found], [earlier])
        self.assertTrue(found[0].closed)
        self.assertTrue(found[0].returning_victim)
        self.login(self.manager)
        page = self.client.get(f"/pengaduan/laporan/{new.pk}/").content.decode()
        self.assertIn("Korban pernah tercatat", page)
        self.assertIn(f"/kasus/{case.pk}/", page)
        # An operator who may not open that (assigned) case sees no link to it.
        self.login(self.operator)
        page = self.client.get(f"/pengaduan/laporan/{new.pk}/").content.decode()
        self.assertNotIn(f"/kasus/{case.pk}/", page)

    def test_caller_history_marks_closed_reports(self) -> None:
        case = create_case(self.operator)
        closure = actions.close_case(case, by=self.manager, outcome="tujuan_tercapai", reason="Pulih.")
        actions.approve_closure(closure, by=self.manager)
        history = caller_history(REPORTER_PHONE, self.operator)
        self.assertEqual(history.closed_registration_numbers, [case.registration_number])
