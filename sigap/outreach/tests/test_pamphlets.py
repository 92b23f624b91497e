from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
import zlib
from pathlib import Path
from unittest import mock, skipUnless
from urllib.parse import parse_qs, urlsplit

import zxingcpp
from django.test import Client, override_settings
from PIL import Image

from sigap.lib.testing import DESA_A, DESA_B, SigapTestCase
from sigap.network import actions as network_actions
from sigap.network.models import MemberKind
from sigap.outreach import actions, pamphlets
from sigap.outreach.models import BatchStatus, Campaign, PamphletBatch
from sigap.regions.models import Region
from sigap.vault.models import AuditEntry

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PUBLIC_URL = "https://sigap.mesujikab.go.id"


def decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(results) == 1, f"expected one QR code, found {len(results)}"
    return str(results[0].text)


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages of an fpdf2 PDF (its content streams, inflated)."""
    chunks = []
    # Each stream is read by its declared /Length: compressed bytes may contain "endstream".
    for match in re.finditer(rb"/Length (\d+)[^>]*>>\s*stream\r?\n", pdf):
        data = pdf[match.end() : match.end() + int(match.group(1))]
        try:
            chunks.append(zlib.decompress(data).decode("latin-1"))
        except zlib.error:
            continue
    text = "".join(re.findall(r"\((.*?)\) Tj", "".join(chunks)))
    return text.replace("\\(", "(").replace("\\)", ")")


@override_settings(SIGAP_PUBLIC_URL=PUBLIC_URL)
class PamphletTests(SigapTestCase):
    def setUp(self) -> None:
        self.campaign = Campaign.objects.create(slug="pamflet-2025", name="Pamflet 2025", created_by=self.manager)

    def add_contact(self, desa: str, *, may_print: bool) -> None:
        network_actions.add_member(
            desa=Region.objects.get(code=desa),
            data={"kind": MemberKind.CONTACT_POINT, "name": "Pak Kades Budi", "position": "kepala_desa",
                  "phone": "0812 9999 0001", "may_print": may_print},
            by=self.manager,
        )

    def test_village_png_has_a_qr_code_to_the_village_report_link(self) -> None:
        content = pamphlets.content_for(Region.objects.get(code=DESA_A))
        link = decode_qr(pamphlets.render_png(content))
        self.assertEqual(link, f"{PUBLIC_URL}/lapor?desa={DESA_A}&src=pamflet-2025")

    def test_pdf_holds_numbers_promise_and_contact_only_when_allowed(self) -> None:
        self.add_contact(DESA_A, may_print=True)
        self.add_contact(DESA_B, may_print=False)
        text_a = pdf_text(pamphlets.render_pdf([pamphlets.content_for(Region.objects.get(code=DESA_A))], "a4"))
        for expected in ("0812 7185 7372", "110 (Polisi)", "129 (SAPA", "Kami akan merahasiakan identitas pelapor",
                         "Pak Kades Budi", "0812 9999 0001", f"lapor?desa={DESA_A}&src=pamflet-2025", "saksi"):
            self.assertIn(expected, text_a)
        text_b = pdf_text(pamphlets.render_pdf([pamphlets.content_for(Region.objects.get(code=DESA_B))], "a5"))
        self.assertNotIn("Pak Kades Budi", text_b)
        self.assertNotIn("0812 9999 0001", text_b)

    def test_batch_of_every_desa_runs_in_the_worker_and_every_qr_decodes_to_its_village(self) -> None:
        villages = list(Region.objects.in_deployment().desa().order_by("code"))
        self.assertEqual(len(villages), 105)
        client = self.login(self.manager)
        started = time.perf_counter()
        with override_settings(TASKS=IMMEDIATE_TASKS), self.captureOnCommitCallbacks(execute=True):
            response = client.post(f"/sosialisasi/pamflet/kampanye/{self.campaign.pk}/buat/")
        elapsed = time.perf_counter() - started
        self.assertRedirects(response, "/sosialisasi/pamflet/")
        batch = PamphletBatch.objects.get()
        self.assertEqual((batch.status, batch.village_count), (BatchStatus.DONE, 105))
        self.assertLess(elapsed, 120)

        combined = bytes(batch.combined_pdf or b"")
        self.assertEqual(combined.count(b"/Type /Page\n"), 105)
        combined_text = pdf_text(combined)
        archive = zipfile.ZipFile(io.BytesIO(bytes(batch.archive or b"")))
        names = set(archive.namelist())
        self.assertIn("semua-desa-A5.pdf", names)
        pngs = sorted(n for n in names if n.startswith("PNG/"))
        self.assertEqual(len(pngs), 105)
        self.assertEqual(len([n for n in names if n.startswith("A4/")]), 105)
        self.assertEqual(len([n for n in names if n.startswith("A5/")]), 105)
        for village, name in zip(villages, pngs, strict=True):
            self.assertTrue(name.startswith(f"PNG/{village.code}-"))
            link = decode_qr(archive.read(name))
            parts = urlsplit(link)
            self.assertEqual(f"{parts.scheme}://{parts.netloc}{parts.path}", f"{PUBLIC_URL}/lapor")
            self.assertEqual(parse_qs(parts.query), {"desa": [village.code], "src": ["pamflet-2025"]})
            self.assertIn(f"lapor?desa={village.code}&src=pamflet-2025", combined_text)

        # Downloads are for outreach managers only, and each one is audited.
        for part in ("pdf", "zip"):
            url = f"/sosialisasi/pamflet/batch/{batch.pk}/{part}/"
            self.assertAllowedOnly("get", url, [self.manager, self.data_officer])
        self.assertGreaterEqual(AuditEntry.objects.filter(action="outreach.pamphlet_batch_downloaded").count(), 4)
        self.assertEqual(self.login(self.manager).get(f"/sosialisasi/pamflet/batch/{batch.pk}/exe/").status_code, 404)

    @skipUnless(shutil.which("pdftoppm"), "pdftoppm (poppler-utils) rasterises the PDF for the QR reader")
    def test_pdf_qr_code_decodes_once_printed(self) -> None:
        content = pamphlets.content_for(Region.objects.get(code=DESA_B))
        for size in ("a4", "a5"):
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "p.pdf"
                path.write_bytes(pamphlets.render_pdf([content], size))
                subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(Path(tmp) / "r")], check=True)
                png = next(Path(tmp).glob("r*.png")).read_bytes()
            self.assertEqual(decode_qr(png), f"{PUBLIC_URL}/lapor?desa={DESA_B}&src=pamflet-2025")

    def test_batch_request_is_queued_for_the_worker_not_run_in_the_request(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            actions.request_pamphlet_batch(self.campaign, by=self.manager)
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(PamphletBatch.objects.get().status, BatchStatus.QUEUED)
        few = pamphlets.contents_for_region("pamflet-2025")[:3]
        with mock.patch.object(pamphlets, "contents_for_region", return_value=few):
            actions.run_pamphlet_batch(PamphletBatch.objects.get().pk)  # what the worker does
        self.assertEqual(PamphletBatch.objects.get().status, BatchStatus.DONE)

    def test_single_village_pamphlets_download_in_three_formats(self) -> None:
        client = self.login(self.data_officer)
        a4 = client.get(f"/sosialisasi/pamflet/{DESA_A}/a4/")
        self.assertEqual((a4.status_code, a4["Content-Type"]), (200, "application/pdf"))
        self.assertTrue(a4.content.startswith(b"%PDF"))
        self.assertIn(b"/MediaBox [0 0 595.28 841.89]", a4.content)
        a5 = client.get(f"/sosialisasi/pamflet/{DESA_A}/a5/")
        self.assertIn(b"/MediaBox [0 0 419.53 595.28]", a5.content)
        png = client.get(f"/sosialisasi/pamflet/{DESA_A}/png/")
        self.assertEqual(png["Content-Type"], "image/png")
        self.assertEqual(Image.open(io.BytesIO(png.content)).size, pamphlets.PNG_SIZE)
        self.assertEqual(client.get(f"/sosialisasi/pamflet/{DESA_A}/gif/").status_code, 404)
        self.assertEqual(client.get(f"/sosialisasi/pamflet/{DESA_A}/a4/?kampanye=tidak-ada").status_code, 404)
        self.assertAllowedOnly(
            "get", f"/sosialisasi/pamflet/{DESA_B}/png/", [self.admin, self.manager, self.data_officer, self.volunteer_b]
        )

    def test_pamphlet_page_and_campaign_creation(self) -> None:
        self.assertAllowedOnly("get", "/sosialisasi/pamflet/", [self.manager, self.data_officer])
        client = self.login(self.manager)
        bad = client.post("/sosialisasi/pamflet/", {"slug": "Pamflet 2026!", "name": "x", "started_on": "2026-01-01"})
        self.assertContains(bad, "Kode kampanye", status_code=400)
        taken = client.post("/sosialisasi/pamflet/", {"slug": "pamflet-2025", "name": "x", "started_on": "2026-01-01"})
        self.assertContains(taken, "sudah dipakai", status_code=400)
        client.post("/sosialisasi/pamflet/", {"slug": "radio-2026", "name": "Radio", "started_on": "2026-01-01"})
        self.assertTrue(Campaign.objects.filter(slug="radio-2026").exists())


class PublicAddressTests(SigapTestCase):
    """Pamphlets carry the public address and are refused when it is this machine's own."""

    def setUp(self) -> None:
        self.campaign = Campaign.objects.create(slug="pamflet-2025", name="Pamflet 2025", created_by=self.manager)

    @override_settings(SIGAP_PUBLIC_URL=PUBLIC_URL)
    def test_the_pamphlet_page_shows_the_address_the_qr_codes_carry(self) -> None:
        page = self.login(self.manager).get("/sosialisasi/pamflet/")
        self.assertContains(page, f"<code>{PUBLIC_URL}/lapor</code>", html=True)
        self.assertNotContains(page, "SIGAP_PUBLIC_URL")

    @override_settings(SIGAP_PUBLIC_URL="http://127.0.0.1:8000", SIGAP_ENV="production")
    def test_a_loopback_address_outside_development_is_refused_and_nothing_is_made(self) -> None:
        client = self.login(self.manager)
        page = client.get("/sosialisasi/pamflet/")
        self.assertContains(page, "SIGAP_PUBLIC_URL")
        single = client.get(f"/sosialisasi/pamflet/{DESA_A}/a4/")
        self.assertEqual(single.status_code, 409)
        self.assertContains(single, "http://127.0.0.1:8000", status_code=409)
        self.assertNotEqual(single["Content-Type"], "application/pdf")
        batch = client.post(f"/sosialisasi/pamflet/kampanye/{self.campaign.pk}/buat/", follow=True)
        self.assertContains(batch, "SIGAP_PUBLIC_URL")
        self.assertFalse(PamphletBatch.objects.exists())
        self.assertEqual(Client().get("/pers/pamflet/png/").status_code, 409)

    @override_settings(SIGAP_PUBLIC_URL="http://localhost:8000", SIGAP_ENV="production")
    def test_a_batch_queued_before_the_address_changed_fails_instead_of_printing_dead_codes(self) -> None:
        batch = PamphletBatch.objects.create(campaign=self.campaign, requested_by=self.manager)
        actions.run_pamphlet_batch(batch.pk)
        batch.refresh_from_db()
        self.assertEqual(batch.status, BatchStatus.FAILED)
        self.assertFalse(batch.combined_pdf)

    @override_settings(SIGAP_PUBLIC_URL="http://127.0.0.1:8000", SIGAP_ENV="development")
    def test_development_may_print_its_loopback_address(self) -> None:
        single = self.login(self.manager).get(f"/sosialisasi/pamflet/{DESA_A}/png/")
        self.assertEqual(single.status_code, 200)
        self.assertEqual(decode_qr(single.content), f"http://127.0.0.1:8000/lapor?desa={DESA_A}&src=pamflet-2025")
