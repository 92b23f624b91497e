"""Accounts as an office manages them: a forgotten password reset by a one-time link, and staff quick exit."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from sigap.accounts.roles import Role
from sigap.lib.testing import PASSWORD, create_user, load_test_regions

pytestmark = pytest.mark.browser

NEW_PASSWORD = "kalimat-sandi-baru-dari-tautan"


def code_for(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/akun/2fa/verifikasi/")
    device = TOTPDevice.objects.get(user__username=username)
    page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(code_for(device))
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url("**/staf/")


def test_admin_resets_a_forgotten_password_with_a_one_time_link(browser: Browser, live_server: LiveServer) -> None:
    load_test_regions()
    create_user(Role.ADMIN, "admin")
    create_user(Role.OPERATOR, "operator-lupa")
    admin_context = browser.new_context(base_url=live_server.url, locale="id-ID")
    staff_context = browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        admin = admin_context.new_page()
        sign_in(admin, "admin", PASSWORD)
        admin.locator("nav.main-nav").get_by_role("link", name="Pengguna", exact=True).click()
        admin.get_by_role("link", name="operator-lupa").click()
        admin.get_by_role("link", name="Buat tautan atur ulang kata sandi").click()
        admin.get_by_role("button", name="Buat tautan").click()
        link = admin.locator("#reset-link").inner_text().strip()
        assert "/akun/atur-ulang/" in link

        # The operator opens the link on their phone and chooses a password.
        staff = staff_context.new_page()
        staff.goto(link)
        assert staff.get_by_text("operator-lupa").is_visible()
        staff.get_by_label("Kata sandi baru").fill(NEW_PASSWORD)
        staff.get_by_label("Ulangi kata sandi").fill(NEW_PASSWORD)
        staff.get_by_role("button", name="Simpan kata sandi baru").click()
        staff.wait_for_url("**/akun/masuk/")
        assert staff.get_by_text("Kata sandi baru tersimpan").is_visible()
        sign_in(staff, "operator-lupa", NEW_PASSWORD)

        # The link was for one use only.
        staff.goto(link)
        assert staff.get_by_role("heading", name="Tautan tidak berlaku").is_visible()
    finally:
        admin_context.close()
        staff_context.close()


def test_staff_quick_exit_signs_out_and_back_does_not_return(browser: Browser, live_server: LiveServer) -> None:
    load_test_regions()
    create_user(Role.OPERATOR, "operator")
    context = browser.new_context(base_url=live_server.url, locale="id-ID")
    try:
        page = context.new_page()
        sign_in(page, "operator", PASSWORD)
        page.goto("/akun/saya/")
        page.get_by_role("button", name="Keluar cepat").click()
        page.wait_for_url("**/static/neutral.html")
        for _ in range(2):
            page.go_back()
            page.wait_for_load_state("load")
            page.wait_for_timeout(200)
            assert "Keluar cepat" not in page.content(), page.url
        # Signed out: a staff page asks for the password again.
        page.goto("/staf/")
        page.wait_for_url("**/akun/masuk/**")
    finally:
        context.close()
