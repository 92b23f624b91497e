"""Never silent, in a real browser: a volunteer files a high-risk report; the manager's "Hari ini" shows it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from sigap.accounts.roles import Role
from sigap.core.models import Notification
from sigap.intake.forms import clear_desa_cache
from sigap.intake.models import Report
from sigap.lib.testing import DESA_A, create_user, load_test_regions
from tests.browser.test_intake import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def regions() -> None:
    load_test_regions()
    clear_desa_cache()


def test_a_volunteers_high_risk_report_reaches_the_managers_home(page: Page, browser: Browser,
                                                                  live_server: LiveServer) -> None:
    manager = create_user(Role.MANAGER, "kepala")
    volunteer = create_user(Role.VOLUNTEER, "relawan", desa=DESA_A, two_factor=True)

    sign_in(page, volunteer)
    page.goto("/pengaduan/desa-saya/lapor/")
    page.locator("#id_reporter-name").fill("Relawan Contoh")
    page.locator("#id_reporter-phone").fill("0812-0000-3333")
    page.locator("#id_victims-0-name").fill("Anak Contoh")
    page.locator("#id_victims-0-age").fill("9")
    page.locator("#id_victims-0-sex").select_option("P")
    page.locator("#id_perpetrators-0-relation").select_option("tetangga")
    last_week = timezone.localtime() - datetime.timedelta(days=7)
    page.locator("#id_chronology-0-date").fill(last_week.strftime("%Y-%m-%d"))
    page.locator("#id_chronology-0-place").select_option("rumah_tangga")
    page.locator("#id_chronology-0-desa").select_option(DESA_A)
    page.locator("#id_chronology-0-description").fill("Uraian kejadian contoh untuk uji.")
    page.locator("input[name=violence_types][value=fisik]").check()
    page.locator("#id_injury_needs_care").check()
    page.locator("#id_consent_process_0").check()
    page.get_by_role("button", name="Simpan laporan").last.click()
    expect(page.get_by_role("heading", name="Laporan terkirim")).to_be_visible()
    report = Report.objects.get()
    assert report.risk == "tinggi" and report.channel == "relawan"
    # The volunteer's own home shows the coarse status.
    page.goto("/staf/")
    expect(page.locator("#hari-ini-laporan-saya")).to_contain_text(report.registration_number)

    manager_context = browser.new_context(base_url=live_server.url, locale="id-ID",
                                          viewport={"width": 1366, "height": 768})
    manager_context.set_default_timeout(10_000)
    try:
        desk = manager_context.new_page()
        sign_in(desk, manager)
        assert Notification.objects.filter(recipient=manager).count() == 1
        new_reports = desk.locator("#hari-ini-laporan-baru")
        expect(new_reports).to_contain_text(report.registration_number)
        expect(new_reports).to_contain_text("sisa")
        expect(desk.locator(".main-nav a[href='/notifikasi/'] .unread-count")).to_contain_text("1")
        # The report list on a 1366 px screen: the deadline column is in view, the time left in words.
        desk.goto("/pengaduan/laporan/")
        header = desk.get_by_role("columnheader", name="Batas respons")
        box = header.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366
        expect(desk.locator("td.deadline").first).to_contain_text("sisa")
        desk.goto("/staf/")
        # Opening the alert: the facts and "Saya tangani".
        new_reports.get_by_role("link", name=report.registration_number, exact=False).click()
        expect(desk.get_by_role("button", name="Saya tangani")).to_be_visible()
        desk.get_by_role("button", name="Saya tangani").click()
        expect(desk.locator(".messages")).to_contain_text("Eskalasi dihentikan")
        desk.goto("/staf/")
        expect(desk.locator("#hari-ini-laporan-baru")).not_to_contain_text(report.registration_number)
    finally:
        manager_context.close()
