from __future__ import annotations

import datetime
import sqlite3
import tempfile
from pathlib import Path
from unittest import skipUnless

from django.apps import apps
from django.db import connection
from django.db.models import BinaryField, Model
from django.test import TestCase, TransactionTestCase

from sigap.vault.blind import nik_index, phone_index
from sigap.vault.crypto import VaultDecryptError, key_version_of
from sigap.vault.fields import EncryptedCharField, EncryptedFieldMixin
from sigap.vault.registry import sealed_fields, sealed_models
from sigap.vault.tests.factories import (
    ADDRESS,
    CHRONOLOGY,
    NAME,
    NIK,
    PHONE,
    create_identity,
    create_record,
)
from sigap.vault.tests.sample_app.models import SampleIdentity, SampleOther, SampleRecord

SECRETS = [NAME, NIK, PHONE, PHONE.lstrip("+"), "081271857372", ADDRESS, CHRONOLOGY, "Rahmawati", "1989-07-05"]


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


class EncryptedFieldTests(TestCase):
    def test_values_read_back_as_written(self) -> None:
        identity = create_identity()
        fresh = SampleIdentity.objects.get(pk=identity.pk)
        self.assertEqual((fresh.name, fresh.nik, fresh.phone, fresh.address), (NAME, NIK, PHONE, ADDRESS))
        self.assertEqual(fresh.birth_date, datetime.date(1989, 7, 5))

    def test_empty_and_none_are_kept_apart(self) -> None:
        identity = create_identity(name="", address=None)
        fresh = SampleIdentity.objects.get(pk=identity.pk)
        self.assertEqual(fresh.name, "")
        self.assertIsNone(fresh.address)
        self.assertEqual(SampleIdentity.objects.filter(address__isnull=True).count(), 1)

    def test_each_write_uses_a_fresh_nonce(self) -> None:
        a, b = create_identity(), create_identity()
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM vault_sample_sampleidentity WHERE id IN (%s, %s)", [a.pk, b.pk])
            first, second = (bytes(row[0]) for row in cursor.fetchall())
        self.assertNotEqual(first, second)

    def test_sealed_values_cannot_be_searched_in_sql(self) -> None:
        with self.assertRaises(Exception):  # noqa: B017 - FieldError: unsupported lookup
            list(SampleIdentity.objects.filter(name=NAME))

    def test_ciphertext_copied_to_another_column_fails_to_decrypt(self) -> None:
        identity = create_identity()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE vault_sample_sampleidentity SET address = name WHERE id = %s", [identity.pk])
        with self.assertRaisesMessage(VaultDecryptError, "vault_sample.sampleidentity.address"):
            SampleIdentity.objects.get(pk=identity.pk)

    def test_ciphertext_copied_to_another_table_fails_to_decrypt(self) -> None:
        record = create_record(create_identity())
        other = SampleOther.objects.create(text="kosong")
        with connection.cursor() as cursor:
            cursor.execute("SELECT chronology FROM vault_sample_samplerecord WHERE id = %s", [record.pk])
            sealed = cursor.fetchone()[0]
            cursor.execute("UPDATE vault_sample_sampleother SET text = %s WHERE id = %s", [sealed, other.pk])
        with self.assertRaisesMessage(VaultDecryptError, "vault_sample.sampleother.text"):
            SampleOther.objects.get(pk=other.pk)

    def test_a_flipped_bit_fails_to_decrypt(self) -> None:
        identity = create_identity()
        with connection.cursor() as cursor:
            cursor.execute("SELECT nik FROM vault_sample_sampleidentity WHERE id = %s", [identity.pk])
            sealed = bytearray(bytes(cursor.fetchone()[0]))
            sealed[-1] ^= 1
            cursor.execute("UPDATE vault_sample_sampleidentity SET nik = %s WHERE id = %s", [bytes(sealed), identity.pk])
        with self.assertRaises(VaultDecryptError):
            SampleIdentity.objects.get(pk=identity.pk)

    def test_stored_value_carries_the_key_version(self) -> None:
        identity = create_identity()
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM vault_sample_sampleidentity WHERE id = %s", [identity.pk])
            self.assertEqual(key_version_of(bytes(cursor.fetchone()[0])), 1)

    def test_field_refuses_index_purposes_and_sql_indexes(self) -> None:
        with self.assertRaises(ValueError):
            EncryptedCharField(purpose="blind_index")
        field = EncryptedCharField(purpose="identity", db_index=True)
        field.set_attributes_from_name("nama")
        field.model = SampleIdentity
        self.assertIn("vault.E001", [error.id for error in field.check()])

    def test_deconstruct_keeps_purpose_and_plaintext_length(self) -> None:
        field = SampleIdentity._meta.get_field("nik")
        _name, path, _args, kwargs = field.deconstruct()
        self.assertEqual(path, "sigap.vault.fields.EncryptedCharField")
        self.assertEqual((kwargs["purpose"], kwargs["max_length"]), ("identity", 16))

    def test_form_field_bounds_the_plaintext(self) -> None:
        form_field = SampleIdentity._meta.get_field("nik").formfield()
        assert form_field is not None
        self.assertEqual(form_field.max_length, 16)  # type: ignore[attr-defined]


