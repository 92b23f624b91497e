"""Bulk import of the village network and partners: template, preview with problems, import, report."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from sigap.lib.testing import DESA_A, DESA_B, SigapTestCase
from sigap.network import actions
from sigap.network.models import ImportBatch, Member, MemberKind, Partner, PatbmGroup
from sigap.regions.models import Region
from sigap.vault.models import AuditEntry

HEADER = "kecamatan,desa,kode_desa,jenis,nama,jabatan,peran,telepon,boleh_dicetak,sk_patbm\n"


def csv_file(body: str, name: str = "jaringan.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + body).encode("utf-8"), content_type="text/csv")


class ImportTests(SigapTestCase):
    def upload(self, file: SimpleUploadedFile, kind: str = "jaringan") -> ImportBatch:
        client = self.login(self.manager)
        response = client.post("/jaringan/impor/", {"kind": kind, "file": file})
        self.assertEqual(response.status_code, 302, response.content[:500])
        return ImportBatch.objects.latest("id")

    def test_only_network_managers_reach_the_import(self) -> None:
        self.assertAllowedOnly("get", "/jaringan/impor/", [self.admin, self.manager])
        self.assertAllowedOnly("get", "/jaringan/impor/templat/jaringan.csv", [self.admin, self.manager])
        batch = self.upload(csv_file(f",,{DESA_A},sapa,Rina Amelia,,,,,\n"))
        self.assertAllowedOnly("get", f"/jaringan/impor/{batch.pk}/", [self.admin, self.manager])
        for user in self.everyone:
            if user not in (self.admin, self.manager):
                self.login(user).post(f"/jaringan/impor/{batch.pk}/jalankan/")
        self.assertFalse(Member.objects.exists())

    def test_templates_download_in_both_formats_with_the_columns(self) -> None:
        client = self.login(self.manager)
        csv_body = client.get("/jaringan/impor/templat/jaringan.csv").content.decode("utf-8-sig")
        self.assertTrue(csv_body.startswith("kecamatan,desa,kode_desa,jenis,nama"))
        xlsx = client.get("/jaringan/impor/templat/mitra.xlsx")
        sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
        self.assertEqual([c.value for c in sheet[1]][:3], ["nama", "jenis", "layanan"])
        self.assertEqual(client.get("/jaringan/impor/templat/lain.csv").status_code, 404)

    def test_preview_shows_each_rows_problems_and_imports_only_the_good_rows(self) -> None:
        actions.add_member(desa=Region.objects.get(code=DESA_B), by=self.manager,
                           data={"kind": MemberKind.SAPA, "name": "Sudah Ada", "phone": "0812 1111 2222"})
        body = (
            f"Mesuji,Wiralaga I,,narahubung,Sri Wahyuni,kepala_desa,ketua,0812 3456 7001,ya,\n"   # 2 ok (by name)
            f",,{DESA_A},patbm,Ahmad Fauzi,kader,ketua,0812 3456 7002,,SK 12/2025\n"          # 3 ok (by code)
            f",,99.99.99.9999,sapa,Tanpa Desa,,,,,\n"                                           # 4 unknown code
            f"Mesuji,Desa Khayalan,,sapa,Salah Nama,,,,,\n"                                     # 5 unknown name
            f",,{DESA_A},sapa,Telepon Aneh,,,12ab,,\n"                                          # 6 bad phone
            f",,{DESA_A},patbm,ahmad  fauzi,,,,,\n"                                             # 7 duplicate of 3
            f",,{DESA_B},sapa,Orang Lain,,,0812-1111-2222,,\n"                                  # 8 duplicate stored
            f"Mesuji Timur,Talang Batu,,relawan,Jenis Salah,,,,,\n"                             # 9 unknown kind
        )
        batch = self.upload(csv_file(body))
        client = self.login(self.manager)
        preview = client.get(f"/jaringan/impor/{batch.pk}/")
        text = preview.content.decode()
        self.assertIn("2 baris siap diimpor", text)
        self.assertIn("6 baris bermasalah", text)
        for problem in ("Kode desa 99.99.99.9999 tidak dikenal", "Desa Desa Khayalan tidak ditemukan di Kecamatan Mesuji",
                        "Nomor telepon tidak dikenali", "Duplikat dari baris 3", "sudah terdaftar",
                        "Jenis relawan tidak dikenal"):
            self.assertIn(problem, text)
        self.assertFalse(Member.objects.filter(desa_id=DESA_A).exists())

        done = client.post(f"/jaringan/impor/{batch.pk}/jalankan/", follow=True)
        self.assertContains(done, "2 dari 8 baris diimpor")
        members = Member.objects.filter(desa_id=DESA_A).order_by("id")
        self.assertEqual([(m.kind, m.name) for m in members],
                         [(MemberKind.CONTACT_POINT, "Sri Wahyuni"), (MemberKind.PATBM, "Ahmad Fauzi")])
        self.assertTrue(members[0].may_print)
        self.assertEqual(PatbmGroup.objects.get(desa_id=DESA_A).decree_number, "SK 12/2025")
        batch.refresh_from_db()
        self.assertIsNone(batch.content)
        self.assertEqual([number for number, _ in batch.skipped], [4, 5, 6, 7, 8, 9])
        self.assertNotIn("Telepon Aneh", str(batch.skipped))
        entry = AuditEntry.objects.get(action="network.import_done")
        self.assertIn("imported=2 skipped=6", entry.reason)
        # A second press imports nothing more.
        client.post(f"/jaringan/impor/{batch.pk}/jalankan/")
        self.assertEqual(Member.objects.filter(desa_id=DESA_A).count(), 2)

    def test_partners_from_xlsx(self) -> None:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["Nama", "Jenis", "Layanan", "Kecamatan", "Alamat", "Narahubung", "Telepon", "Surel"])
        sheet.append(["Puskesmas Wiralaga", "puskesmas", "kesehatan; psikologis", "Mesuji", "", "", "0721 000 111", ""])
        sheet.append(["LBH Contoh", "Lembaga bantuan hukum", "bantuan_hukum", "", "", "", "", "bukan-surel"])
        sheet.append(["Puskesmas Wiralaga", "puskesmas", "kesehatan", "", "", "", "", ""])
        out = io.BytesIO()
        book.save(out)
        file = SimpleUploadedFile("mitra.xlsx", out.getvalue())
        batch = self.upload(file, kind="mitra")
        preview = self.login(self.manager).get(f"/jaringan/impor/{batch.pk}/")
        self.assertContains(preview, "Surel tidak valid")
        self.assertContains(preview, "Duplikat dari baris 2")
        self.login(self.manager).post(f"/jaringan/impor/{batch.pk}/jalankan/")
        partner = Partner.objects.get()
        self.assertEqual(partner.name, "Puskesmas Wiralaga")
        self.assertEqual(sorted(partner.service_codes), ["kesehatan", "psikologis"])
        self.assertEqual([k.code for k in partner.kecamatan_served.all()], ["18.11.01"])

    def test_unreadable_or_incomplete_files_are_refused_with_a_message(self) -> None:
        client = self.login(self.manager)
        no_file = client.post("/jaringan/impor/", {"kind": "jaringan"})
        self.assertContains(no_file, "Pilih berkas", status_code=400)
        wrong_columns = client.post("/jaringan/impor/", {
            "kind": "jaringan", "file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
        self.assertContains(wrong_columns, "Kolom wajib tidak ada", status_code=400)
        broken = client.post("/jaringan/impor/", {"kind": "mitra", "file": SimpleUploadedFile("x.xlsx", b"PKrusak")})
        self.assertContains(broken, "tidak bisa dibaca", status_code=400)
        pdf = client.post("/jaringan/impor/", {"kind": "mitra", "file": SimpleUploadedFile("x.pdf", b"%PDF")})
        self.assertContains(pdf, "harus CSV atau XLSX", status_code=400)
        self.assertFalse(ImportBatch.objects.exists())

    def test_semicolon_csv_and_contact_point_already_present(self) -> None:
        actions.add_member(desa=Region.objects.get(code=DESA_A), by=self.manager,
                           data={"kind": MemberKind.CONTACT_POINT, "name": "Pak Kades"})
        body = (HEADER.replace(",", ";") + f";;{DESA_A};narahubung;Bu Kades;;;;;\n").encode()
        client = self.login(self.manager)
        client.post("/jaringan/impor/", {"kind": "jaringan", "file": SimpleUploadedFile("a.csv", body)})
        batch = ImportBatch.objects.latest("id")
        self.assertContains(client.get(f"/jaringan/impor/{batch.pk}/"), "sudah punya narahubung aktif")
