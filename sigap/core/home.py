"""The staff home ("Hari ini"): sections other apps contribute, so core imports none of them.

An app registers ``register_sections(func)``; ``func(user, now)`` returns the
``Section`` list that user should see today (empty when nothing applies).
Sections carry record numbers, kinds and times only, like notifications.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch
from django.utils.functional import Promise

logger = logging.getLogger("sigap.home")


@dataclass
class Item:
    text: str
    link: str = ""
    note: str = ""  # e.g. "lewat 2 jam"
    urgent: bool = False  # overdue or high risk: drawn in the warning colour


@dataclass
class Section:
    key: str
    title: str | Promise
    items: list[Item] = field(default_factory=list)
    empty: str | Promise = ""
    count: int | None = None  # when there are more than the items shown
    more_link: str = ""


SectionsFunc = Callable[[Any, datetime.datetime], list[Section]]
_providers: list[SectionsFunc] = []


def register_sections(func: SectionsFunc) -> None:
    if func not in _providers:
        _providers.append(func)


def sections_for(user: Any, now: datetime.datetime) -> list[Section]:
    sections: list[Section] = []
    for provider in _providers:
        try:
            sections.extend(provider(user, now))
        except NoReverseMatch:
            # Like the navigation: a section whose pages are not mounted (another URL
            # configuration) is left out rather than failing the home page.
            logger.warning("home sections of %s skipped: a URL is not mounted", getattr(provider, "__module__", "?"))
    return sections
