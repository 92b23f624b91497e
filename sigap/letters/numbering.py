"""Nomor surat: the next number of a letter type's yearly sequence, formatted by the office's pattern.

``SIGAP_LETTER_NUMBER_PATTERN`` is a Python format string with the fields
``{number}`` (the sequence, e.g. ``{number:03d}``), ``{code}`` (the letter
type's code), ``{month_roman}``, ``{month}``, ``{year}`` and ``{region}``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from sigap.letters.models import LETTER_CODES, LetterCounter, LetterType

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@dataclass(frozen=True)
class LetterNumber:
    letter_type: str
    year: int
    sequence: int
    text: str


def format_number(letter_type: str, sequence: int, on: datetime.date, pattern: str | None = None) -> str:
    pattern = pattern if pattern is not None else settings.SIGAP_LETTER_NUMBER_PATTERN
    try:
        return pattern.format(
            number=sequence, code=LETTER_CODES.get(letter_type, letter_type.upper()),
            month_roman=ROMAN_MONTHS[on.month - 1], month=on.month, year=on.year,
            region=str(settings.SIGAP_REGION).replace(".", ""),
        )
    except (KeyError, IndexError, ValueError) as error:
        raise ImproperlyConfigured(f"SIGAP_LETTER_NUMBER_PATTERN is not a valid pattern: {error}") from None


def check_pattern(pattern: str) -> None:
    """Raise ImproperlyConfigured when ``pattern`` cannot be formatted (settings check)."""
    format_number(LetterType.RUJUKAN, 1, datetime.date(2026, 1, 1), pattern)


def next_number(letter_type: str, *, on: datetime.date) -> LetterNumber:
    """Take the next number of ``letter_type`` for ``on``'s year. Must run inside the letter's transaction."""
    if letter_type not in LetterType.values:
        raise ValueError("unknown letter type")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that stores the letter")
    counter, _created = LetterCounter.objects.select_for_update().get_or_create(letter_type=letter_type, year=on.year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return LetterNumber(letter_type, on.year, counter.last_value, format_number(letter_type, counter.last_value, on))
