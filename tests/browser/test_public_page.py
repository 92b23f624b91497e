"""The public page as a visitor in danger uses it: numbers, and a way out."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.browser

NEUTRAL = "/static/neutral.html"  # SIGAP_QUICK_EXIT_URL in settings_test


def open_public_page_after_a_neutral_one(page: Page) -> str:
    """Visit an unrelated page first, so "Back" has somewhere else to go."""
    page.goto(NEUTRAL + "?before=1")
    page.goto("/")
    page.wait_for_load_state("load")
    return page.url


def assert_left_for_good(page: Page, public_url: str) -> None:
    page.wait_for_url(f"**{NEUTRAL}")
    assert page.locator("h1").inner_text() == "Prakiraan cuaca"
    page.go_back()
    assert page.url != public_url
    assert "Keluar cepat" not in page.content()


def test_public_page_shows_hotline_emergency_numbers_and_quick_exit(page: Page) -> None:
    page.goto("/")
    body = page.locator("body").inner_text()
    assert "0812 7185 7372" in body
    emergency = page.locator(".emergency-list")
    assert emergency.get_by_role("link", name="110").get_attribute("href") == "tel:110"
    assert emergency.get_by_role("link", name="129").get_attribute("href") == "tel:129"
    quick_exit = page.get_by_role("link", name="Keluar cepat")
    assert quick_exit.is_visible()


def test_quick_exit_click_leaves_and_back_does_not_return(page: Page) -> None:
    public_url = open_public_page_after_a_neutral_one(page)
    page.get_by_role("link", name="Keluar cepat").click()
    assert_left_for_good(page, public_url)


def test_escape_twice_leaves_and_back_does_not_return(page: Page) -> None:
    public_url = open_public_page_after_a_neutral_one(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert_left_for_good(page, public_url)


def test_escape_once_keeps_the_visitor_on_the_page(page: Page) -> None:
    page.goto("/")
    page.wait_for_load_state("load")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url.endswith("/")
    assert page.get_by_role("link", name="Keluar cepat").is_visible()


def test_quick_exit_is_the_second_stop_for_the_keyboard(page: Page) -> None:
    public_url = open_public_page_after_a_neutral_one(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit"
    page.keyboard.press("Enter")
    assert_left_for_good(page, public_url)


def test_public_page_fits_a_phone_screen(browser: Browser, live_server: LiveServer, results_dir: Path) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, device_scale_factor=2,
        is_mobile=True, has_touch=True, locale="id-ID",
    )
    try:
        page = context.new_page()
        page.goto("/")
        page.wait_for_load_state("load")
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        quick_exit = page.get_by_role("link", name="Keluar cepat").bounding_box()
        assert quick_exit is not None and quick_exit["y"] < 100 and quick_exit["x"] + quick_exit["width"] <= 390
        hotline = page.locator(".card-call").bounding_box()
        assert hotline is not None and hotline["y"] + hotline["height"] <= 844, "hotline above the fold"
        # Phones have no Esc key, so the hint about it is not shown there.
        assert not page.get_by_text("atau tekan Esc dua kali").is_visible()
        # What the phone shows first; the full-page capture re-lays the page out
        # with the touch emulation off, so it is only a rough picture of the rest.
        page.screenshot(path=str(results_dir / "public-page-mobile.png"))
        page.screenshot(path=str(results_dir / "public-page-mobile-full.png"), full_page=True)
        # The quick-exit bar stays on screen while the visitor scrolls.
        page.mouse.wheel(0, 2000)
        page.wait_for_timeout(200)
        bar = page.locator(".quick-exit-bar").bounding_box()
        assert bar is not None and bar["y"] <= 1
    finally:
        context.close()


def test_visitor_switches_the_page_to_english_with_the_language_form(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Bahasa").select_option("en")
    page.get_by_role("button", name="Ganti").click()
    page.wait_for_load_state("load")
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("link", name="Quick exit").is_visible()
    assert page.get_by_role("heading", name="You are not alone.").is_visible()


def test_home_on_a_phone_links_plainly_to_the_form_and_to_tracking(
    browser: Browser, live_server: LiveServer, results_dir: Path
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, device_scale_factor=2,
        is_mobile=True, has_touch=True, locale="id-ID",
    )
    try:
        page = context.new_page()
        page.goto("/")
        page.wait_for_load_state("load")
        hotline = page.locator(".card-call").bounding_box()
        for name in ("Lapor online", "Lacak laporan"):
            link = page.get_by_role("link", name=name)
            assert link.is_visible()
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
            # A finger-sized target next to the phone and WhatsApp cards.
            assert box["height"] >= 44 and hotline is not None and box["y"] - hotline["y"] < 400
        page.screenshot(path=str(results_dir / "public-home-links-mobile.png"))
        page.get_by_role("link", name="Lapor online").tap()
        page.wait_for_url("**/lapor")
        page.go_back()
        page.get_by_role("link", name="Lacak laporan").tap()
        page.wait_for_url("**/lacak")
        assert page.get_by_label("Kode pelacakan").is_visible()
    finally:
        context.close()


def test_back_after_quick_exit_never_shows_a_sigap_page_even_after_several(page: Page) -> None:
    page.goto(NEUTRAL + "?before=1")
    page.goto("/")
    page.goto("/lacak")
    page.goto("/lapor")
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Keluar cepat").click()
    page.wait_for_url(f"**{NEUTRAL}")
    for _ in range(3):
        page.go_back()
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)
        assert "Keluar cepat" not in page.content(), page.url
    # Typing the address again later is a deliberate visit: SIGAP opens.
    page.goto("/")
    assert page.get_by_role("link", name="Keluar cepat").is_visible()


def test_training_deployment_shows_its_banner_on_every_page(
    browser: Browser, live_server: LiveServer, settings: object, results_dir: Path
) -> None:
    settings.SIGAP_TRAINING = True  # type: ignore[attr-defined]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        locale="id-ID",
    )
    try:
        page = context.new_page()
        for url in ("/", "/lapor", "/lacak", "/akun/masuk/"):
            page.goto(url)
            banner = page.locator("#training-banner")
            assert banner.is_visible(), url
            assert "DATA LATIHAN" in banner.inner_text()
            box = banner.bounding_box()
            assert box is not None and box["y"] < 200, "the banner is seen first"
        assert page.title().startswith("[LATIHAN]")
        page.screenshot(path=str(results_dir / "training-banner-mobile.png"))
    finally:
        context.close()
