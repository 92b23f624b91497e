"""Reading untrusted values the same way everywhere: ids, text, JSON bodies (docs/SECURITY.md, finding 9).

Crafted input must get a clear 4xx, never a 500. The classes that did:

* ``int(x)`` after ``x.isdigit()``: ``"²"`` and ``"١٢٣"`` are digits to Python
  but not to ``int``, and ``"9" * 30`` is an integer no database column holds.
  ``parse_id`` accepts ASCII digits up to 2⁶³−1 only;
* lone surrogates (``"\\ud800"`` from a JSON ``"\\ud800"`` escape) cannot be
  encoded as UTF-8, so sealing, hashing or storing them failed: ``clean_text``
  turns each into U+FFFD, and ``loads`` does it for every string of a body;
* JSON nested thousands deep makes the parser recurse until it fails:
  ``loads`` refuses a body nested deeper than ``MAX_JSON_DEPTH`` before parsing.

NUL characters in a path or query are refused at the edge by
``sigap.core.middleware.HostileInputMiddleware``.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_ID = 2**63 - 1
MAX_JSON_DEPTH = 64
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_id(value: Any) -> int | None:
    """A positive database id from ``value`` (ASCII digits, at most 2⁶³−1), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def clean_text(value: str) -> str:
    """``value`` with every lone surrogate replaced by U+FFFD (a valid pair is kept as its character)."""
    if not _SURROGATE.search(value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): _clean(item) for key, item in value.items()}
    return value


def json_depth(body: bytes | str) -> int:
    """How deeply arrays and objects nest in a JSON text (brackets inside strings are not counted)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if text.count("[") + text.count("{") <= 1:
        return text.count("[") + text.count("{")
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


class JsonTooDeep(ValueError):
    pass


def loads(body: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` for untrusted bodies: ValueError for bad JSON or nesting beyond ``max_depth``,
    every lone surrogate replaced."""
    if json_depth(body) > max_depth:
        raise JsonTooDeep(f"JSON nested deeper than {max_depth}")
    return _clean(json.loads(body))
