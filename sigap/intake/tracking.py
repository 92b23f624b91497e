"""Tracking codes and PINs for reporters: generation, normalisation, keyed hashes.

A code is 10 Crockford base32 characters (50 random bits) shown as
``K7QM-3XPA-9T``: digits and capitals without I, L, O and U, so it can be read
aloud and typed from a phone call. Typing is forgiving: case, spaces and dashes
are ignored, O reads as 0 and I/L as 1.

The PIN is 6 random digits. Only keyed HMAC-SHA256 digests of both are stored
(key: the vault's fixed-version blind-index key, with its own domain label), so
a copy of the database alone lets no one look a report up.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sigap.vault.keyring import keyring

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 10 x 5 bits = 50 random bits
GROUPS = (4, 4, 2)
PIN_LENGTH = 6
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    parts, start = [], 0
    for size in GROUPS:
        parts.append(raw[start : start + size])
        start += size
    return "-".join(parts)


def new_pin() -> str:
    return f"{secrets.randbelow(10**PIN_LENGTH):0{PIN_LENGTH}d}"


def normalise_code(value: str) -> str | None:
    """Canonical form of a typed code, or None when it cannot be one."""
    if len(value) > 40:
        return None
    cleaned = "".join(ch for ch in value.upper() if ch not in " -_.").translate(_READ_AS)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def _mac(label: str, value: str) -> str:
    return hmac.new(keyring().key("blind_index"), f"{label}|{value}".encode(), hashlib.sha256).hexdigest()


def code_digest(canonical_code: str) -> str:
    return _mac("tracking-code", canonical_code)


def pin_digest(canonical_code: str, pin: str) -> str:
    # Bound to the code, so equal PINs of two reports do not share a digest.
    return _mac("tracking-pin", f"{canonical_code}|{pin}")


def pin_matches(canonical_code: str, pin: str, stored_digest: str) -> bool:
    return hmac.compare_digest(pin_digest(canonical_code, pin), stored_digest)
