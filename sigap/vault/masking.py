"""Masked forms of personal data, shown by default on every page, export and API.

The masked form must help staff recognise a record they already know about
("the caller ending in 7372") without telling a stranger who it is.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.utils.translation import gettext as _

from sigap.vault.keyring import keyring

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: a pseudonym read out over the phone survives.
PSEUDONYM_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
PSEUDONYM_LENGTH = 4
MASK = "****"


def mask_phone(value: str | None) -> str:
    """``081271857372`` and ``+6281271857372`` both become ``****372``.

    Only the last three digits show: shown beside a lookup that answers any typed
    number, a longer hint would let someone rebuild the number in a few thousand
    tries (docs/SECURITY.md, "Identifier lookups"). Three digits still tell two
    callers apart on one screen.
    """
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    if len(digits) <= 5:
        return MASK
    return MASK + digits[-3:]


def mask_nik(value: str | None) -> str:
    """A NIK keeps its first six digits (province, regency, kecamatan: not personal) and nothing else.

    Digits 7-12 are the birth date (day + 40 for women) and 13-16 a serial: with
    the birth date and sex shown beside it they would rebuild the NIK.
    """
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < 8:
        return MASK if digits else ""
    return digits[:6] + "*" * (len(digits) - 6)


def mask_text(value: str | None, *, keep: int = 1) -> str:
    """Each word keeps its first ``keep`` letters: ``Siti Rahmawati`` -> ``S*** R***``.

    Every word gets the same number of stars, so the mask does not give away lengths.
    """
    if not value:
        return ""
    words = value.split()
    return " ".join(word[:keep] + "***" for word in words[:4]) + (" …" if len(words) > 4 else "")


def pseudonym_code(opaque_id: str | int, prefix: str = "R") -> str:
    """A short, stable code for an opaque id, keyed so ids cannot be worked back from codes."""
    key = keyring().key("blind_index")
    digest = hmac.new(key, f"pseudonym|{prefix}|{opaque_id}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _position in range(PSEUDONYM_LENGTH):
        number, index = divmod(number, len(PSEUDONYM_ALPHABET))
        chars.append(PSEUDONYM_ALPHABET[index])
    return f"{prefix}-{''.join(chars)}"


def pseudonym(opaque_id: str | int, prefix: str = "R", label: str | None = None) -> str:
    """``Pelapor R-7F3K``: how a reporter is named wherever the identity stays hidden."""
    return f"{label if label is not None else _('Pelapor')} {pseudonym_code(opaque_id, prefix)}"
