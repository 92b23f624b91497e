"""Master keys and the per-purpose keys derived from them.

Master keys never live in the database. They come from ``SIGAP_MASTER_KEY``
(``<version>:<base64 key>`` entries separated by commas, or one bare base64 key
meaning version 1) or from the file named by ``SIGAP_MASTER_KEY_FILE`` (one
``<version>:<base64 key>`` per line). Development creates
``<SIGAP_DATA_DIR>/keys/master.key`` (0600) on first use; production refuses to
start without a key.

Every purpose gets its own 256-bit key per master version through HKDF-SHA256,
so a key for one purpose says nothing about another. The newest master version
encrypts; older versions only decrypt until ``rotate_keys`` has moved everything.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# What each derived key protects (docs/SECURITY.md has the table).
PURPOSES = ("identity", "content", "attachment", "blind_index", "audit", "backup")
# Blind indexes and the audit chain must stay comparable over time, so they are
# always derived from master version 1 (see docs/SECURITY.md, "Rotation").
FIXED_VERSION_PURPOSES = ("blind_index", "audit")


class VaultError(Exception):
    """A sealed value cannot be read. The message names places and versions, never values."""


class VaultKeyError(VaultError):
    """A ciphertext names a key version this deployment does not have."""


@dataclass
class KeyRing:
    masters: dict[int, bytes]
    source: str
    _derived: dict[tuple[str, int], bytes] = field(default_factory=dict, repr=False)

    @property
    def current_version(self) -> int:
        return max(self.masters)

    def key(self, purpose: str, version: int | None = None) -> bytes:
        if purpose not in PURPOSES:
            raise ValueError(f"unknown key purpose {purpose!r}")
        if purpose in FIXED_VERSION_PURPOSES:
            version = min(self.masters)
        elif version is None:
            version = self.current_version
        cached = self._derived.get((purpose, version))
        if cached is not None:
            return cached
        master = self.masters.get(version)
        if master is None:
            raise VaultKeyError(
                f"Master key version {version} is not configured (needed for '{purpose}' data); "
                f"configured versions: {sorted(self.masters)}"
            )
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=f"sigap/{purpose}/v{version}".encode()
        ).derive(master)
        self._derived[(purpose, version)] = derived
        return derived


def parse_master_keys(text: str, origin: str) -> dict[int, bytes]:
    masters: dict[int, bytes] = {}
    entries = [e.strip() for e in text.replace("\n", ",").split(",") if e.strip() and not e.strip().startswith("#")]
    for entry in entries:
        version_text, sep, encoded = entry.partition(":")
        if not sep:
            version_text, encoded = "1", entry
        try:
            version = int(version_text)
            raw = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            raise ImproperlyConfigured(f"{origin}: entry is not '<version>:<base64 key>'") from None
        if version < 1 or len(raw) != 32:
            raise ImproperlyConfigured(f"{origin}: key version {version} must be 32 bytes (base64) and version >= 1")
        masters[version] = raw
    if not masters:
        raise ImproperlyConfigured(f"{origin}: no master key found")
    return masters


def development_key_file() -> Path:
    return Path(settings.DATA_DIR) / "keys" / "master.key"


def new_master_key_line(version: int) -> str:
    return f"{version}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


def load_keyring() -> KeyRing:
    env_key = os.environ.get("SIGAP_MASTER_KEY", "").strip()
    key_file = os.environ.get("SIGAP_MASTER_KEY_FILE", "").strip()
    if env_key:
        return KeyRing(parse_master_keys(env_key, "SIGAP_MASTER_KEY"), "SIGAP_MASTER_KEY")
    if key_file:
        path = Path(key_file)
        if not path.is_file():
            raise ImproperlyConfigured(f"SIGAP_MASTER_KEY_FILE {path} does not exist")
        return KeyRing(parse_master_keys(path.read_text(), f"SIGAP_MASTER_KEY_FILE {path}"), str(path))
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "SIGAP_MASTER_KEY or SIGAP_MASTER_KEY_FILE must be set when SIGAP_ENV=production"
        )
    path = development_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_master_key_line(1) + "\n")
        print(f"SIGAP: created a development master key in {path}; keep a copy elsewhere.", file=sys.stderr)
    return KeyRing(parse_master_keys(path.read_text(), str(path)), str(path))


_ring: KeyRing | None = None
_ring_lock = threading.Lock()


def keyring() -> KeyRing:
    global _ring
    ring = _ring
    if ring is None:
        with _ring_lock:
            if _ring is None:
                _ring = load_keyring()
            ring = _ring
    return ring


def reset_keyring() -> None:
    """Forget the loaded keys (tests, and rotate_keys after adding a version)."""
    global _ring
    with _ring_lock:
        _ring = None


def reload_keyring() -> KeyRing:
    """Load the keys again; if the source is broken now, keep the ones in use."""
    global _ring
    try:
        fresh = load_keyring()
    except ImproperlyConfigured:
        return keyring()
    with _ring_lock:
        _ring = fresh
    return fresh
