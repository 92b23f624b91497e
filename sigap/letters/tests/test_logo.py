"""The configurable logo of the kop surat: printed when it is there, never a reason a letter fails to print."""

from __future__ import annotations

import datetime
import re
import tempfile
import unittest
from pathlib import Path

from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from PIL import Image

from sigap.letters import official
from sigap.lib import pdftext
from sigap.lib.testing import SigapTestCase

IMAGE = re.compile(rb"/Subtype\s*/Image")


def letter() -> bytes:
    content = official.compose(number="400.8/001/PGT/UPTD-PPA/XII/2026", on=datetime.date(2026, 12, 4),
                               perihal="Uji kop surat", to=["Yth. Kepala Contoh"], blocks=[official.p("Isi surat.")])
    return official.render_pdf(content)


def embedded_sizes(pdf: bytes) -> list[tuple[int, int]]:
    """(width, height) in pixels of every image XObject of the PDF."""
    sizes = []
    for match in IMAGE.finditer(pdf):
        dictionary = pdf[max(0, match.start() - 400):match.end() + 400]
        width = re.search(rb"/Width\s+(\d+)", dictionary)
        height = re.search(rb"/Height\s+(\d+)", dictionary)
        if width and height:
            sizes.append((int(width.group(1)), int(height.group(1))))
    return sizes


class LetterLogoTests(SimpleTestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def image(self, name: str, size: tuple[int, int], fmt: str) -> Path:
        path = self.folder / name
        Image.new("L", size, 0).save(path, fmt)
        return path

    def test_a_configured_logo_is_printed_on_the_kop(self) -> None:
        for name, size, fmt in (("logo.png", (60, 30), "PNG"), ("logo.jpg", (48, 64), "JPEG")):
            with self.subTest(fmt=fmt), override_settings(SIGAP_LETTER_LOGO=str(self.image(name, size, fmt))):
                self.assertEqual(embedded_sizes(letter()), [size])

    def test_without_a_logo_the_letter_has_no_image(self) -> None:
        with override_settings(SIGAP_LETTER_LOGO=""), self.assertNoLogs("sigap.letters"):
            self.assertEqual(embedded_sizes(letter()), [])

    def test_a_missing_or_unreadable_logo_does_not_stop_printing(self) -> None:
        broken = self.folder / "rusak.png"
        broken.write_bytes(b"\x89PNG\r\n\x1a\n this is not an image")
        truncated = self.folder / "terpotong.png"
        truncated.write_bytes(self.image("utuh.png", (60, 30), "PNG").read_bytes()[:40])
        for path in (self.folder / "tidak-ada.png", broken, truncated, self.folder):
            with self.subTest(path=path.name), override_settings(SIGAP_LETTER_LOGO=str(path)):
                with self.assertLogs("sigap.letters", "WARNING") as logs:
                    pdf = letter()
                self.assertTrue(pdf.startswith(b"%PDF"))
                self.assertEqual(embedded_sizes(pdf), [])
                self.assertIn("SIGAP_LETTER_LOGO", logs.output[0])
                if pdftext.available():
                    text = pdftext.pdf_text(pdf)
                    for part in ("UPTD PPA KABUPATEN MESUJI", "Uji kop surat", "Isi surat."):
                        self.assertIn(part, text)


@unittest.skipUnless(pdftext.available(), "pdftotext (poppler-utils) is not installed")
class LogoDownloadTests(SigapTestCase):
    def test_a_broken_logo_still_lets_staff_download_a_form(self) -> None:
        with tempfile.NamedTemporaryFile(suffix=".png") as broken:
            broken.write(b"not an image")
            broken.flush()
            with override_settings(SIGAP_LETTER_LOGO=broken.name), self.assertLogs("sigap.letters", "WARNING"):
                response = self.login(self.operator).get(reverse("accompaniment:complaint_form"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("FORMULIR PENGADUAN", pdftext.pdf_text(response.content).upper())
