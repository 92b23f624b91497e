"""First run: the setup link creates the administrator, who then enrols 2FA."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from sigap.accounts.actions import issue_setup_token
from sigap.accounts.models import User

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "sandi-admin-pertama-yang-panjang"


def test_setup_link_creates_the_admin_who_then_enrols_two_factor(page: Page) -> None:
    token = issue_setup_token()
    assert token is not None

    page.goto(f"/akun/setup/{token}/")
    page.get_by_label("Nama Anda").fill("Rina")
    page.get_by_label("Nama pengguna").fill("rina")
    page.get_by_label(re.compile(r"^Kata sandi")).fill(ADMIN_PASSWORD)
    page.get_by_label("Ulangi kata sandi").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Buat akun administrator").click()

    page.wait_for_url("**/akun/2fa/daftar/")
    assert page.get_by_text("Akun administrator dibuat.").is_visible()
    qr = page.get_by_role("img", name="Kode QR untuk aplikasi autentikator")
    assert qr.is_visible()
    # The QR code actually rendered (the data: image passed the CSP and decoded).
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")

    device = TOTPDevice.objects.get(user__username="rina", confirmed=False)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(f"{code:06d}")
    page.get_by_role("button", name="Aktifkan").click()

    # One-time recovery codes, shown once to print, then the staff home.
    page.wait_for_url("**/akun/saya/kode-pemulihan/")
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="Sudah saya simpan").click()
    page.wait_for_url("**/staf/")
    assert "Peran: Administrator" in page.locator("main").inner_text()
    assert User.objects.get(username="rina").role == "admin"


def test_setup_link_works_only_once(page: Page) -> None:
    token = issue_setup_token()
    assert token is not None
    User.objects.create_user(username="sudah-ada", password="x" * 20)

    response = page.goto(f"/akun/setup/{token}/")
    assert response is not None and response.status == 404
    assert page.get_by_text("Halaman tidak ditemukan").is_visible()
