"""English date styles: the same as Bahasa Indonesia's, with English month names (sigap/formats/__init__.py)."""

from sigap.formats.id.formats import (  # noqa: F401
    DATE_FORMAT,
    DATETIME_FORMAT,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
    YEAR_MONTH_FORMAT,
)
