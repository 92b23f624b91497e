from __future__ import annotations

import datetime
import unittest
from typing import Any

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from sigap.accompaniment import actions
from sigap.accompaniment.models import Appointment, CareChecklist, JusticeRecord, Restitution
from sigap.accompaniment.tests.factories import plain_case, rape_case
from sigap.cases import actions as case_actions
from sigap.cases import letters as case_letters
from sigap.cases.tests.factories import create_partner
from sigap.lib import pdftext
from sigap.lib.testing import SigapTestCase
from sigap.vault.audit import AuditEntry

HEAD = {"SIGAP_HEAD_NAME": "Dra. Kepala Contoh", "SIGAP_HEAD_NIP": "197001012000032001"}


def local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@unittest.skipUnless(pdftext.available(), "pdftotext (poppler-utils) is not installed")
@override_settings(**HEAD)
class PdfContentTests(SigapTestCase):
    def download(self, url: str, user: Any = None) -> str:
        client = self.login(user or self.case_worker)
        response = client.get(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertEqual(response["Content-Type"], "application/pdf")
        return pdftext.pdf_text(response.content)

    def test_referral_letter_is_in_official_form_and_a_childs_name_never_goes_to_school_or_religious_leader(self):
        case = rape_case(self, adult=False)
        police = create_partner("police_uppa", added_by=self.manager, members=(self.partner,))
        school = create_partner("school", added_by=self.manager, services=("pendidikan",))
        religious = create_partner("religious_leader", added_by=self.manager, services=("pendampingan_agama",))
        for partner in (police, school, religious):
            referral = case_actions.send_referral(case, partner, by=self.case_worker, service="penegakan_hukum",
                                                  consent=True)
            text = self.download(reverse("cases:referral_letter", args=[referral.pk]))
            for part in ("PEMERINTAH KABUPATEN MESUJI", "UPTD PPA KABUPATEN MESUJI", "Nomor", "Rahasia", "Perihal",
                         "Dra. Kepala Contoh", "NIP. 197001012000032001", "/RJK/UPTD-PPA/"):
                self.assertIn(part, text)
            self.assertNotIn(self.case_worker.username, text)
            if partner is police:
                self.assertIn("Siti Contoh", text)
            else:
                self.assertNotIn("Siti Contoh", text)
                self.assertIn("Anak (nama dirahasiakan)", text)
        numbers = [case_letters.loads(r.letter)["nomor"] for r in case.referrals.order_by("pk")]
        self.assertEqual([n.split("/")[1] for n in numbers], ["001", "002", "003"])
        self.assertEqual(AuditEntry.objects.filter(action="cases.referral_letter_downloaded").count(), 3)

    def test_police_visum_lpsk_and_transfer_letters(self) -> None:
        case = rape_case(self)
        police = create_partner("police_uppa", added_by=self.manager, name="Polres Contoh")
        hospital = create_partner("hospital", added_by=self.manager, name="RSUD Contoh", services=("kesehatan",))
        lpsk = create_partner("lpsk", added_by=self.manager, name="LPSK Contoh")
        other = create_partner("uptd_ppa_province", added_by=self.manager, name="UPTD PPA Provinsi Contoh")
        cover = actions.police_cover_letter(case, by=self.case_worker, partner=police, consent=True)
        case.refresh_from_db()
        self.assertIsNotNone(case.police_referred_at)  # the 3x24-hour duty is done
        text = self.download(reverse("accompaniment:letter_pdf", args=[cover.pk]))
        for part in ("Pengantar pembuatan laporan polisi", "Polres Contoh", "Rina Contoh", "/PGT/", "Pasal 42",
                     "surat rujukan nomor"):
            self.assertIn(part, text)
        actions.save_justice(case, by=self.case_worker, data={"police_report_number": "LP/B/99/XII/2026",
                                                              "police_report_at": timezone.now()})
        visum = actions.visum_letter(case, by=self.case_worker, partner=hospital)
        text = self.download(reverse("accompaniment:letter_pdf", args=[visum.pk]))
        for part in ("visum et repertum", "RSUD Contoh", "LP/B/99/XII/2026", "/VSM/"):
            self.assertIn(part, text)
        self.assertIsNotNone(JusticeRecord.objects.get(case=case).visum_requested_on)
        application = actions.prepare_lpsk(case, by=self.case_worker, partner=lpsk, applicant="korban",
                                           protection_asked="Pelindungan fisik dan restitusi", consent=True,
                                           consent_on=timezone.localdate())
        application = actions.approve_lpsk(application, by=self.manager)
        assert application.letter is not None
        text = self.download(reverse("accompaniment:letter_pdf", args=[application.letter.pk]))
        for part in ("Identitas korban", "Rina Contoh", "Dusun Contoh", "Kronologi", "Uraian kejadian contoh",
                     "Terlapor Contoh", "Pelindungan fisik dan restitusi", "/LPSK/"):
            self.assertIn(part, text)
        self.assertNotIn("Budi Contoh", text)  # the reporter
        transfer = actions.prepare_transfer(case, by=self.case_worker, partner=other, reason="Korban pindah")
        transfer = actions.approve_transfer(transfer, by=self.manager)
        assert transfer.letter is not None
        text = self.download(reverse("accompaniment:letter_pdf", args=[transfer.letter.pk]))
        for part in ("Pelimpahan penanganan kasus", "UPTD PPA Provinsi Contoh", "Korban pindah", case.number, "/PLH/",
                     "Dra. Kepala Contoh"):
            self.assertIn(part, text)
        self.assertNotIn("Budi Contoh", text)
        self.assertEqual(AuditEntry.objects.filter(action="accompaniment.letter_downloaded").count(), 4)

    def test_forms_consent_with_guardian_warning_summary_and_blank_complaint_form(self) -> None:
        case = rape_case(self, adult=False, relation="orang_tua", perpetrator_name="Ayah Contoh")
        text = self.download(reverse("accompaniment:consent_pdf", args=[case.pk]))
        self.assertIn("SURAT PERSETUJUAN", text)
        self.assertIn("TIDAK boleh ditandatangani oleh terlapor", text)
        self.assertNotIn("Ayah Contoh", text)
        plain = plain_case(self)
        self.assertNotIn("TIDAK boleh", self.download(reverse("accompaniment:consent_pdf", args=[plain.pk])))
        text = self.download(reverse("accompaniment:summary_pdf", args=[case.pk, "court"]))
        for part in ("RESUME KASUS", "Pengadilan", "Siti Contoh", "Ayah Contoh", "Kronologi"):
            self.assertIn(part, text)
        for reporter in ("Budi Contoh", "Jalan Contoh"):
            self.assertNotIn(reporter, text)
        text = self.download(reverse("accompaniment:complaint_form"), self.volunteer_a)
        for part in ("FORMULIR PENGADUAN", "Nama korban", "Jenis kekerasan", "Kronologi singkat", "Seksual",
                     "Korban setuju dilaporkan ke kepolisian"):
            self.assertIn(part, text)
        self.assertEqual(AuditEntry.objects.filter(action__in=(
            "accompaniment.consent_form_downloaded", "accompaniment.case_summary_downloaded",
            "accompaniment.complaint_form_downloaded")).count(), 4)


class AccessTests(SigapTestCase):
    def test_who_reaches_the_case_tab_calendar_statistics_and_pdfs(self) -> None:
        case = rape_case(self)
        self.assertAllowedOnly("get", reverse("accompaniment:case", args=[case.pk]), [self.manager, self.case_worker])
        self.assertAllowedOnly("get", reverse("accompaniment:calendar"), [self.manager, self.case_worker])
        self.assertAllowedOnly("get", reverse("accompaniment:statistics"), [self.manager, self.data_officer])
        self.assertAllowedOnly("get", reverse("accompaniment:consent_pdf", args=[case.pk]),
                               [self.manager, self.case_worker])
        self.assertAllowedOnly("get", reverse("accompaniment:complaint_form"),
                               [self.manager, self.case_worker, self.operator, self.volunteer_a, self.volunteer_b])

    def test_an_operator_cannot_record_and_a_bad_post_changes_nothing(self) -> None:
        case = rape_case(self)
        url = reverse("accompaniment:case", args=[case.pk])
        data = {"form": "appointment", "kind": "bap", "starts_at": local(timezone.now()),
                "worker": self.case_worker.pk}
        self.assertAllowedOnly("post", url, [self.manager, self.case_worker], data=data, ok_statuses=(302,))
        self.assertEqual(Appointment.objects.count(), 2)
        client = self.login(self.case_worker)
        response = client.post(url, {"form": "appointment", "kind": "bap", "starts_at": "kemarin",
                                     "worker": self.case_worker.pk})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "starts_at", status_code=400)
        response = client.post(url, {"form": "restitution_status", "restitution": "999", "status": "dibayar",
                                     "on": timezone.localdate().isoformat(), "amount": "5"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Data tidak ditemukan", status_code=400)
        self.assertEqual(Appointment.objects.count(), 2)
        self.assertFalse(Restitution.objects.exists())
        self.assertEqual(client.post(url, {"form": "tidak-ada"}).status_code, 404)

    def test_the_case_worker_starts_the_checklist_and_records_an_item_on_the_page(self) -> None:
        case = rape_case(self, hours_ago=5)
        url = reverse("accompaniment:case", args=[case.pk])
        client = self.login(self.case_worker)
        page = client.get(url)
        self.assertContains(page, "Buka daftar periksa")
        incident = actions.incident_time(case)
        assert incident is not None
        response = client.post(url, {"form": "checklist", "incident_at": local(incident)})
        self.assertEqual(response.status_code, 302)
        checklist = CareChecklist.objects.get(case=case)
        item = checklist.items.get(item="pep_hiv")
        response = client.post(url, {"form": "care_item", "item": item.pk, "status": "dilakukan", "note": ""})
        self.assertEqual(response.status_code, 302)
        page = client.get(url)
        self.assertContains(page, "sisa waktu")
        self.assertContains(page, "Dilakukan")


class StatisticsTests(SigapTestCase):
    def test_restitution_and_justice_counts_without_case_identifiers(self) -> None:
        case = rape_case(self)
        today = timezone.localdate()
        restitution = actions.request_restitution(case, by=self.case_worker, requested_on=today, amount=9_000_000)
        actions.update_restitution(restitution, by=self.case_worker, status="diputus", on=today, amount=7_500_000)
        actions.request_restitution(case, by=self.case_worker, requested_on=today)
        actions.add_justice_step(case, by=self.case_worker, stage="persidangan", on=today)
        client = self.login(self.data_officer)
        page = client.get(reverse("accompaniment:statistics"), {"tahun": today.year})
        self.assertEqual(page.status_code, 200)
        rows = {row["label"]: row for row in page.context["restitution"]}
        self.assertEqual((rows["Diputus pengadilan"]["n"], rows["Diputus pengadilan"]["ordered"]), (1, 7_500_000))
        self.assertEqual(rows["Diajukan"]["n"], 1)
        self.assertEqual({r["label"]: r["n"] for r in page.context["steps"]}["Persidangan"], 1)
        self.assertNotContains(page, case.number)
        self.assertEqual(client.get(reverse("accompaniment:statistics"), {"tahun": "x"}).status_code, 200)
