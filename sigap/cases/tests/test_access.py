from __future__ import annotations

from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.cases import actions
from sigap.cases.models import Assessment, Attachment, Case, CaseNote, Referral, Task
from sigap.cases.tests.factories import create_case, create_partner
from sigap.cases.tests.test_actions import PDF
from sigap.lib.testing import SigapTestCase, create_user
from sigap.network.models import Partner
from sigap.vault.models import AuditEntry


class AccessTests(SigapTestCase):
    assigned: Case
    unassigned: Case
    filed_by_manager: Case
    other_worker: User
    police: Partner
    hospital: Partner
    to_police: Referral
    to_hospital: Referral
    attachment: Attachment

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.assigned = create_case(cls.operator, assign_to=cls.case_worker, manager=cls.manager,
                                   consent={"process": True, "refer": True, "police": True})
        cls.unassigned = create_case(cls.operator)
        cls.filed_by_manager = create_case(cls.manager)
        cls.other_worker = create_user(Role.CASE_WORKER, "pendamping-lain")
        cls.police = create_partner("police_uppa", members=(cls.partner,), added_by=cls.manager)
        cls.hospital = create_partner("hospital", added_by=cls.manager)
        cls.to_police = actions.send_referral(cls.assigned, cls.police, by=cls.case_worker,
                                              service="penegakan_hukum", consent=True)
        cls.to_hospital = actions.send_referral(cls.assigned, cls.hospital, by=cls.case_worker, service="kesehatan",
                                                consent=True)
        cls.attachment = actions.add_attachment(cls.assigned, by=cls.case_worker, kind="pdf", name="a.pdf",
                                                content=PDF)

    def test_each_role_sees_the_cases_its_rule_allows(self) -> None:
        def visible(user: object) -> set[int]:
            return set(Case.objects.visible_to(user).values_list("pk", flat=True))

        everything = {self.assigned.pk, self.unassigned.pk, self.filed_by_manager.pk}
        self.assertEqual(visible(self.manager), everything)
        self.assertEqual(visible(self.case_worker), {self.assigned.pk})
        self.assertEqual(visible(self.other_worker), set())
        self.assertEqual(visible(self.operator), {self.unassigned.pk})
        for user in (self.data_officer, self.partner, self.volunteer_a, self.volunteer_b, self.admin):
            self.assertEqual(visible(user), set(), user.username)

    def test_an_operator_loses_the_case_once_it_is_assigned(self) -> None:
        actions.assign_case(self.unassigned, self.other_worker, by=self.manager)
        self.assertFalse(Case.objects.visible_to(self.operator).filter(pk=self.unassigned.pk).exists())

    def test_records_of_a_case_are_visible_with_the_case_only(self) -> None:
        for model in (Task, Attachment, Assessment, CaseNote):
            self.assertFalse(model.objects.visible_to(self.other_worker).filter(case=self.assigned).exists())
        self.assertTrue(Task.objects.visible_to(self.case_worker).filter(case=self.assigned).exists())
        self.assertEqual(set(Referral.objects.visible_to(self.partner)), {self.to_police})
        self.assertEqual(set(Referral.objects.visible_to(self.case_worker)), {self.to_police, self.to_hospital})
        self.assertFalse(Referral.objects.visible_to(self.other_worker).exists())
        self.assertFalse(Referral.objects.visible_to(self.volunteer_a).exists())

    def test_who_reaches_the_pages_of_an_assigned_case(self) -> None:
        pk = self.assigned.pk
        for suffix in ("", "linimasa/", "asesmen/", "rencana/", "layanan/", "rujukan/", "mediasi/", "dokumen/",
                       "penutupan/", f"lampiran/{self.attachment.pk}/unduh/"):
            self.assertAllowedOnly("get", f"/kasus/{pk}/{suffix}", [self.manager, self.case_worker])
        self.assertAllowedOnly("get", f"/kasus/{pk}/tugaskan/", [self.manager])

    def test_a_case_worker_opening_an_unassigned_case_is_refused(self) -> None:
        client = self.login(self.case_worker)
        self.assertEqual(client.get(f"/kasus/{self.unassigned.pk}/").status_code, 404)
        self.assertEqual(client.post(f"/kasus/{self.unassigned.pk}/catatan/", {"body": "x"}).status_code, 404)
        self.assertFalse(CaseNote.objects.exists())

    def test_the_operator_reads_but_does_not_work_the_case_they_filed(self) -> None:
        self.assertAllowedOnly("get", f"/kasus/{self.unassigned.pk}/", [self.manager, self.operator])
        client = self.login(self.operator)
        response = client.post(f"/kasus/{self.unassigned.pk}/catatan/", {"body": "Catatan operator."})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(CaseNote.objects.exists())

    def test_who_reaches_the_lists(self) -> None:
        self.assertAllowedOnly("get", "/kasus/", [self.manager, self.case_worker, self.operator])
        self.assertAllowedOnly("get", "/kasus/pekerjaan-saya/", [self.manager, self.case_worker])
        self.assertAllowedOnly("get", "/kasus/laporan-menunggu/", [self.manager, self.operator])
        self.assertAllowedOnly("get", "/kasus/data/", [self.manager, self.data_officer])
        self.assertAllowedOnly("get", "/kasus/rujukan/", [self.partner])

    def test_a_partner_reads_only_their_agencys_referrals(self) -> None:
        self.assertAllowedOnly("get", f"/kasus/rujukan/{self.to_police.pk}/", [self.partner])
        self.assertAllowedOnly("get", f"/kasus/rujukan/{self.to_police.pk}/surat.pdf",
                               [self.manager, self.case_worker, self.partner])
        client = self.login(self.partner)
        self.assertEqual(client.get(f"/kasus/rujukan/{self.to_hospital.pk}/").status_code, 404)
        self.assertEqual(client.get(f"/kasus/rujukan/{self.to_hospital.pk}/surat.pdf").status_code, 404)
        response = client.post(f"/kasus/rujukan/{self.to_hospital.pk}/status/", {"status": "diterima"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Referral.objects.get(pk=self.to_hospital.pk).status, "dikirim")
        self.assertEqual(client.get(f"/kasus/{self.assigned.pk}/").status_code, 403)

    def test_a_partner_sees_only_the_fields_the_letter_holds(self) -> None:
        client = self.login(self.partner)
        inbox = client.get("/kasus/rujukan/").content.decode()
        self.assertIn(f"/kasus/rujukan/{self.to_police.pk}/", inbox)
        self.assertNotIn(f"/kasus/rujukan/{self.to_hospital.pk}/", inbox)
        page = client.get(f"/kasus/rujukan/{self.to_police.pk}/").content.decode()
        self.assertIn("Siti Contoh", page)
        for hidden in ("Budi Contoh", "Dusun Contoh", "Jalan Contoh", "0812-0000-1111", "Pendampingan."):
            self.assertNotIn(hidden, page)
        self.assertTrue(AuditEntry.objects.filter(action="cases.referral.open", actor_id=self.partner.pk).exists())

    def test_the_data_officer_sees_de_identified_rows_only(self) -> None:
        page = self.login(self.data_officer).get("/kasus/data/").content.decode()
        self.assertNotIn(self.assigned.number, page)
        self.assertNotIn(self.assigned.registration_number, page)
        self.assertNotIn("Siti", page)

    def test_opening_a_case_page_and_downloading_are_audited(self) -> None:
        client = self.login(self.case_worker)
        client.get(f"/kasus/{self.assigned.pk}/")
        self.assertTrue(AuditEntry.objects.filter(action="cases.case.open", object_id=str(self.assigned.pk),
                                                  actor_id=self.case_worker.pk).exists())
        response = client.get(f"/kasus/{self.assigned.pk}/lampiran/{self.attachment.pk}/unduh/")
        self.assertEqual(response.content, PDF)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn(f"lampiran-{self.attachment.pk}.pdf", response["Content-Disposition"])
        self.assertTrue(AuditEntry.objects.filter(action="cases.attachment_downloaded",
                                                  object_id=str(self.attachment.pk)).exists())
        client.get(f"/kasus/rujukan/{self.to_police.pk}/surat.pdf")
        self.assertTrue(AuditEntry.objects.filter(action="cases.referral_letter_downloaded").exists())
