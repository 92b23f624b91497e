"""The Dinas's existing village list imported through the screens: preview with problems, then import."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from sigap.accounts.roles import Role
from sigap.lib.testing import DESA_A, PASSWORD, create_user, load_test_regions
from sigap.network.models import Member

pytestmark = pytest.mark.browser

LIST = (
    "kecamatan,desa,kode_desa,jenis,nama,jabatan,peran,telepon,boleh_dicetak,sk_patbm\n"
    "Mesuji,Wiralaga I,,narahubung,Sri Wahyuni,kepala_desa,ketua,0812 3456 7001,ya,\n"
    f",,{DESA_A},sapa,Dewi Lestari,guru,anggota,,,\n"
    "Mesuji,Desa Khayalan,,sapa,Salah Desa,,,,,\n"
    f",,{DESA_A},patbm,Nomor Aneh,,,12ab,,\n"
)


def test_manager_previews_a_list_with_its_problems_and_imports_the_good_rows(
    browser: Browser, live_server: LiveServer, tmp_path: Path, results_dir: Path
) -> None:
    load_test_regions()
    manager = create_user(Role.MANAGER, "kepala")
    csv_path = tmp_path / "jaringan-desa.csv"
    csv_path.write_text(LIST, encoding="utf-8")
    context = browser.new_context(base_url=live_server.url, locale="id-ID")
    try:
        page = context.new_page()
        page.goto("/akun/masuk/")
        page.get_by_label("Nama pengguna").fill("kepala")
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        device = TOTPDevice.objects.get(user=manager)
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(f"{code:06d}")
        page.get_by_role("button", name="Verifikasi").click()
        page.wait_for_url("**/staf/")

        page.goto("/jaringan/desa/")
        page.get_by_role("link", name="Impor dari CSV/XLSX").click()
        page.get_by_label("Berkas (CSV atau XLSX, paling besar 2 MB)").set_input_files(str(csv_path))
        page.get_by_role("button", name="Periksa daftar").click()

        expect(page.locator("#import-summary")).to_contain_text("2 baris siap diimpor")
        expect(page.locator("#import-summary")).to_contain_text("2 baris bermasalah")
        table = page.locator("table.import-preview")
        expect(table).to_contain_text("Desa Desa Khayalan tidak ditemukan di Kecamatan Mesuji")
        expect(table).to_contain_text("Nomor telepon tidak dikenali")
        page.screenshot(path=str(results_dir / "import-preview.png"), full_page=True)
        assert not Member.objects.exists()

        page.get_by_role("button", name="Impor 2 baris yang siap").click()
        expect(page.locator("#import-report")).to_contain_text("2 dari 4 baris diimpor")
        assert Member.objects.filter(desa_id=DESA_A).count() == 2
    finally:
        context.close()
