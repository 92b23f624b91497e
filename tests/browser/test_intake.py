"""Intake in a real browser: an operator takes a call and files a full report; the public reports and tracks.

Also captures phone-sized screenshots of the report forms (test-results/).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.intake.forms import clear_desa_cache
from sigap.intake.models import Contact, Report
from sigap.intake.views import public
from sigap.lib.testing import DESA_A, DESA_B, PASSWORD, create_user, load_test_regions

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "id-ID"}


@pytest.fixture(autouse=True)
def regions_and_limits() -> Iterator[None]:
    load_test_regions()
    clear_desa_cache()
    for limiter in public.ALL_LIMITERS:
        limiter.reset()
    yield
    clear_desa_cache()


def sign_in(page: Page, user: User) -> None:
    """Password, then the six digits an authenticator app would show now."""
    device = TOTPDevice.objects.get(user=user)
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/akun/2fa/verifikasi/")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(f"{code:06d}")
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url("**/staf/")


def phone_context(browser: Browser, live_server: LiveServer, **extra: object) -> BrowserContext:
    context = browser.new_context(base_url=live_server.url, **{**PHONE, **extra})  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context


def test_operator_records_a_call_and_files_a_full_report(page: Page, browser: Browser,
                                                         live_server: LiveServer, results_dir: Path) -> None:
    operator = create_user(Role.OPERATOR, "operator", first_name="Wati")
    sign_in(page, operator)

    # --- the call comes in -------------------------------------------------------------
    nav = page.get_by_role("navigation", name="Navigasi utama")
    nav.get_by_role("link", name="Kontak baru").click()
    page.wait_for_url("**/pengaduan/kontak/baru/")
    page.get_by_label("Nomor penelepon").fill("0812 3456 7890")
    # The script asks the server (POST, never in the URL) while the operator types.
    expect(page.locator("#caller-summary")).to_contain_text("belum pernah menghubungi")
    page.get_by_label("Laporan baru").check()
    page.get_by_label("Catatan singkat").fill("Ibu korban menelepon, suara pelan.")
    page.get_by_role("button", name="Simpan kontak").first.click()

    # --- the report, on one page ----------------------------------------------------------
    page.wait_for_url(re.compile(r".*/pengaduan/laporan/baru/\?contact=\d+$"))
    expect(page.get_by_text("Kontak dicatat. Lanjutkan dengan laporan.")).to_be_visible()
    expect(page.get_by_label("Saluran")).to_have_value("telepon")
    # Nothing asked twice: the caller's number and the note are already in the report.
    expect(page.locator("#id_reporter-phone")).to_have_value("+6281234567890")
    expect(page.locator("#id_chronology-0-description")).to_have_value("Ibu korban menelepon, suara pelan.")
    page.locator("#id_reporter-name").fill("Ibu Contoh")
    page.locator("#id_reporter-phone").fill("0812 3456 7890")
    page.locator("#id_reporter-relation").select_option("keluarga")

    page.locator("#id_victims-0-name").fill("Anak Contoh")
    page.locator("#id_victims-0-sex").select_option("P")
    page.locator("#id_victims-0-age").fill("11")
    page.locator("#id_victims-0-desa").select_option(DESA_A)
    # The form starts with one row of each kind; the script adds the next in place, in the desa before it.
    expect(page.locator("#id_victims-1-name")).to_have_count(0)
    page.get_by_role("button", name="+ Tambah korban").click()
    expect(page.locator("#id_victims-1-name")).to_be_visible()
    expect(page.locator("#id_victims-1-desa")).to_have_value(DESA_A)
    page.locator("#id_victims-1-name").fill("Kakak Contoh")
    page.locator("#id_victims-1-sex").select_option("P")
    page.locator("#id_victims-1-age").fill("15")

    page.locator("#id_perpetrators-0-relation").select_option("keluarga")
    page.locator("#id_perpetrators-0-sex").select_option("L")
    page.locator("#id_perpetrators-0-lives_with_victim").check()

    last_week = timezone.localtime() - datetime.timedelta(days=7)
    page.locator("#id_chronology-0-date").fill(last_week.strftime("%Y-%m-%d"))
    page.locator("#id_chronology-0-time").fill("19:00")
    page.locator("#id_chronology-0-place").select_option("rumah_tangga")
    page.locator("#id_chronology-0-desa").select_option(DESA_A)
    page.locator("#id_chronology-0-description").fill("Paman korban masuk ke kamar korban pada malam hari.")
    page.get_by_role("button", name="+ Tambah kejadian").click()
    page.locator("#id_chronology-1-date").fill((last_week + datetime.timedelta(days=2)).strftime("%Y-%m-%d"))
    page.locator("#id_chronology-1-desa").select_option(DESA_B)
    page.locator("#id_chronology-1-description").fill("Korban bercerita kepada ibunya.")

    # The sexual-violence forms show only once "Seksual" is ticked.
    sexual_form = page.get_by_label("Pelecehan seksual fisik")
    expect(sexual_form).to_be_hidden()
    page.get_by_label("Seksual", exact=True).check()
    expect(sexual_form).to_be_visible()
    sexual_form.check()
    page.get_by_label("Psikis", exact=True).check()
    page.get_by_label("Kekerasan terjadi berulang").check()
    page.get_by_label("Kebutuhan dan harapan korban/pelapor").fill("Pendampingan psikolog dan hukum.")
    page.get_by_label("Waktu aman untuk dihubungi").fill("Pagi, saat paman bekerja")
    page.locator("#id_consent_process_0").check()
    page.get_by_label("Setuju dilaporkan ke polisi").check()

    # First with a mistake: an age in words. Nothing is saved; the message is next to the field.
    page.locator("#id_victims-1-age").fill("lima belas")
    page.get_by_role("button", name="Simpan laporan").last.click()
    expect(page.get_by_role("heading", name="Laporan belum tersimpan")).to_be_visible()
    expect(page.locator("#id_victims-1-age_error")).to_have_text(  # the id aria-describedby points to
        "Harus berupa bilangan bulat."
    )
    assert Report.objects.count() == 0
    page.locator("#id_victims-1-age").fill("15")
    page.get_by_role("button", name="Simpan laporan").last.click()

    # --- numbers, PIN, risk -------------------------------------------------------------------
    expect(page.get_by_role("heading", name="Laporan tersimpan")).to_be_visible()
    report = Report.objects.get()
    assert page.locator("#registration-number").inner_text() == report.registration_number
    code = page.locator("#tracking-code").inner_text()
    pin = page.locator("#tracking-pin").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", code) and re.fullmatch(r"\d{6}", pin)
    expect(page.locator(".risk-box")).to_contain_text("Tinggi")
    expect(page.locator(".risk-box")).to_contain_text("Anak korban kekerasan seksual")
    assert report.victims.count() == 2
    assert report.events.count() == 2
    assert Contact.objects.get().report == report
    assert report.submitted_by == operator
    page.screenshot(path=str(results_dir / "report-submitted.png"), full_page=True)

    # --- the detail: victims named, reporter masked -----------------------------------------
    page.get_by_role("link", name="Buka laporan").click()
    main = page.locator("main")
    expect(main).to_contain_text("Anak Contoh")
    expect(main).to_contain_text("Paman korban masuk ke kamar korban")
    expect(main).to_contain_text("Pelapor R-")
    expect(main).not_to_contain_text("Ibu Contoh")
    expect(main).not_to_contain_text("0812 3456 7890")
    page.screenshot(path=str(results_dir / "report-detail.png"), full_page=True)

    # --- the same number calls again: the operator sees it at once -------------------------
    nav.get_by_role("link", name="Kontak baru").click()
    page.get_by_label("Nomor penelepon").fill("+62 812-3456-7890")
    summary = page.locator("#caller-summary")
    expect(summary).to_contain_text("pernah menghubungi 1 kali")
    expect(summary).to_contain_text(report.registration_number)
    page.screenshot(path=str(results_dir / "contact-caller-known.png"))

    # --- the reporter follows the report with the code and PIN ------------------------------
    public_page = browser.new_context(base_url=live_server.url, locale="id-ID").new_page()
    public_page.goto("/lacak")
    public_page.get_by_label("Kode pelacakan").fill(code.lower())
    public_page.get_by_label("PIN (6 angka)").fill(pin)
    public_page.get_by_role("button", name="Lihat status").click()
    expect(public_page.locator(".status-big")).to_have_text("Diterima")
    body = public_page.locator("main").inner_text()
    for secret in ("Anak Contoh", "Ibu Contoh", report.registration_number, "Tinggi", code, pin):
        assert secret not in body
    assert pin not in public_page.url and code not in public_page.url
    public_page.context.close()


def test_public_reports_from_a_pamphlet_on_a_phone_without_javascript(
    browser: Browser, live_server: LiveServer, results_dir: Path
) -> None:
    context = phone_context(browser, live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/lapor?desa={DESA_B}&src=pamflet-2026")
        expect(page.get_by_role("link", name="Keluar cepat")).to_be_visible()
        assert page.locator("#id_victims-0-desa").input_value() == DESA_B
        # Without JavaScript the sexual-violence forms are simply there.
        expect(page.get_by_label("Pelecehan seksual fisik")).to_be_visible()

        page.get_by_label("Saya tidak ingin menyebutkan nama saya").check()
        page.locator("#id_victims-0-sex").select_option("P")
        page.locator("#id_victims-0-age").fill("30")
        page.locator("#id_chronology-0-date").fill(timezone.localdate().strftime("%Y-%m-%d"))
        page.locator("#id_chronology-0-description").fill("Suami memukul saya tadi pagi.")
        page.get_by_label("Fisik", exact=True).check()
        page.get_by_label("Sudah terjadi lebih dari sekali").check()
        # "add another" without JavaScript: the page comes back with one more row, nothing saved.
        page.get_by_role("button", name="+ Tambah kejadian").click()
        expect(page.locator("#id_chronology-1-description")).to_be_visible()
        assert page.locator("#id_chronology-0-description").input_value() == "Suami memukul saya tadi pagi."
        assert Report.objects.count() == 0
        # Forgot the consent: a clear message, nothing saved.
        page.get_by_role("button", name="Kirim laporan").last.click()
        expect(page.get_by_role("heading", name="Laporan belum tersimpan")).to_be_visible()
        assert Report.objects.count() == 0
        page.get_by_label(re.compile("Saya setuju laporan ini diterima")).check()
        page.get_by_role("button", name="Kirim laporan").last.click()

        expect(page.get_by_role("heading", name=re.compile("Laporan Anda sudah kami terima"))).to_be_visible()
        code = page.locator("#tracking-code").inner_text()
        pin = page.locator("#tracking-pin").inner_text()
        # The code stays on one line on a 390 px screen: never broken mid-code.
        assert page.evaluate(
            "(() => { const el = document.getElementById('tracking-code');"
            " return el.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(el).fontSize); })()"
        ), "the tracking code wraps"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(results_dir / "public-report-submitted-mobile.png"))
        report = Report.objects.get()
        assert (report.channel, report.source, report.desa_id) == ("web", "pamflet-2026", DESA_B)
        assert report.reporter_declined_identity

        # Reloading the answer re-sends the form: still one report, same code.
        page.reload()
        expect(page.locator("#tracking-code")).to_have_text(code)
        assert Report.objects.count() == 1

        page.goto("/lacak")
        page.get_by_label("Kode pelacakan").fill(code)
        page.get_by_label("PIN (6 angka)").fill(pin)
        page.get_by_role("button", name="Lihat status").click()
        expect(page.locator(".status-big")).to_have_text("Diterima")
    finally:
        context.close()


def test_report_forms_fit_a_phone_screen(browser: Browser, live_server: LiveServer, results_dir: Path) -> None:
    volunteer = create_user(Role.VOLUNTEER, "relawan", desa=DESA_A, two_factor=True)
    context = phone_context(browser, live_server)
    try:
        page = context.new_page()
        page.goto(f"/lapor?desa={DESA_A}")
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(results_dir / "public-report-form-mobile.png"))
        page.screenshot(path=str(results_dir / "public-report-form-mobile-full.png"), full_page=True)

        sign_in(page, volunteer)
        page.goto("/pengaduan/desa-saya/lapor/")
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("#id_victims-0-desa").input_value() == DESA_A
        page.screenshot(path=str(results_dir / "volunteer-report-form-mobile.png"))
        page.screenshot(path=str(results_dir / "volunteer-report-form-mobile-full.png"), full_page=True)
        # Errors on a phone: the summary comes first and links to the fields.
        page.get_by_role("button", name="Simpan laporan").last.click()
        expect(page.get_by_role("heading", name="Laporan belum tersimpan")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(results_dir / "volunteer-report-form-errors-mobile.png"))
    finally:
        context.close()
