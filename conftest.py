"""Suite-wide test hygiene."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts and ends in the default language.

    A request through the test client runs LocaleMiddleware in the test's own
    thread, and the language it activates (say, English from a cookie) would
    otherwise stay active for the next test's code outside a request.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_limit_memos() -> Iterator[None]:
    """A shared limiter remembers refusals in process memory; a test's rolled-back rows must not outlive it there."""
    from sigap.lib.ratelimit import forget_refusal_memos

    forget_refusal_memos()
    yield
    forget_refusal_memos()
