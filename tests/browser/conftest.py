"""Browser tests: Playwright's sync API driving Debian's chromium.

The browser is started once per session; each test gets a fresh context (no
cookies, no history) pointed at pytest-django's ``live_server``. When
``/usr/bin/chromium`` is absent the tests are skipped at collection with one
reason line, unless ``SIGAP_REQUIRE_BROWSER=1`` (set by CI when chromium is
installed) demands they run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

# Playwright's sync API keeps an asyncio loop on the main thread for the whole
# session, so Django's guard would refuse every ORM call a test makes.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
SKIP_REASON = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"


def chromium_missing() -> bool:
    return not os.access(CHROMIUM, os.X_OK)


def browser_required() -> bool:
    return os.environ.get("SIGAP_REQUIRE_BROWSER", "") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not chromium_missing() or browser_required():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if chromium_missing():
        if browser_required():
            pytest.fail(f"SIGAP_REQUIRE_BROWSER=1 but {CHROMIUM} is missing", pytrace=False)
        pytest.skip(SKIP_REASON)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def results_dir() -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR
