"""Indonesian messages for pydantic validation errors, keyed by field path.

Used by the API's 422 handler and by ``sigap.intake.validation`` so every entry
point (API, staff form, public form) speaks the same language. Messages never
echo the submitted value (it may be personal data).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

# Parts of a location that name the request part, not a field.
_CONTAINER_PARTS = {"body", "payload", "query", "path", "header", "data"}


def _message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("Wajib diisi.")
    if kind in {"enum", "literal_error"}:
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return _("Nilai tidak dikenal. Pilihan: %(choices)s.") % {"choices": expected}
    if kind == "string_too_long":
        return _("Terlalu panjang (paling banyak %(max)s karakter).") % {"max": ctx.get("max_length", "")}
    if kind == "string_too_short":
        return _("Wajib diisi.")
    if kind == "string_pattern_mismatch":
        return _("Format tidak sah.")
    if kind == "string_type":
        return _("Harus berupa teks.")
    if kind.startswith("bool"):
        return _("Harus true atau false.")
    if kind.startswith(("int", "float")):
        return _("Harus berupa bilangan bulat.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Nilai terlalu kecil (paling kecil %(min)s).") % {"min": ctx.get("ge", ctx.get("gt", ""))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Nilai terlalu besar (paling besar %(max)s).") % {"max": ctx.get("le", ctx.get("lt", ""))}
    if kind.startswith("date") and "datetime" not in kind:
        return _("Tanggal tidak sah; gunakan format TTTT-BB-HH, misalnya 2014-05-01.")
    if kind.startswith(("datetime", "timezone")):
        return _("Waktu tidak sah; gunakan format TTTT-BB-HHTjj:mm, misalnya 2026-11-20T19:00.")
    if kind == "too_short":
        return _("Isi paling sedikit %(min)s.") % {"min": ctx.get("min_length", 1)}
    if kind == "too_long":
        return _("Terlalu banyak (paling banyak %(max)s).") % {"max": ctx.get("max_length", "")}
    if kind in {"list_type", "tuple_type", "set_type"}:
        return _("Harus berupa daftar.")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return _("Harus berupa objek.")
    if kind == "text_invalid":
        return _("Teks berisi karakter yang tidak sah.")
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])
    return _("Nilai tidak sah.")


def field_path(loc: Iterable[Any]) -> str:
    parts = [str(part) for part in loc if part not in _CONTAINER_PARTS]
    return ".".join(parts) or "body"


def fields_from_errors(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """``{"victims.0.sex": "Wajib diisi.", ...}``; the first error per path wins."""
    fields: dict[str, str] = {}
    for error in errors:
        fields.setdefault(field_path(error.get("loc", ())), _message(error))
    return fields
