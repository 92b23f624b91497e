"""The period and kecamatan filter shared by the dashboard, its downloads and the SIMFONI-PPA export."""

from __future__ import annotations

import datetime
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.regions.models import Level, Region

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> str | None:
    match = MONTH.match(value or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return f"{year:04d}-{month:02d}"


def shift_month(month: str, by: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(start: str, end: str) -> list[str]:
    out = []
    current = start
    while current <= end:
        out.append(current)
        current = shift_month(current, 1)
    return out


def month_bounds(month: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of the month and of the next one, in local time."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=tz)
    nxt = shift_month(month, 1)
    end = datetime.datetime(int(nxt[:4]), int(nxt[5:7]), 1, tzinfo=tz)
    return start, end


def this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


@dataclass(frozen=True)
class Period:
    start: str  # "YYYY-MM", inclusive
    end: str  # "YYYY-MM", inclusive
    kecamatan: str = ""  # "" = the whole region

    @property
    def months(self) -> list[str]:
        return months_between(self.start, self.end)

    def query(self) -> str:
        from urllib.parse import urlencode

        params = {"dari": self.start, "sampai": self.end}
        if self.kecamatan:
            params["kecamatan"] = self.kecamatan
        return urlencode(params)

    def slug(self) -> str:
        return f"{self.start}_{self.end}" + (f"_{self.kecamatan}" if self.kecamatan else "")


def regions_within(prefix: str, level: str) -> list[tuple[str, str, str]]:
    """(code, name, parent code) of the regions of ``level`` under ``prefix``, by code.

    Reference data that changes only when regions are reloaded, so each process
    keeps it for ten minutes. Read as a range on the primary key: ``startswith``
    (a LIKE) or a filter on ``level`` would scan 90,000 regions.
    """
    found = list(_regions_within(prefix, level, int(time.monotonic() // 600)))
    if not found:
        _regions_within.cache_clear()  # regions not loaded yet: ask again next time
    return found


@lru_cache(maxsize=64)
def _regions_within(prefix: str, level: str, _period: int) -> tuple[tuple[str, str, str], ...]:
    rows = Region.objects.filter(code__gt=prefix + ".", code__lt=prefix + "/").order_by("code").values_list(
        "code", "name", "parent_id", "level"
    )
    return tuple((code, name, parent or "") for code, name, parent, lvl in rows if lvl == level)


def kecamatan_choices() -> list[tuple[str, Any]]:
    return [("", _("Semua kecamatan"))] + [
        (code, name) for code, name, _parent in regions_within(settings.SIGAP_REGION, Level.KECAMATAN)
    ]


class PeriodForm(forms.Form):
    dari = forms.CharField(label=_("Dari bulan"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    sampai = forms.CharField(label=_("Sampai bulan"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False, choices=())

    def __init__(self, *args: object, default_months: int = 12, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kecamatan"].choices = kecamatan_choices()  # type: ignore[attr-defined]
        self.default_months = default_months

    def clean_dari(self) -> str:
        value = self.cleaned_data.get("dari", "")
        if value and parse_month(value) is None:
            raise forms.ValidationError(_("Tulis bulan sebagai TTTT-BB, misalnya 2025-01."))
        return parse_month(value) or ""

    def clean_sampai(self) -> str:
        value = self.cleaned_data.get("sampai", "")
        if value and parse_month(value) is None:
            raise forms.ValidationError(_("Tulis bulan sebagai TTTT-BB, misalnya 2025-12."))
        return parse_month(value) or ""

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("dari"), data.get("sampai")
        if start and end and str(start) > str(end):
            raise forms.ValidationError(_("Bulan awal harus sebelum atau sama dengan bulan akhir."))
        return data

    def period(self) -> Period:
        """The chosen period, or the default (the last ``default_months`` months) where not valid."""
        end = this_month()
        start = shift_month(end, -(self.default_months - 1))
        kecamatan = ""
        if self.is_bound and self.is_valid():
            end = str(self.cleaned_data.get("sampai") or end)
            start = str(self.cleaned_data.get("dari") or shift_month(end, -(self.default_months - 1)))
            kecamatan = str(self.cleaned_data.get("kecamatan") or "")
            end = max(end, start)
        return Period(start=start, end=end, kecamatan=kecamatan)