class RegistryTests(TestCase):
    def test_registry_lists_every_encrypted_column_once(self) -> None:
        labels = {item.label for item in sealed_fields()}
        self.assertTrue(
            {
                "vault_sample.sampleidentity.name",
                "vault_sample.sampleidentity.birth_date",
                "vault_sample.samplerecord.chronology",
                "vault_sample.sampleother.text",
            }
            <= labels
        )
        self.assertEqual(len(labels), len(sealed_fields()))
        self.assertNotIn("vault_sample.samplerecord.desa_code", labels)
        self.assertIn(SampleRecord, sealed_models())

    def test_every_binary_column_is_a_sealed_field(self) -> None:
        # Bytes sealed by hand into a plain BinaryField escape the registry, so
        # rotate_keys would skip them and dropping an old key version would lose them.
        plain = [
            f"{model._meta.label}.{field.name}"
            for model in apps.get_models()
            for field in model._meta.concrete_fields
            if isinstance(field, BinaryField) and not isinstance(field, EncryptedFieldMixin)
        ]
        self.assertEqual(plain, [])


class BlindIndexLookupTests(TestCase):
    def test_number_stored_in_e164_is_found_from_local_spelling(self) -> None:
        wanted = create_identity(phone="+6281271857372")
        create_identity(phone="+6281300000001")
        candidates = SampleIdentity.objects.filter(phone_index=phone_index("0812-7185-7372"))
        # Candidates are confirmed by decrypting: truncation allows false positives.
        confirmed = [c for c in candidates if c.phone == "+6281271857372"]
        self.assertEqual(confirmed, [wanted])

    def test_indonesian_spellings_agree_and_nik_needs_sixteen_digits(self) -> None:
        spellings = ["0812 7185 7372", "+62 812-7185-7372", "6281271857372", "(0812) 71857372"]
        self.assertEqual(len({phone_index(s) for s in spellings}), 1)
        self.assertEqual(len(phone_index("081271857372") or ""), 6)
        self.assertIsNone(phone_index("bukan nomor"))
        self.assertEqual(nik_index("1811 0145 0789 0003"), nik_index(NIK))
        self.assertIsNone(nik_index("12345"))


class RawDatabaseBytesTests(TransactionTestCase):
    """Nothing written through an encrypted field is readable in the database's bytes."""

    def _write(self) -> None:
        for _ in range(3):
            create_record(create_identity())

    @skipUnless(connection.vendor == "sqlite", "reads an SQLite database file")
    def test_sqlite_file_holds_no_plaintext(self) -> None:
        self._write()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "copy.sqlite3"
            connection.ensure_connection()
            settings_name = connection.settings_dict["NAME"]
            if isinstance(settings_name, (str, Path)) and Path(settings_name).is_file():
                # A file database in WAL mode: the main file and its write-ahead log, both.
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(FULL)")
                raw = b"".join(
                    Path(f"{settings_name}{suffix}").read_bytes()
                    for suffix in ("", "-wal", "-journal")
                    if Path(f"{settings_name}{suffix}").is_file()
                )
            else:
                # The test database lives in memory: copy its pages to a file, byte for byte.
                target = sqlite3.connect(path)
                connection.connection.backup(target)
                target.close()
                raw = path.read_bytes()
        self.assertGreater(len(raw), 4096)
        self.assertIn(b"SQLite format 3", raw)
        self.assertIn(b"18.11.01.2001", raw)  # plain statistical fields are plain
        for text in SECRETS:
            self.assertNotIn(text.encode(), raw, text)
            self.assertNotIn(text.encode("utf-16-le"), raw, text)

    @skipUnless(connection.vendor == "postgresql", "reads PostgreSQL row bytes; CI runs the suite on both")
    def test_postgresql_rows_hold_no_plaintext(self) -> None:
        self._write()
        texts: list[str] = []
        blobs: list[bytes] = []
        with connection.cursor() as cursor:
            for model in (SampleIdentity, SampleRecord):
                cursor.execute(f"SELECT t::text FROM {table(model)} t")  # noqa: S608 - a model's own table
                texts += [row[0] for row in cursor.fetchall()]
                columns = [f.column for f in model._meta.concrete_fields if f.get_internal_type() == "BinaryField"]
                cursor.execute(f"SELECT {', '.join(columns)} FROM {table(model)}")  # noqa: S608 - model columns
                blobs += [bytes(value) for row in cursor.fetchall() for value in row if value is not None]
        joined = "\n".join(texts)
        self.assertIn("18.11.01.2001", joined)
        for text in SECRETS:
            self.assertNotIn(text, joined, text)
            self.assertNotIn(text.encode().hex(), joined, text)  # bytea is shown as hex
            for blob in blobs:
                self.assertNotIn(text.encode(), blob, text)
