from __future__ import annotations

import hashlib
import io
import os

from django.test import SimpleTestCase

from sigap.ops import archive

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def seal(data: bytes, chunk_size: int = 1000) -> bytes:
    out = io.BytesIO()
    archive.encrypt_stream(io.BytesIO(data), out, key_version=1, key=KEY, chunk_size=chunk_size)
    return out.getvalue()


def unseal(blob: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    archive.decrypt_stream(io.BytesIO(blob), out, key=key)
    return out.getvalue()


class EncryptedArchiveTests(SimpleTestCase):
    def test_round_trip_across_many_chunks_and_edge_sizes(self) -> None:
        for size in (0, 1, 999, 1000, 1001, 5000, 12345):
            data = os.urandom(size)
            self.assertEqual(unseal(seal(data)), data, size)

    def test_the_result_reports_sizes_and_the_sha256_of_the_encrypted_bytes(self) -> None:
        out = io.BytesIO()
        result = archive.encrypt_stream(io.BytesIO(b"x" * 2500), out, key_version=3, key=KEY, chunk_size=1000)
        self.assertEqual(result.plain_size, 2500)
        self.assertEqual(result.encrypted_size, len(out.getvalue()))
        self.assertEqual(result.sha256, hashlib.sha256(out.getvalue()).hexdigest())
        self.assertEqual(archive.read_header(io.BytesIO(out.getvalue()))[1], 3)

    def test_plaintext_does_not_appear_in_the_encrypted_file(self) -> None:
        self.assertNotIn(b"Siti Rahayu", seal(b"nama: Siti Rahayu " * 100))

    def test_one_changed_byte_anywhere_fails(self) -> None:
        blob = seal(os.urandom(3000))
        for position in (0, 10, 60, len(blob) // 2, len(blob) - 1):
            damaged = bytearray(blob)
            damaged[position] ^= 0x01
            with self.assertRaises(archive.ArchiveError, msg=position):
                unseal(bytes(damaged))

    def test_a_file_cut_at_a_chunk_boundary_fails(self) -> None:
        blob = seal(os.urandom(3000))
        chunk = archive.CHUNK_HEADER.size + 1000 + archive.TAG_SIZE
        cut = blob[: archive.HEADER.size + 2 * chunk]
        with self.assertRaisesRegex(archive.ArchiveError, "terpotong"):
            unseal(cut)

    def test_swapped_chunks_fail(self) -> None:
        blob = seal(os.urandom(3000))
        head = archive.HEADER.size
        chunk = archive.CHUNK_HEADER.size + 1000 + archive.TAG_SIZE
        first, second = blob[head : head + chunk], blob[head + chunk : head + 2 * chunk]
        swapped = blob[:head] + second + first + blob[head + 2 * chunk :]
        with self.assertRaises(archive.ArchiveError):
            unseal(swapped)

    def test_data_after_the_final_chunk_fails(self) -> None:
        with self.assertRaises(archive.ArchiveError):
            unseal(seal(b"abc") + b"\x00")

    def test_the_wrong_key_fails(self) -> None:
        with self.assertRaisesRegex(archive.ArchiveError, "kuncinya salah"):
            unseal(seal(b"secret"), key=OTHER_KEY)

    def test_something_else_is_not_taken_for_a_backup(self) -> None:
        with self.assertRaisesRegex(archive.ArchiveError, "bukan cadangan"):
            unseal(b"SQLite format 3\x00" + b"\x00" * 100)

    def test_key_check_tells_keys_apart_without_revealing_them(self) -> None:
        self.assertNotEqual(archive.key_check(KEY), archive.key_check(OTHER_KEY))
        self.assertEqual(len(archive.key_check(KEY)), 16)
