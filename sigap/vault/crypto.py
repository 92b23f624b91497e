"""AES-256-GCM sealing of single values.

Layout of a sealed value (bytes):
  1 byte format (1) | 4 bytes key version, big-endian | 12 bytes nonce | ciphertext+tag

The associated data names the purpose and the place the value belongs to
(``app_label.model.field``), so a ciphertext copied into another column or table
fails authentication instead of decrypting.
"""

from __future__ import annotations

import os
import struct
import threading
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sigap.vault.keyring import KeyRing, VaultError, VaultKeyError, keyring, reload_keyring

FORMAT = 1
HEADER = struct.Struct(">BI")
NONCE_SIZE = 12


# A server meeting a key version it does not know re-reads its key source (the key
# file may have gained a version since start-up), at most this often.
RELOAD_INTERVAL_SECONDS = 10.0
_reload_lock = threading.Lock()
_last_reload = 0.0


class VaultDecryptError(VaultError):
    """A sealed value failed authentication: wrong place, wrong key or tampered."""


def seal(plaintext: bytes, *, purpose: str, context: str, version: int | None = None) -> bytes:
    ring = keyring()
    version = version or ring.current_version
    key = ring.key(purpose, version)
    nonce = os.urandom(NONCE_SIZE)
    aad = f"{purpose}|{context}".encode()
    return HEADER.pack(FORMAT, version) + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def key_version_of(sealed: bytes) -> int:
    fmt, version = HEADER.unpack_from(sealed)
    if fmt != FORMAT:
        raise VaultDecryptError(f"unknown sealed-value format {fmt}")
    return int(version)


def unseal(sealed: bytes, *, purpose: str, context: str) -> bytes:
    sealed = bytes(sealed)
    if len(sealed) < HEADER.size + NONCE_SIZE + 16:
        raise VaultDecryptError(f"sealed value for {context} is truncated")
    version = key_version_of(sealed)
    try:
        key = keyring().key(purpose, version)
    except VaultKeyError as error:
        ring = _reloaded_keyring()
        if ring is None or version not in ring.masters:
            raise VaultKeyError(f"{error} while reading {context}") from None
        key = ring.key(purpose, version)
    nonce = sealed[HEADER.size : HEADER.size + NONCE_SIZE]
    try:
        return AESGCM(key).decrypt(nonce, sealed[HEADER.size + NONCE_SIZE :], f"{purpose}|{context}".encode())
    except InvalidTag:
        raise VaultDecryptError(
            f"value in {context} does not decrypt with key version {version}: it was moved, altered, "
            "or the key is wrong"
        ) from None


def _reloaded_keyring() -> KeyRing | None:
    """Forget the cached keys and load them again, unless that was done just now."""
    global _last_reload
    with _reload_lock:
        now = time.monotonic()
        if now - _last_reload < RELOAD_INTERVAL_SECONDS:
            return None
        _last_reload = now
    return reload_keyring()
