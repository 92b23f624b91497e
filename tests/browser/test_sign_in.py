"""Staff sign in with a password and a TOTP code, as they would on their phone app."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from sigap.accounts.roles import Role
from sigap.lib.testing import PASSWORD, create_user, load_test_regions

pytestmark = pytest.mark.browser


def code_for(device: TOTPDevice) -> str:
    """The six digits an authenticator app would show for this device right now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def test_staff_signs_in_with_password_then_totp_and_sees_their_role(page: Page) -> None:
    load_test_regions()
    user = create_user(Role.CASE_WORKER, "pendamping", first_name="Sari")
    device = TOTPDevice.objects.get(user=user)

    page.goto("/")
    page.get_by_role("link", name="Masuk petugas").click()
    page.get_by_label("Nama pengguna").fill("pendamping")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    page.wait_for_url("**/akun/2fa/verifikasi/")
    assert page.get_by_role("heading", name="Verifikasi dua langkah").is_visible()
    page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(code_for(device))
    page.get_by_role("button", name="Verifikasi").click()

    page.wait_for_url("**/staf/")
    assert page.get_by_role("heading", name="Selamat datang, Sari").is_visible()
    assert "Peran: Pendamping / Konselor" in page.locator("main").inner_text()


def test_wrong_totp_code_keeps_staff_out(page: Page) -> None:
    user = create_user(Role.OPERATOR, "operator")
    device = TOTPDevice.objects.get(user=user)
    wrong = "000000" if code_for(device) != "000000" else "111111"

    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill("operator")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/akun/2fa/verifikasi/")
    page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(wrong)
    page.get_by_role("button", name="Verifikasi").click()

    assert page.get_by_text("Kode salah atau sudah kedaluwarsa.").is_visible()
    page.goto("/staf/")
    assert page.url.endswith("/akun/2fa/verifikasi/")
