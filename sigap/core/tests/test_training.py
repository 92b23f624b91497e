"""Training mode: a practice deployment nobody can mistake for the real one."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from sigap.intake.channels.sms.client import SmsProvider
from sigap.intake.channels.whatsapp.client import WhatsAppProvider
from sigap.intake.models import Report
from sigap.intake.tests.factories import create_report
from sigap.lib import training
from sigap.lib.testing import DESA_A, SigapTestCase
from sigap.outreach import pamphlets
from sigap.outreach.tests.test_pamphlets import pdf_text
from sigap.regions.models import Region

ROOT = Path(__file__).resolve().parents[3]
CHANNELS = {
    "SIGAP_WHATSAPP_PHONE_NUMBER_ID": "123", "SIGAP_WHATSAPP_ACCESS_TOKEN": "t", "SIGAP_WHATSAPP_APP_SECRET": "s",
    "SIGAP_WHATSAPP_VERIFY_TOKEN": "v", "SIGAP_SMS_GATEWAY_URL": "https://sms.example/send",
    "SIGAP_SMS_GATEWAY_SECRET": "x",
}


class TrainingModeTests(SigapTestCase):
    def setUp(self) -> None:
        # The public pages' in-memory limits are per process: earlier tests posting /lapor must not spend them.
        from sigap.intake.views import public

        for limiter in public.ALL_LIMITERS:
            limiter.reset()

    @override_settings(SIGAP_TRAINING=True)
    def test_every_page_carries_the_banner(self) -> None:
        for url in ("/", "/lapor", "/lacak"):
            self.assertContains(self.client.get(url), 'id="training-banner"', msg_prefix=url)
        page = self.login(self.operator).get("/staf/")
        self.assertContains(page, "DATA LATIHAN")
        self.assertContains(page, "<title>[LATIHAN]")

    def test_a_real_deployment_has_no_banner_and_plain_numbers(self) -> None:
        self.assertNotContains(self.client.get("/"), "training-banner")
        submitted = create_report(self.operator)
        self.assertFalse(submitted.registration_number.startswith("LT-"))

    @override_settings(SIGAP_TRAINING=True)
    def test_numbers_are_prefixed(self) -> None:
        submitted = create_report(self.operator)
        self.assertTrue(submitted.registration_number.startswith("LT-1811-"), submitted.registration_number)
        self.assertTrue(Report.objects.get().registration_number.startswith("LT-"))

    @override_settings(SIGAP_TRAINING=True, **CHANNELS)
    def test_whatsapp_and_sms_send_nothing(self) -> None:
        self.assertFalse(WhatsAppProvider().enabled())
        self.assertFalse(SmsProvider().enabled())

    @override_settings(**CHANNELS)
    def test_configured_channels_are_on_outside_training(self) -> None:
        self.assertTrue(WhatsAppProvider().enabled())
        self.assertTrue(SmsProvider().enabled())

    @override_settings(SIGAP_TRAINING=True)
    def test_generated_pdfs_carry_the_mark(self) -> None:
        content = pamphlets.content_for(Region.objects.get(code=DESA_A), campaign="latihan")
        self.assertIn(training.MARK, pdf_text(pamphlets.render_pdf([content, content], "a4")))

    def test_real_pdfs_do_not(self) -> None:
        content = pamphlets.content_for(Region.objects.get(code=DESA_A), campaign="latihan")
        self.assertNotIn(training.MARK, pdf_text(pamphlets.render_pdf([content], "a4")))

    def test_the_caseload_command_refuses_a_real_deployment(self) -> None:
        with self.assertRaisesMessage(CommandError, "SIGAP_TRAINING=1"):
            call_command("training_fill", "--cases", "3", stdout=io.StringIO())
        self.assertFalse(Report.objects.exists())

    @override_settings(SIGAP_TRAINING=True)
    def test_the_caseload_command_fills_a_training_deployment(self) -> None:
        call_command("training_fill", "--cases", "12", "--random-seed", "7", stdout=io.StringIO())
        numbers = list(Report.objects.values_list("registration_number", flat=True))
        self.assertEqual(len(numbers), 12)
        self.assertTrue(all(n.startswith("LT-") for n in numbers))


@pytest.mark.parametrize(("env", "expected"), [({}, "var"), ({"SIGAP_TRAINING": "1"}, "var/latihan")])
def test_training_keeps_its_own_data_folder(env: dict[str, str], expected: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SIGAP_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", "import sigap.settings as s; print(s.DATA_DIR)"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60, check=True,
    )
    assert result.stdout.strip() == str((ROOT / expected).resolve())


class TrainingDownloadsTests(SigapTestCase):
    """Every CSV/XLSX download of a training deployment starts with the mark, like every page and PDF."""

    def downloads(self) -> list[tuple[str, bytes]]:
        from django.urls import reverse

        client = self.login(self.data_officer)
        period = {"dari": "2000-01", "sampai": "2099-12"}
        out = []
        for name, fmt in (("stats:dashboard_export", "csv"), ("stats:dashboard_export", "xlsx"),
                          ("stats:simfoni_export", "csv"), ("stats:simfoni_export", "xlsx")):
            response = client.get(reverse(name, args=[fmt]), period)
            self.assertEqual(response.status_code, 200, name)
            out.append((f"{name}.{fmt}", response.content))
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/sosialisasi/cakupan/unduh.{fmt}")
            self.assertEqual(response.status_code, 200)
            out.append((f"coverage.{fmt}", response.content))
        return out

    @staticmethod
    def first_rows(name: str, body: bytes) -> list[list[list[str]]]:
        import csv

        from openpyxl import load_workbook

        if name.endswith(".csv"):
            return [list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[:2]]
        workbook = load_workbook(io.BytesIO(body))
        return [[[str(c.value or "") for c in row] for row in sheet.iter_rows(max_row=2)]
                for sheet in workbook.worksheets]

    @override_settings(SIGAP_TRAINING=True)
    def test_every_export_starts_with_the_training_mark(self) -> None:
        create_report(self.operator)
        for name, body in self.downloads():
            for first, second in self.first_rows(name, body):
                self.assertEqual(first[0], training.MARK, name)
                self.assertNotEqual(second[0], training.MARK, name)  # the table follows it

    def test_a_real_deployment_exports_no_mark(self) -> None:
        create_report(self.operator)
        for name, body in self.downloads():
            self.assertNotIn(b"DATA LATIHAN", body if name.endswith(".csv") else b"", name)
            for first, _second in self.first_rows(name, body):
                self.assertNotEqual(first[0], training.MARK, name)
