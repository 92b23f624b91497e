"""The village network end to end: the admin registers a contact point and a PATBM
member, invites the member, and the member signs in on a phone and sees only their village."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.lib.testing import DESA_A, DESA_B, PASSWORD, create_user, load_test_regions

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
VOLUNTEER_PASSWORD = "kata-sandi-relawan-desa-panjang"


def code_for(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def test_admin_invites_a_patbm_member_who_then_sees_only_their_village_on_a_phone(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    load_test_regions()
    admin = create_user(Role.ADMIN, "admin", first_name="Admin")
    # A long flow on a shared CI machine: allow slow pages rather than flake.
    page.set_default_timeout(30_000)

    # The admin signs in with password and TOTP.
    sign_in(page, "admin", PASSWORD)
    page.wait_for_url("**/akun/2fa/verifikasi/")
    page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(code_for(TOTPDevice.objects.get(user=admin)))
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url("**/staf/")

    # Registers the village contact point (printable on pamphlets).
    page.get_by_role("link", name="Jaringan desa").first.click()
    page.get_by_role("link", name="Wiralaga I", exact=True).click()
    page.wait_for_url(f"**/jaringan/desa/{DESA_A}/")
    page.get_by_role("link", name="Tambah narahubung").click()
    page.locator("#id_name").fill("Pak Kades Wiralaga")
    page.get_by_label("Jabatan di desa").select_option("kepala_desa")
    page.get_by_label("Nomor telepon").fill("0812 7000 1111")
    page.get_by_label(re.compile("Boleh dicetak di pamflet")).check()
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Anggota jaringan disimpan.")).to_be_visible()

    # Registers a PATBM member.
    page.get_by_role("link", name="Tambah anggota PATBM").click()
    expect(page.get_by_label("Jenis")).to_have_value("patbm")
    page.locator("#id_name").fill("Ibu Sari PATBM")
    page.get_by_label("Peran dalam kelompok PATBM/SAPA").select_option("sekretaris")
    page.get_by_label("Nomor telepon").fill("0812 7000 2222")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("cell", name="Ibu Sari PATBM")).to_be_visible()

    # Invites the member: a one-time link shown once.
    page.get_by_role("row", name=re.compile("Ibu Sari PATBM")).get_by_role(
        "button", name="Undang sebagai relawan"
    ).click()
    link = page.get_by_label("Tautan").input_value()
    assert "/jaringan/undangan/" in link
    page.get_by_role("button", name=re.compile(r"^Keluar \(")).click()

    # The member, on a phone, opens the link and sets a username and password.
    phone = browser.new_context(base_url=live_server.url, locale="id-ID", **PHONE)  # type: ignore[arg-type]
    phone.set_default_timeout(30_000)
    mobile = phone.new_page()
    try:
        mobile.goto(link)
        expect(mobile.get_by_role("heading", name="Buat akun relawan")).to_be_visible()
        mobile.get_by_label("Nama pengguna").fill("sari.patbm")
        mobile.locator("#id_password1").fill(VOLUNTEER_PASSWORD)
        mobile.get_by_label("Ulangi kata sandi").fill(VOLUNTEER_PASSWORD)
        mobile.get_by_role("button", name="Buat akun").click()
        mobile.wait_for_url("**/jaringan/desa-saya/")
        volunteer = User.objects.get(username="sari.patbm")
        assert (volunteer.role, volunteer.desa_id) == (Role.VOLUNTEER, DESA_A)
        mobile.get_by_role("button", name=re.compile(r"^Keluar \(")).click()

        # Signs in as a volunteer (no second factor) and opens their village.
        sign_in(mobile, "sari.patbm", VOLUNTEER_PASSWORD)
        mobile.wait_for_url("**/staf/")
        mobile.get_by_role("link", name="Desa saya", exact=True).first.click()
        mobile.wait_for_url("**/jaringan/desa-saya/")
        expect(mobile.get_by_role("heading", name="Desa Wiralaga I")).to_be_visible()
        main = mobile.locator("main")
        expect(main).to_contain_text("Pak Kades Wiralaga")
        expect(main).to_contain_text("0812 7000 1111")
        expect(main).to_contain_text("Ibu Sari PATBM")
        expect(main).to_contain_text(f"/lapor?desa={DESA_A}&src=pamflet-desa")
        # Fits the phone: nothing wider than the screen.
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390

        # Other villages and the staff screens are closed to them.
        assert mobile.goto(f"/jaringan/desa/{DESA_B}/").status == 404  # type: ignore[union-attr]
        assert mobile.goto("/jaringan/desa/").status == 403  # type: ignore[union-attr]
        assert mobile.goto(f"/sosialisasi/pamflet/{DESA_B}/png/").status == 404  # type: ignore[union-attr]
    finally:
        phone.close()
