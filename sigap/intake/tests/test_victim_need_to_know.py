"""A victim's address, NIK and safe-contact times: need to know (security review finding 3).

The manager and the case worker of the report's case see them in full; an
operator (or a case worker who only filed the report) sees them masked and may
reveal them with a reason, audited and the managers told. The case worker of the
case may reveal the reporter's phone number, the same way.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from sigap.cases.tests.factories import create_case
from sigap.core.models import Notification
from sigap.intake.models import Report
from sigap.lib.testing import SigapTestCase, create_user
from sigap.vault.models import AuditEntry

NIK = "1811014507140003"  # invented: a girl born 05-07-2014 in 18.11.01
ADDRESS = "Dusun Contoh RT 02 rumah cat hijau"
REASON = "Perlu mengantar surat panggilan ke rumah korban"


class VictimNeedToKnowTests(SigapTestCase):
    def setUp(self) -> None:
        super().setUp()
        victim = {"nik": NIK, "address": ADDRESS}
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager,
                                safe_contact={"never_call_back": False,
                                              "safe_times": "Sore setelah jam 4, saat ayah bekerja"},
                                victims=[{**self._victim(), **victim}])
        self.report = Report.objects.get(case_link__case=self.case)
        self.url = reverse("intake:report_detail", args=[self.report.pk])

    @staticmethod
    def _victim() -> dict[str, object]:
        from sigap.intake.tests.factories import report_payload

        return dict(report_payload()["victims"][0])

    def test_the_manager_and_the_assigned_case_worker_see_them_in_full(self) -> None:
        for user in (self.manager, self.case_worker):
            page = self.login(user, client=Client()).get(self.url)
            self.assertContains(page, ADDRESS)
            self.assertContains(page, NIK)
            self.assertContains(page, "saat ayah bekerja")
        # Audited as part of opening the report.
        self.assertEqual(AuditEntry.objects.filter(action="intake.report_opened", object_id=str(self.report.pk)).count(), 2)

    def test_others_see_them_masked_and_reveal_with_a_reason(self) -> None:
        client = self.login(self.operator)
        page = client.get(self.url)
        for hidden in (ADDRESS, NIK, "0714", "saat ayah bekerja"):
            self.assertNotContains(page, hidden)
        self.assertContains(page, "181101**********")
        victim = self.report.victims.get()
        with self.captureOnCommitCallbacks(execute=True):
            short = client.post(self.url, {"vault_reveal": "1", "reveal_what": f"korban-{victim.pk}", "reason": "x"})
            self.assertEqual(short.status_code, 400)
            self.assertNotContains(short, ADDRESS, status_code=400)
            shown = client.post(self.url, {"vault_reveal": "1", "reveal_what": f"korban-{victim.pk}",
                                           "reason": REASON})
        self.assertContains(shown, ADDRESS)
        self.assertContains(shown, NIK)
        entry = AuditEntry.objects.get(action="vault.reveal")
        self.assertEqual((entry.actor, entry.object_type, entry.reason), (self.operator, "intake.victim", REASON))
        self.assertTrue(Notification.objects.filter(recipient=self.manager, kind="vault.reveal").exists())
        # The next view is masked again.
        self.assertNotContains(client.get(self.url), ADDRESS)

    def test_a_case_worker_who_only_filed_the_report_sees_it_masked(self) -> None:
        other = create_user("case_worker", "pendamping-2")
        from sigap.intake.tests.factories import create_report

        filed = create_report(other, victims=[{**self._victim(), "nik": NIK, "address": ADDRESS}]).report
        page = self.login(other).get(reverse("intake:report_detail", args=[filed.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, ADDRESS)

    def test_the_assigned_case_worker_may_reveal_the_reporters_phone_with_a_reason(self) -> None:
        client = self.login(self.case_worker)
        page = client.get(self.url)
        self.assertContains(page, "Tampilkan identitas")
        with self.captureOnCommitCallbacks(execute=True):
            shown = client.post(self.url, {"vault_reveal": "1", "reveal_what": "", "reason": REASON})
        self.assertContains(shown, "81200001111")
        self.assertNotContains(shown, "Budi Contoh")  # the phone only, not the whole identity
        entry = AuditEntry.objects.get(action="vault.reveal")
        self.assertEqual((entry.actor, entry.object_type), (self.case_worker, "intake.reporteridentity"))
        self.assertTrue(Notification.objects.filter(recipient=self.manager, kind="vault.reveal").exists())
        # An operator still may not reveal the reporter.
        refused = self.login(self.operator, client=Client()).post(
            self.url, {"vault_reveal": "1", "reveal_what": "", "reason": REASON})
        self.assertEqual(refused.status_code, 403)
