from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value: dict[str, Any] | None) -> str:
    """A published cell: a number, "<5", or a dash for a hidden complement."""
    if not value or value.get("suppressed"):
        return "–"
    return str(value.get("count"))


@register.filter
def cell_title(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    if value.get("suppressed"):
        return _("Disembunyikan agar angka kecil tidak dapat dihitung ulang")
    if value.get("count") == "<5":
        return _("Antara 1 dan 4")
    return ""


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def stat(value: Any) -> str:
    """A dashboard table cell: numbers localised, floats to one decimal, nothing as a dash."""
    from django.utils import formats

    if value is None or value == "":
        return "–" if value is None else ""
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1)
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    return str(value)
