"""The reporter's path on a 390 px phone: every problem in one round, then "tidak tahu" is enough."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from sigap.intake.codes import Authority
from sigap.intake.forms import clear_desa_cache
from sigap.intake.models import ChronologyEvent, Report
from sigap.intake.views import public
from sigap.lib.testing import load_test_regions

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


def test_lapor_reports_three_problems_at_once_then_accepts_tidak_tahu(
    browser: Browser, live_server: LiveServer, results_dir: Path
) -> None:
    context = browser.new_context(base_url=live_server.url, **PHONE)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/lapor")
        expect(page.get_by_text("Laporan tanpa nama (anonim) juga diterima.")).to_be_visible()
        # Every consent starts unticked.
        for box in page.locator("input[name^=consent_]").all():
            assert not box.is_checked()

        page.get_by_label("Saya tidak ingin menyebutkan nama saya").check()
        page.locator("#id_victims-0-sex").select_option("P")
        # Three problems: no age or date of birth, no desa for the victim, no kind of violence.
        page.locator("#id_chronology-0-date").fill(timezone.localdate().strftime("%Y-%m-%d"))
        page.locator("#id_chronology-0-desa").select_option("tidak-tahu")
        page.locator("#id_chronology-0-description").fill("Tetangga saya dipukul suaminya semalam.")
        page.get_by_label(re.compile("Saya setuju laporan ini diterima")).check()
        page.get_by_role("button", name="Kirim laporan").last.click()

        summary = page.locator("#report-errors")
        expect(summary).to_be_visible()
        expect(summary.locator("li")).to_have_count(3)
        expect(summary).to_contain_text("Isi tanggal lahir atau perkiraan usia korban.")
        expect(summary).to_contain_text("Pilih \"tidak tahu\" bila memang tidak diketahui.")
        expect(summary).to_contain_text("Isi paling sedikit 1.")
        # Beside each field too, and what was typed is still there.
        expect(page.locator(".field.has-error")).to_have_count(3)
        assert page.locator("#id_chronology-0-description").input_value() == "Tetangga saya dipukul suaminya semalam."
        assert page.locator("#id_chronology-0-desa").input_value() == "tidak-tahu"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(results_dir / "lapor-three-problems-mobile.png"), full_page=False)
        assert Report.objects.count() == 0

        page.locator("#id_victims-0-age").fill("34")
        page.locator("#id_victims-0-desa").select_option("tidak-tahu")
        page.get_by_label("Fisik", exact=True).check()
        page.get_by_role("button", name="Kirim laporan").last.click()

        expect(page.get_by_role("heading", name=re.compile("Laporan Anda sudah kami terima"))).to_be_visible()
        report = Report.objects.get()
        assert report.place_unknown
        assert report.authority == Authority.UNDECIDED
        event = ChronologyEvent.objects.get(report=report)
        assert event.desa_id is None
        assert not event.time_known
        assert event.when_display().endswith(", jam tidak diketahui")
    finally:
        context.close()


def test_lapor_on_a_phone_files_an_event_whose_date_nobody_knows_and_what_a_disability_needs(
    browser: Browser, live_server: LiveServer, results_dir: Path
) -> None:
    context = browser.new_context(base_url=live_server.url, **PHONE)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/lapor")
        page.get_by_label("Saya tidak ingin menyebutkan nama saya").check()
        page.locator("#id_victims-0-sex").select_option("P")
        page.locator("#id_victims-0-age").fill("13")
        page.locator("#id_victims-0-desa").select_option("tidak-tahu")
        page.get_by_text("Informasi tambahan tentang korban").click()
        page.get_by_label("Juru bahasa isyarat (penerjemah bahasa isyarat)").check()
        # Nobody knows when: ticking the box empties a date typed by mistake.
        page.locator("#id_chronology-0-date").fill(timezone.localdate().strftime("%Y-%m-%d"))
        box = page.get_by_label("Saya tidak tahu tanggalnya")
        assert not box.is_checked()
        box.check()
        assert page.locator("#id_chronology-0-date").input_value() == ""
        expect(page.locator("#id_chronology-0-date")).to_be_hidden()
        expect(page.locator("#id_chronology-0-precision")).to_be_hidden()
        box.uncheck()  # a tick by mistake: the date comes back
        expect(page.locator("#id_chronology-0-date")).to_be_visible()
        box.check()
        page.locator("#id_chronology-0-desa").select_option("tidak-tahu")
        page.locator("#id_chronology-0-description").fill("Anak tetangga bercerita pernah dipukul, entah kapan.")
        page.get_by_label("Fisik", exact=True).check()
        page.get_by_label(re.compile("Saya setuju laporan ini diterima")).check()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("fieldset[data-row=chronology]").first.screenshot(
            path=str(results_dir / "lapor-date-unknown-mobile.png"))
        page.get_by_role("button", name="Kirim laporan").last.click()

        expect(page.get_by_role("heading", name=re.compile("Laporan Anda sudah kami terima"))).to_be_visible()
        report = Report.objects.get()
        event = ChronologyEvent.objects.get(report=report)
        assert event.when is None
        assert event.when_display() == "tanggal tidak diketahui"
        victim = report.victims.get()
        assert victim.incident_date_unknown and victim.is_child
        assert victim.incident_reference_date == timezone.localdate(report.received_at)
        assert list(victim.accommodations.values_list("kind", flat=True)) == ["juru_bahasa_isyarat"]
    finally:
        context.close()
