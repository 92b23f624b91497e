"""Issue 16: amending a filed report, with history, access per role and state, and the re-evaluations."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from sigap.accounts.roles import Role
from sigap.cases import actions as case_actions
from sigap.cases.models import Task
from sigap.cases.timeline import build
from sigap.intake.amend import amend_report, may_amend
from sigap.intake.models import Report, ReportAmendment, Victim
from sigap.intake.signals import report_risk_raised
from sigap.intake.tests.factories import adult_victim, create_report
from sigap.intake.validation import ReportInvalid
from sigap.lib.testing import SigapTestCase, create_user
from sigap.vault.models import AuditEntry


class AmendTests(SigapTestCase):
    def setUp(self) -> None:
        self.report = create_report(self.operator, victims=[adult_victim(birth_date="1990-03-04", age=None)]).report

    def test_correcting_a_birth_date_keeps_the_old_value_and_recomputes_the_age_at_the_incident(self) -> None:
        done = amend_report(self.report, {"victims.0.birth_date": "2012-03-04"}, by=self.operator,
                            reason="Dari akta kelahiran.")
        self.assertEqual(len(done), 1)
        row = ReportAmendment.objects.get()
        self.assertEqual((row.field, row.old_value, row.new_value), ("victims.0.birth_date", "04-03-1990",
                                                                     "04-03-2012"))
        self.assertEqual((row.by, row.reason), (self.operator, "Dari akta kelahiran."))
        victim = Victim.objects.get(report=self.report)
        self.assertTrue(victim.is_child)
        self.assertEqual(Report.objects.get(pk=self.report.pk).case_type, "AMPK")
        self.assertEqual(AuditEntry.objects.filter(action="intake.report_amended").count(), 1)
        # Shown on the report with both values.
        self.login(self.operator)
        page = self.client.get(f"/pengaduan/laporan/{self.report.pk}/").content.decode()
        self.assertIn("04-03-1990", page)
        self.assertIn("04-03-2012", page)

    def test_each_kind_of_amendment_is_recorded(self) -> None:
        changes = {
            "victims.0.name": "Rina Contoh Baru", "victims.0.education": "slta", "victims.0.disability": True,
            "violence_types": ["psikis", "fisik"], "needs": "Rumah aman.", "victim_condition": "Cemas.",
            "consent_police": True,
        }
        amend_report(self.report, changes, by=self.manager, reason="Hasil asesmen.")
        fields = set(ReportAmendment.objects.values_list("field", flat=True))
        self.assertEqual(fields, {"victims.0.name", "victims.0.education", "victims.0.disability", "violence_types",
                                  "needs", "victim_condition", "consent_police"})
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual(set(report.violence.values_list("violence_type", flat=True)), {"psikis", "fisik"})
        self.assertEqual(report.needs, "Rumah aman.")
        self.assertTrue(report.consent_police)
        # Nothing changed: no amendment, no audit entry.
        self.assertEqual(amend_report(self.report, changes, by=self.manager, reason="Lagi."), [])
        self.assertEqual(AuditEntry.objects.filter(action="intake.report_amended").count(), 1)

    def test_bad_input_is_refused_with_a_message_and_nothing_changes(self) -> None:
        bad: list[tuple[dict[str, Any], str]] = [
            ({"victims.0.birth_date": "2099-01-01"}, "x"),
            ({"victims.0.birth_date": "kemarin"}, "x"),
            ({"violence_types": []}, "x"),
            ({"violence_types": ["sihir"]}, "x"),
            ({"sexual_violence_forms": ["pelecehan_fisik"]}, "x"),
            ({"victims.5.name": "Tidak ada"}, "x"),
            ({"victims.0.name": "Nama"}, " "),
        ]
        for changes, reason in bad:
            with self.subTest(changes), self.assertRaises(ReportInvalid) as raised:
                amend_report(self.report, changes, by=self.operator, reason=reason)
            self.assertTrue(raised.exception.fields)
        self.assertFalse(ReportAmendment.objects.exists())
        self.assertEqual(Victim.objects.get(report=self.report).name, "Rina Contoh")

    def test_a_raised_risk_is_signalled_once_after_commit_and_a_refused_amendment_signals_nothing(self) -> None:
        calls: list[tuple[str, str]] = []

        def receiver(sender: Any, report: Report, old_risk: str, new_risk: str, **kwargs: Any) -> None:
            calls.append((old_risk, new_risk))

        report_risk_raised.connect(receiver, dispatch_uid="test_amend.risk")
        try:
            with self.captureOnCommitCallbacks(execute=True), self.assertRaises(ReportInvalid):
                amend_report(self.report, {"violence_types": ["seksual"], "victims.0.birth_date": "kemarin"},
                             by=self.operator, reason="x")
            self.assertEqual(calls, [])
            with self.captureOnCommitCallbacks(execute=True):
                amend_report(self.report, {"victims.0.birth_date": "2012-03-04", "violence_types": ["seksual"]},
                             by=self.operator, reason="Korban ternyata anak; kekerasan seksual.")
            with self.captureOnCommitCallbacks(execute=True):  # the same risk again: no second signal
                amend_report(self.report, {"needs": "Visum."}, by=self.operator, reason="Asesmen.")
        finally:
            report_risk_raised.disconnect(dispatch_uid="test_amend.risk")
        report = Report.objects.get(pk=self.report.pk)
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0][1], report.risk)
        self.assertNotEqual(calls[0][0], calls[0][1])


class AmendAccessTests(SigapTestCase):
    def test_operators_and_the_manager_amend_until_a_case_opens_then_the_worker_and_the_manager(self) -> None:
        report = create_report(self.operator).report
        self.assertEqual([u for u in self.everyone if may_amend(u, report)], [self.manager, self.operator])
        other_worker = create_user(Role.CASE_WORKER, "pendamping-lain")
        case = case_actions.open_case([report], by=self.operator)
        case_actions.assign_case(case, self.case_worker, by=self.manager)
        self.assertEqual([u for u in [*self.everyone, other_worker] if may_amend(u, report)],
                         [self.manager, self.case_worker])
        with self.assertRaises(PermissionDenied):
            amend_report(report, {"needs": "x"}, by=self.operator, reason="x")
        self.assertAllowedOnly("get", f"/pengaduan/laporan/{report.pk}/ubah/", [self.manager, self.case_worker])

    def test_a_volunteer_never_amends_after_submitting(self) -> None:
        report = create_report(self.volunteer_a, channel="relawan").report
        self.assertFalse(may_amend(self.volunteer_a, report))
        with self.assertRaises(PermissionDenied):
            amend_report(report, {"needs": "x"}, by=self.volunteer_a, reason="x")


class ReevaluationTests(SigapTestCase):
    def test_sexual_violence_added_later_sets_the_police_task_from_the_original_report_and_refuses_mediation(
        self,
    ) -> None:
        received = timezone.now() - datetime.timedelta(days=2)
        report = create_report(self.operator, victims=[adult_victim()]).report
        Report.objects.filter(pk=report.pk).update(received_at=received)
        case = case_actions.open_case([Report.objects.get(pk=report.pk)], by=self.operator)
        case_actions.assign_case(case, self.case_worker, by=self.manager)
        self.assertIsNone(case_actions.mediation_refusal(case))
        self.assertFalse(Task.objects.filter(case=case, kind="rujukan_polisi").exists())
        amend_report(report, {"violence_types": ["psikis", "seksual"], "sexual_violence_forms": ["pelecehan_fisik"]},
                     by=self.case_worker, reason="Terungkap pada sesi kedua.")
        case.refresh_from_db()
        self.assertTrue(case.has_sexual_violence)
        self.assertEqual(case.police_deadline_at, received + datetime.timedelta(hours=72))
        task = Task.objects.get(case=case, kind="rujukan_polisi")
        self.assertEqual(task.due_at, case.police_deadline_at)
        self.assertIsNotNone(case_actions.mediation_refusal(case))
        # The case timeline shows "diubah" with both values.
        entries = [e for e in build(case) if e.kind == "amendment"]
        self.assertEqual(len(entries), 2)
        self.assertTrue(any("Psikis, Seksual" in (e.body or "") and "Sebelumnya: Psikis" in (e.body or "")
                            for e in entries))
        # Amending again does not create a second police task.
        amend_report(report, {"needs": "Pendampingan hukum."}, by=self.case_worker, reason="Asesmen.")
        self.assertEqual(Task.objects.filter(case=case, kind="rujukan_polisi").count(), 1)
