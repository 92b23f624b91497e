"""Blind indexes: keyed, truncated HMACs for exact-match lookup of sealed values.

A blind index narrows a lookup to candidates; the caller confirms each candidate
by decrypting, because truncation makes unrelated values share an index on
purpose (so the index alone cannot confirm that a given number is in the
database). Sizing follows CipherSweet's guidance; the numbers are in
docs/SECURITY.md: 24 bits keeps at least ~200 possible phone numbers and far
more possible NIKs behind every index value, while a lookup among a million rows
returns on average fewer than 0.06 false candidates.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import phonenumbers

from sigap.vault.keyring import keyring

INDEX_BITS = 24
INDEX_HEX_LENGTH = INDEX_BITS // 4


class NotNormalisable(ValueError):
    """The value cannot be put into canonical form (not a phone number, not a NIK)."""


def normalise_phone(value: str, region: str = "ID") -> str:
    """E.164 form: ``0812-7185-7372``, ``+62 812 7185 7372`` and ``6281271857372`` agree."""
    raw = (value or "").strip()
    digits = re.sub(r"\D", "", raw)
    if not digits:
        raise NotNormalisable("no digits")
    if raw.startswith("62") or (digits.startswith("62") and not raw.startswith(("0", "+"))):
        raw = "+" + digits
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise NotNormalisable("not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise NotNormalisable("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_nik(value: str) -> str:
    digits = re.sub(r"\s", "", value or "")
    if not re.fullmatch(r"\d{16}", digits):
        raise NotNormalisable("a NIK has 16 digits")
    return digits


def blind_index(kind: str, canonical: str) -> str:
    """The truncated HMAC of an already-normalised value, as hex."""
    mac = hmac.new(keyring().key("blind_index"), f"{kind}|{canonical}".encode(), hashlib.sha256).digest()
    return mac.hex()[:INDEX_HEX_LENGTH]


def phone_index(value: str) -> str | None:
    try:
        return blind_index("phone", normalise_phone(value))
    except NotNormalisable:
        return None


def nik_index(value: str) -> str | None:
    try:
        return blind_index("nik", normalise_nik(value))
    except NotNormalisable:
        return None


def name_index(value: str) -> str:
    """For duplicate detection by name: case, spacing and punctuation folded."""
    folded = " ".join(re.sub(r"[^\w\s]", " ", (value or "").casefold()).split())
    return blind_index("name", folded)
