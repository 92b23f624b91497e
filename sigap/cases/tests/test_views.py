from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from sigap.cases import actions
from sigap.cases.codes import PlanStatus, Stage, TaskKind
from sigap.cases.models import (
    Attachment,
    Case,
    Closure,
    InterventionPlan,
    PoliceDutyDecision,
    Referral,
    ServiceRecord,
    ShelterStay,
    Task,
)
from sigap.cases.tests.factories import (
    create_case,
    create_partner,
    create_reports,
    move_to,
    sexual_violence,
)
from sigap.cases.tests.test_actions import PDF
from sigap.intake.models import ChronologyEvent
from sigap.intake.tests.factories import adult_victim
from sigap.lib.testing import SigapTestCase


def local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


class OpenAndAssignScreenTests(SigapTestCase):
    def test_operator_opens_one_case_from_two_linked_reports(self) -> None:
        reports = create_reports(self.operator, 2)
        client = self.login(self.operator)
        page = client.get("/kasus/laporan-menunggu/")
        self.assertContains(page, reports[0].registration_number)
        response = client.post("/kasus/laporan-menunggu/", {"reports": [r.pk for r in reports]})
        case = Case.objects.get()
        self.assertRedirects(response, f"/kasus/{case.pk}/")
        self.assertEqual(case.case_reports.count(), 2)
        self.assertNotContains(client.get("/kasus/laporan-menunggu/"), reports[0].registration_number)

    def test_opening_nothing_is_a_clear_error(self) -> None:
        create_reports(self.operator, 1)
        response = self.login(self.operator).post("/kasus/laporan-menunggu/", {})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Case.objects.exists())

    def test_manager_assigns_from_the_assignment_screen(self) -> None:
        case = create_case(self.operator)
        response = self.login(self.manager).post(f"/kasus/{case.pk}/tugaskan/", {"worker": self.case_worker.pk})
        self.assertRedirects(response, f"/kasus/{case.pk}/")
        self.assertEqual(Case.objects.get(pk=case.pk).assigned_to, self.case_worker)
        response = self.login(self.manager).post(f"/kasus/{case.pk}/tugaskan/", {"worker": self.operator.pk})
        self.assertEqual(response.status_code, 400)


class WorkingACaseTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        self.client = self.login(self.case_worker)
        self.url = f"/kasus/{self.case.pk}/"

    def refresh(self) -> Case:
        self.case.refresh_from_db()
        return self.case

    def test_stage_contact_assessment_and_plan_through_the_forms(self) -> None:
        self.assertRedirects(self.client.post(self.url + "kontak/", {"channel": "telepon", "note": "Aman."}), self.url)
        self.assertIsNotNone(self.refresh().first_contact_at)
        for stage in (Stage.IDENTIFIKASI, Stage.ASESMEN):
            self.client.post(self.url + "tahap/", {"stage": stage, "note": ""})
        self.assertEqual(self.refresh().stage, Stage.ASESMEN)
        response = self.client.post(self.url + "tahap/", {"stage": Stage.RENCANA}, follow=True)
        self.assertContains(response, "Asesmen belum disimpan.")  # the control does not offer it yet
        response = self.client.post(self.url + "asesmen/", {"psychological": "Cemas dan sulit tidur.",
                                                            "needs": "Ingin sekolah lagi."})
        self.assertRedirects(response, self.url + "asesmen/")
        self.assertContains(self.client.get(self.url + "asesmen/"), "Cemas dan sulit tidur.")
        self.assertEqual(self.client.post(self.url + "asesmen/", {}).status_code, 400)
        self.client.post(self.url + "tahap/", {"stage": Stage.RENCANA})
        plan_url = self.url + "rencana/"
        self.assertRedirects(self.client.post(plan_url, {"form": "goals", "goals": "Korban aman."}), plan_url)
        due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
        response = self.client.post(plan_url, {"form": "item", "service": "pendampingan", "due_date": due,
                                               "responsible_user": self.case_worker.pk, "responsible_partner": ""})
        self.assertRedirects(response, plan_url)
        response = self.client.post(plan_url, {"form": "item", "service": "pendampingan", "due_date": due})
        self.assertContains(response, "Pilih satu penanggung jawab", status_code=400)
        self.assertRedirects(self.client.post(plan_url, {"form": "submit"}), plan_url)
        self.assertEqual(self.client.post(plan_url, {"form": "decision", "decision": "approve"}).status_code, 403)
        manager = self.login(self.manager, client=self.client_class())
        response = manager.post(plan_url, {"form": "decision", "decision": "return", "comment": ""})
        self.assertEqual(response.status_code, 400)
        response = manager.post(plan_url, {"form": "decision", "decision": "approve", "comment": "Baik."})
        self.assertRedirects(response, plan_url)
        self.assertEqual(InterventionPlan.objects.get().status, PlanStatus.APPROVED)
        self.assertEqual(self.refresh().stage, Stage.PELAKSANAAN)

    def test_services_and_shelter_through_the_forms(self) -> None:
        services_url = self.url + "layanan/"
        response = self.client.post(services_url, {"form": "service", "service": "pendampingan",
                                                   "simfoni_type": "kesehatan",
                                                   "delivered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                                                   "outcome": "Diperiksa dokter."})
        self.assertRedirects(response, services_url)
        self.assertEqual(ServiceRecord.objects.get().provider_user, self.case_worker)
        start = timezone.now() - datetime.timedelta(hours=1)
        self.client.post(services_url, {"form": "shelter_start", "checked_in_at": local(start)})
        stay = ShelterStay.objects.get()
        response = self.client.post(services_url, {"form": "shelter_extend", "reason": "Belum aman.",
                                                   "new_end_at": local(start + datetime.timedelta(days=10))})
        self.assertEqual(response.status_code, 403)
        manager = self.login(self.manager, client=self.client_class())
        manager.post(services_url, {"form": "shelter_extend", "reason": "Belum aman.",
                                    "new_end_at": local(start + datetime.timedelta(days=10))})
        stay.refresh_from_db()
        self.assertEqual(stay.extensions.count(), 1)
        self.client.post(services_url, {"form": "shelter_end"})
        stay.refresh_from_db()
        self.assertIsNotNone(stay.checked_out_at)
        self.assertContains(self.client.get(services_url), "Diperiksa dokter.")

    def test_referral_through_the_forms_and_the_partner_answers(self) -> None:
        hospital = create_partner("hospital", members=(self.partner,), added_by=self.manager,
                                  services=("kesehatan",))
        response = self.client.post(self.url + "rujukan/", {"partner": hospital.pk, "service": "kesehatan",
                                                            "purpose": "", "override_reason": ""})
        self.assertContains(response, "persetujuan korban", status_code=400)
        response = self.client.post(self.url + "rujukan/", {"partner": hospital.pk, "service": "kesehatan",
                                                            "consent": "on", "purpose": "Mohon pemeriksaan."})
        self.assertRedirects(response, self.url + "rujukan/")
        referral = Referral.objects.get()
        partner = self.login(self.partner, client=self.client_class())
        letter = partner.get(f"/kasus/rujukan/{referral.pk}/surat.pdf")
        self.assertEqual(letter["Content-Type"], "application/pdf")
        self.assertTrue(letter.content.startswith(b"%PDF"))
        response = partner.post(f"/kasus/rujukan/{referral.pk}/status/", {"status": "diterima", "note": "OK"})
        self.assertRedirects(response, f"/kasus/rujukan/{referral.pk}/")
        self.assertEqual(Referral.objects.get().status, "diterima")

    def test_the_referral_screen_shows_the_intake_consents_and_a_refusal_needs_the_manager(self) -> None:
        police = create_partner("police_uppa", added_by=self.manager)
        page = self.client.get(self.url + "rujukan/").content.decode()
        consent = page[page.index('id="persetujuan-pengaduan"'):]
        consent = consent[:consent.index("</div>")]
        self.assertIn("Dirujuk ke mitra: setuju", " ".join(consent.split()))
        self.assertIn("Dilaporkan ke polisi: <strong>tidak setuju</strong>", " ".join(consent.split()))
        # The victim refused a police report at intake: the worker's "consent" tick is not enough.
        response = self.client.post(self.url + "rujukan/", {"partner": police.pk, "service": "penegakan_hukum",
                                                            "consent": "on", "purpose": ""})
        self.assertContains(response, "tidak menyetujui dilaporkan ke polisi", status_code=400)
        self.assertFalse(Referral.objects.exists())
        manager = self.login(self.manager, client=self.client_class())
        response = manager.post(self.url + "rujukan/", {"partner": police.pk, "service": "penegakan_hukum",
                                                        "consent": "on", "purpose": ""})
        self.assertContains(response, "alasan keputusan manajer", status_code=400)
        response = manager.post(self.url + "rujukan/", {"partner": police.pk, "service": "penegakan_hukum",
                                                        "consent": "on", "override_reason": "Anak dalam bahaya."})
        self.assertRedirects(response, self.url + "rujukan/")
        referral = Referral.objects.get()
        self.assertEqual((referral.consent_basis, referral.override_reason),
                         ("keputusan_manajer", "Anak dalam bahaya."))

    def test_mediation_page_explains_the_refusal_for_sexual_violence(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **sexual_violence())
        page = self.client.get(f"/kasus/{case.pk}/mediasi/")
        self.assertContains(page, "UU TPKS Pasal 23")
        self.assertNotContains(page, "Simpan sesi")
        response = self.client.post(f"/kasus/{case.pk}/mediasi/", {"held_at": local(timezone.now()),
                                                                   "summary": "Sesi.", "matters": ["nafkah"]})
        self.assertContains(response, "UU TPKS Pasal 23", status_code=400)
        self.assertFalse(case.mediations.exists())

    def test_mediation_of_a_civil_matter_records_what_is_mediated(self) -> None:
        civil = create_case(self.operator, assign_to=self.case_worker, manager=self.manager,
                            victims=[adult_victim()], violence_types=["psikis"])
        url = f"/kasus/{civil.pk}/mediasi/"
        response = self.client.post(url, {"held_at": local(timezone.now()), "summary": "Sesi."})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(civil.mediations.exists())
        response = self.client.post(url, {"held_at": local(timezone.now()), "summary": "Sesi.",
                                          "matters": ["nafkah", "hak_asuh"], "agreement": "Sepakat."})
        self.assertRedirects(response, url)
        self.assertEqual(civil.mediations.get().matters, ["hak_asuh", "nafkah"])
        self.assertContains(self.client.get(url), "Nafkah (istri / anak)")

    def test_the_police_task_is_not_ticked_off_and_the_manager_closes_it_with_a_reason(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **sexual_violence())
        task = Task.objects.get(case=case, kind=TaskKind.POLICE_REFERRAL)
        page = self.client.get(f"/kasus/{case.pk}/")
        self.assertContains(page, "UU TPKS Pasal 41")
        self.assertNotContains(page, "Tutup kewajiban tanpa rujukan")  # a case worker has no such form
        response = self.client.post(f"/kasus/tugas/{task.pk}/selesai/")
        self.assertRedirects(response, f"/kasus/{case.pk}/")
        self.assertIsNone(Task.objects.get(pk=task.pk).done_at)
        self.assertEqual(self.client.post(f"/kasus/{case.pk}/polisi/tutup/", {
            "basis": "penolakan_korban_dewasa", "reason": "Menolak."}).status_code, 403)
        manager = self.login(self.manager, client=self.client_class())
        self.assertContains(manager.get(f"/kasus/{case.pk}/"), "Tutup kewajiban tanpa rujukan")
        manager.post(f"/kasus/{case.pk}/polisi/tutup/", {"basis": "penolakan_korban_dewasa", "reason": ""})
        self.assertIsNone(Task.objects.get(pk=task.pk).done_at)
        response = manager.post(f"/kasus/{case.pk}/polisi/tutup/", {
            "basis": "penolakan_korban_dewasa", "reason": "Korban dewasa menolak setelah dijelaskan."})
        self.assertRedirects(response, f"/kasus/{case.pk}/")
        self.assertEqual(Task.objects.get(pk=task.pk).done_by, self.manager)
        page = self.client.get(f"/kasus/{case.pk}/")
        self.assertContains(page, "Ditutup dengan keputusan manajer")
        self.assertContains(page, "Korban dewasa menolak setelah dijelaskan.")

    def test_only_staff_of_the_case_reach_the_police_decision(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, **sexual_violence())
        url = f"/kasus/{case.pk}/polisi/tutup/"
        for user in self.everyone:
            client = self.login(user, client=self.client_class())
            response = client.post(url, {"basis": "lainnya", "reason": "Alasan."})
            if user == self.manager:
                self.assertEqual(response.status_code, 302)
            else:
                self.assertIn(response.status_code, (403, 404), user.username)
        self.assertEqual(PoliceDutyDecision.objects.filter(case=case).count(), 1)

    def test_amending_an_event_shows_both_versions_in_the_timeline(self) -> None:
        event = ChronologyEvent.objects.get(report=self.case.primary_report)
        self.assertEqual(self.client.get(self.url + f"kronologi/{event.pk}/ubah/").status_code, 200)
        response = self.client.post(self.url + f"kronologi/{event.pk}/ubah/", {
            "when": local(event.when) if event.when else "", "place": "sekolah", "desa": event.desa_id,
            "description": "Kejadian terjadi di sekolah, bukan di rumah."})
        self.assertRedirects(response, self.url + "linimasa/")
        timeline = self.client.get(self.url + "linimasa/")
        self.assertContains(timeline, "Uraian kejadian contoh.")
        self.assertContains(timeline, "Kejadian terjadi di sekolah, bukan di rumah.")
        self.assertContains(timeline, "versi lama, sudah diubah")
        self.assertEqual(self.client.get(self.url + f"kronologi/{event.pk}/ubah/").status_code, 404)

    def test_notes_and_attachments_through_the_forms(self) -> None:
        self.assertRedirects(self.client.post(self.url + "catatan/", {"body": "Catatan rahasia."}),
                             self.url + "dokumen/")
        upload = SimpleUploadedFile("visum.pdf", PDF, content_type="application/pdf")
        response = self.client.post(self.url + "lampiran/", {"kind": "rekam_medis", "file": upload})
        self.assertRedirects(response, self.url + "dokumen/")
        fake = SimpleUploadedFile("foto.jpg", b"<html>bukan foto</html>", content_type="image/jpeg")
        response = self.client.post(self.url + "lampiran/", {"kind": "foto", "file": fake})
        self.assertContains(response, "Jenis berkas tidak diterima", status_code=400)
        with override_settings(SIGAP_ATTACHMENT_MAX_MB=1):
            big = SimpleUploadedFile("besar.pdf", PDF + b"0" * (2 * 1024 * 1024), content_type="application/pdf")
            response = self.client.post(self.url + "lampiran/", {"kind": "pdf", "file": big})
        self.assertContains(response, "Berkas terlalu besar", status_code=400)
        self.assertEqual(Attachment.objects.count(), 1)
        page = self.client.get(self.url + "dokumen/")
        self.assertContains(page, "Catatan rahasia.")
        self.assertContains(page, "visum.pdf")

    def test_attachment_upload_checks_the_csrf_token(self) -> None:
        client = self.client_class(enforce_csrf_checks=True)
        self.login(self.case_worker, client=client)
        upload = SimpleUploadedFile("visum.pdf", PDF, content_type="application/pdf")
        response = client.post(self.url + "lampiran/", {"kind": "pdf", "file": upload})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Attachment.objects.exists())

    def test_closure_and_reopening_through_the_forms(self) -> None:
        closure_url = self.url + "penutupan/"
        response = self.client.post(closure_url, {"form": "close", "outcome": "tujuan_tercapai", "reason": ""})
        self.assertEqual(response.status_code, 400)
        self.client.post(closure_url, {"form": "close", "outcome": "tujuan_tercapai", "reason": "Pulih."})
        self.assertEqual(Closure.objects.get().status, "diajukan")
        manager = self.login(self.manager, client=self.client_class())
        page = manager.get(closure_url)
        open_tasks = list(Task.objects.filter(case=self.case, done_at__isnull=True))
        self.assertTrue(open_tasks)
        for task in open_tasks:
            self.assertContains(page, f'name="decision-task-{task.pk}"')
        # Approving without deciding the open work is refused, nothing changes.
        response = manager.post(closure_url, {"form": "decision", "decision": "approve", "comment": "Setuju."})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(self.refresh().is_open)
        decisions = {"form": "decision", "decision": "approve", "comment": "Setuju."}
        for task in open_tasks:
            decisions[f"decision-task-{task.pk}"] = "batal"
            decisions[f"reason-task-{task.pk}"] = "Korban sudah pulih."
        manager.post(closure_url, decisions)
        self.assertFalse(self.refresh().is_open)
        self.assertFalse(Task.objects.filter(case=self.case, done_at__isnull=True).exists())
        self.assertTrue(all(t.cancelled and t.close_reason == "Korban sudah pulih."
                            for t in Task.objects.filter(pk__in=[t.pk for t in open_tasks])))
        response = self.client.post(closure_url, {"form": "reopen", "stage": Stage.ASESMEN,
                                                  "reason": "Kekerasan terulang."})
        self.assertRedirects(response, self.url)
        self.assertTrue(self.refresh().is_open)

    def test_my_work_lists_tasks_overdue_first_and_completes_them(self) -> None:
        later = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        Task.objects.filter(case=self.case).update(due_at=timezone.now() - datetime.timedelta(hours=3))
        Task.objects.filter(case=later).update(due_at=timezone.now() + datetime.timedelta(days=2))
        page = self.client.get("/kasus/pekerjaan-saya/")
        tasks = page.context["tasks"]
        self.assertEqual([t.case_id for t in tasks], [self.case.pk, later.pk])
        self.assertContains(page, "lewat tenggat")
        task = tasks[0]
        response = self.client.post(f"/kasus/tugas/{task.pk}/selesai/", {"next": "my_work"})
        self.assertRedirects(response, "/kasus/pekerjaan-saya/")
        self.assertIsNotNone(Task.objects.get(pk=task.pk).done_at)
        other = create_case(self.operator)
        foreign = Task.objects.get(case=other, kind=TaskKind.FIRST_CONTACT)
        self.assertEqual(self.client.post(f"/kasus/tugas/{foreign.pk}/selesai/").status_code, 404)

    def test_manager_sees_what_waits_for_a_decision(self) -> None:
        move_to(self.case, Stage.RENCANA, by=self.manager)
        plan = actions.save_plan(self.case, by=self.case_worker, goals="Tujuan.")
        actions.add_plan_item(plan, by=self.case_worker, service="pendampingan", responsible_user=self.case_worker,
                              due_date=timezone.localdate())
        actions.submit_plan(plan, by=self.case_worker)
        create_case(self.operator)
        page = self.login(self.manager).get("/kasus/pekerjaan-saya/")
        self.assertEqual(len(page.context["pending_plans"]), 1)
        self.assertEqual(len(page.context["unassigned"]), 1)
