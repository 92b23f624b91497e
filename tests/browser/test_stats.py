"""The data officer signs in with TOTP, reads the dashboard and downloads the SIMFONI-PPA export."""

from __future__ import annotations

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from sigap.accounts.roles import Role
from sigap.intake.codes import Authority
from sigap.intake.models import Report, Victim
from sigap.lib.testing import PASSWORD, create_user, load_test_regions

pytestmark = pytest.mark.browser


def code_for(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def test_data_officer_reads_the_dashboard_and_downloads_the_simfoni_export(page: Page, results_dir: Path) -> None:
    load_test_regions()
    call_command("seed", "--cases", "25", "--random-seed", "21", stdout=StringIO())
    officer = create_user(Role.DATA_OFFICER, "petugas-data", first_name="Dina")
    page.set_default_timeout(30_000)  # a loaded machine is slow to serve the first pages

    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(officer.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/akun/2fa/verifikasi/")
    page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(code_for(TOTPDevice.objects.get(user=officer)))
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url("**/staf/")

    # The dashboard, from the main navigation; the whole seeded period.
    page.locator("nav.main-nav").get_by_role("link", name="Statistik", exact=True).click()
    page.wait_for_url("**/statistik/")
    expect(page.get_by_role("heading", name="Statistik kasus")).to_be_visible()
    page.get_by_label("Dari bulan").fill("2000-01")
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_url("**/statistik/?dari=2000-01*")
    figures = page.locator("ul.figures li").first
    expect(figures).to_contain_text(str(Report.objects.count()))
    violence = page.locator("#s-violence")
    expect(violence.get_by_role("heading", name="Jenis kekerasan")).to_be_visible()
    expect(violence.locator("svg[role=img]")).to_be_visible()
    expect(violence.get_by_role("rowheader", name="Seksual")).to_be_visible()
    assert page.locator("svg.chart").count() > 10
    page.screenshot(path=str(results_dir / "stats-dashboard.png"), full_page=False)

    # The SIMFONI-PPA export: one row per victim, no personal data in the header.
    page.locator("nav.stats-subnav").get_by_role("link", name="Ekspor SIMFONI-PPA").click()
    page.wait_for_url("**/statistik/simfoni/")
    page.get_by_label("Dari bulan").fill("2000-01")
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_url("**/statistik/simfoni/?dari=2000-01*")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh SIMFONI-PPA (CSV)").click()
    assert download.value.suggested_filename.startswith("simfoni-ppa-2000-01_")
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["No. registrasi", "Laporan terkait", "Korban ke-", "Tanggal pengaduan"]
    assert len(rows) - 1 == Victim.objects.filter(report__authority=Authority.OWN).count()
    assert not {"Nama", "NIK", "Alamat", "Nomor telepon"} & set(rows[0])
