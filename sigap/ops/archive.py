"""Streaming AES-256-GCM encryption of a backup file.

A database dump can be larger than memory, so it is sealed in chunks of 4 MiB.

Layout::

    header: magic "SIGAPBK1" | key version (4 bytes) | salt (32 bytes) | chunk size (4 bytes)
    chunk:  final flag (1 byte) | ciphertext length (4 bytes) | ciphertext + 16-byte tag
    ...     (the last chunk has final flag 1; nothing may follow it)

Each file gets its own key, HKDF(backup key, salt), so the nonce can simply be
the chunk's index. The associated data of every chunk is the header, the index
and the final flag: chunks cannot be reordered, dropped, swapped in from another
backup, or the file cut short after a chunk boundary without decryption failing.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections.abc import Callable, Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils.translation import gettext as _

from sigap.vault.keyring import keyring

MAGIC = b"SIGAPBK1"
HEADER = struct.Struct(">8sI32sI")
CHUNK_HEADER = struct.Struct(">BI")
CHUNK_SIZE = 4 * 1024 * 1024
TAG_SIZE = 16
READ_SIZE = 1024 * 1024


class ArchiveError(Exception):
    """The encrypted file cannot be read: damaged, altered, truncated or the wrong key."""


def backup_key(version: int | None = None) -> tuple[int, bytes]:
    ring = keyring()
    version = version or ring.current_version
    return version, ring.key("backup", version)


def key_check(key: bytes) -> str:
    """A short value that shows whether a key is the one a backup was made with."""
    return hmac.new(key, b"sigap-backup-key-check", hashlib.sha256).hexdigest()[:16]


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"sigap/backup-file").derive(key)
    return AESGCM(derived)


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def _read_exact(source: IO[bytes], size: int) -> bytes:
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        block = source.read(remaining)
        if not block:
            break
        parts.append(block)
        remaining -= len(block)
    return b"".join(parts)


class EncryptResult:
    def __init__(self, plain_size: int, encrypted_size: int, sha256: str) -> None:
        self.plain_size = plain_size
        self.encrypted_size = encrypted_size
        self.sha256 = sha256


def encrypt_stream(source: IO[bytes], target: IO[bytes], *, key_version: int, key: bytes,
                   chunk_size: int = CHUNK_SIZE) -> EncryptResult:
    """Seal everything read from ``source`` into ``target``; returns sizes and the file's SHA-256."""
    digest = hashlib.sha256()
    written = 0

    def write(data: bytes) -> None:
        nonlocal written
        target.write(data)
        digest.update(data)
        written += len(data)

    header = HEADER.pack(MAGIC, key_version, os.urandom(32), chunk_size)
    aead = _file_key(key, HEADER.unpack(header)[2])
    write(header)
    plain_size = 0
    index = 0
    current = _read_exact(source, chunk_size)
    while True:
        following = _read_exact(source, chunk_size) if len(current) == chunk_size else b""
        final = not following
        sealed = aead.encrypt(_nonce(index), current, _aad(header, index, final))
        write(CHUNK_HEADER.pack(1 if final else 0, len(sealed)))
        write(sealed)
        plain_size += len(current)
        if final:
            break
        current = following
        index += 1
    return EncryptResult(plain_size, written, digest.hexdigest())


def read_header(source: IO[bytes]) -> tuple[bytes, int, bytes, int]:
    header = _read_exact(source, HEADER.size)
    if len(header) != HEADER.size:
        raise ArchiveError(_("Berkas terlalu pendek untuk sebuah cadangan SIGAP."))
    magic, version, salt, chunk_size = HEADER.unpack(header)
    if magic != MAGIC:
        raise ArchiveError(_("Berkas ini bukan cadangan SIGAP (format tidak dikenal)."))
    if not 0 < chunk_size <= 64 * 1024 * 1024:
        raise ArchiveError(_("Kepala berkas cadangan rusak."))
    return header, int(version), salt, int(chunk_size)


def decrypt_chunks(source: IO[bytes], *, key: bytes) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk; raises ArchiveError on any damage."""
    header, _version, salt, chunk_size = read_header(source)
    aead = _file_key(key, salt)
    index = 0
    while True:
        raw = _read_exact(source, CHUNK_HEADER.size)
        if len(raw) != CHUNK_HEADER.size:
            raise ArchiveError(_("Berkas cadangan terpotong: potongan terakhirnya hilang."))
        flag, length = CHUNK_HEADER.unpack(raw)
        if flag not in (0, 1) or length > chunk_size + TAG_SIZE:
            raise ArchiveError(_("Potongan %(index)s berkas cadangan rusak.") % {"index": index})
        sealed = _read_exact(source, length)
        if len(sealed) != length:
            raise ArchiveError(_("Berkas cadangan terpotong."))
        final = flag == 1
        try:
            yield aead.decrypt(_nonce(index), sealed, _aad(header, index, final))
        except InvalidTag:
            raise ArchiveError(
                _("Potongan %(index)s tidak dapat didekripsi: berkas telah diubah atau kuncinya salah.")
                % {"index": index}
            ) from None
        if final:
            if source.read(1):
                raise ArchiveError(_("Ada data setelah potongan terakhir berkas cadangan."))
            return
        index += 1


def decrypt_stream(source: IO[bytes], target: IO[bytes] | Callable[[bytes], object], *, key: bytes) -> int:
    write = target if callable(target) else target.write
    size = 0
    for block in decrypt_chunks(source, key=key):
        write(block)
        size += len(block)
    return size


def file_sha256(path: os.PathLike[str] | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(READ_SIZE):
            digest.update(block)
    return digest.hexdigest()
