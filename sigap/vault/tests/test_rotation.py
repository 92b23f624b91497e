from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Model
from django.test import TestCase, override_settings

from sigap.vault import audit
from sigap.vault.crypto import VaultKeyError, key_version_of
from sigap.vault.keyring import reset_keyring
from sigap.vault.models import KeyRotationCursor
from sigap.vault.rotation import rotate_all, version_census
from sigap.vault.testing import exact_keys, key_versions
from sigap.vault.tests.factories import NAME, create_identity, create_record
from sigap.vault.tests.sample_app.models import SampleIdentity, SampleRecord


def stored_versions(model: type[Model], column: str) -> set[int]:
    with connection.cursor() as cursor:
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT {quote(column)} FROM {quote(model._meta.db_table)}")  # noqa: S608 - model names
        return {key_version_of(bytes(row[0])) for row in cursor.fetchall() if row[0] is not None}


SAMPLE = [SampleIdentity, SampleRecord]
MODEL_ARGS = ["--model", "vault_sample.SampleIdentity", "--model", "vault_sample.SampleRecord"]


class Crash(Exception):
    pass


class RotationTests(TestCase):
    def test_ten_thousand_records_rotate_and_read_back(self) -> None:
        SampleIdentity.objects.bulk_create(
            SampleIdentity(name=f"Nama Uji {i}", nik=f"{1811000000000000 + i}", phone=f"+62812{i:08d}")
            for i in range(10_000)
        )
        with key_versions(add=(2,)):
            report = rotate_all(only=SAMPLE, batch_size=500)
            self.assertEqual(report.target_version, 2)
            self.assertEqual(report.resealed, 30_000)
            self.assertEqual(stored_versions(SampleIdentity, "name"), {2})
            names = dict(SampleIdentity.objects.values_list("pk", "name"))
            self.assertEqual(len(names), 10_000)
            self.assertEqual(sorted(names.values()), sorted(f"Nama Uji {i}" for i in range(10_000)))
            self.assertFalse(KeyRotationCursor.objects.exists())
            # Nothing is left for a second run.
            self.assertEqual(rotate_all(only=SAMPLE).resealed, 0)

    def test_a_crashed_run_resumes_after_the_last_committed_batch(self) -> None:
        for i in range(25):
            create_record(create_identity(name=f"Orang {i}"))
        batches: list[str] = []

        def crash_on_third_batch(label: str, count: int) -> None:
            batches.append(label)
            if len(batches) == 2:
                raise Crash

        with key_versions(add=(2,)):
            with self.assertRaises(Crash):
                rotate_all(only=SAMPLE, batch_size=10, on_batch=crash_on_third_batch)
            cursor = KeyRotationCursor.objects.get(model_label="vault_sample.sampleidentity", target_version=2)
            self.assertEqual(cursor.resealed, 2 * 10 * 5)  # two batches of ten rows, five fields each
            self.assertEqual(stored_versions(SampleIdentity, "name"), {1, 2})
            seen: list[str] = []
            report = rotate_all(only=SAMPLE, batch_size=10, on_batch=lambda label, count: seen.append(label))
            # Resumed: only the five rows after the cursor are visited again.
            self.assertEqual(seen.count("vault_sample.sampleidentity"), 1)
            self.assertEqual(report.already_current, 0)
            for column in ("name", "nik", "phone", "address", "birth_date"):
                self.assertEqual(stored_versions(SampleIdentity, column), {2}, column)
            self.assertEqual(stored_versions(SampleRecord, "chronology"), {2})
            self.assertEqual(sorted(SampleIdentity.objects.values_list("name", flat=True)),
                             sorted(f"Orang {i}" for i in range(25)))

    def test_a_row_rewritten_meanwhile_is_left_to_the_application(self) -> None:
        identity = create_identity()
        with key_versions(add=(2,)):
            from sigap.vault import rotation

            real_rows = rotation._raw_rows

            def rows_then_rewrite(*args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
                rows = real_rows(*args, **kwargs)
                if rows and args[0] is SampleIdentity:
                    SampleIdentity.objects.filter(pk=identity.pk).update(name="Nama Baru")
                return rows

            with mock.patch.object(rotation, "_raw_rows", rows_then_rewrite):
                report = rotate_all(only=SAMPLE)
            self.assertEqual(report.changed_meanwhile, 1)
            self.assertEqual(SampleIdentity.objects.get(pk=identity.pk).name, "Nama Baru")

    def test_values_stay_readable_with_both_versions_and_fail_clearly_without_the_new_one(self) -> None:
        create_identity()
        with key_versions(add=(2,)) as ring:
            rotate_all(only=SAMPLE)
            masters = dict(ring.masters)
        with exact_keys({1: masters[1]}), self.assertRaisesMessage(VaultKeyError, "version 2"):
            SampleIdentity.objects.get()
        with exact_keys(masters):
            self.assertEqual(SampleIdentity.objects.get().name, NAME)

    def test_audit_chain_and_blind_indexes_keep_version_one(self) -> None:
        audit.record("test.before")
        identity = create_identity()
        with key_versions(add=(2,)):
            rotate_all(only=SAMPLE)
            audit.record("test.after")
            self.assertTrue(audit.verify_chain().ok)
            self.assertEqual(
                SampleIdentity.objects.filter(phone_index=identity.phone_index).count(), 1
            )

    def test_census_counts_values_per_version(self) -> None:
        create_identity(address=None)
        census = version_census(SAMPLE)
        self.assertEqual(census["vault_sample.sampleidentity.name"], {1: 1})
        self.assertEqual(census["vault_sample.sampleidentity.address"], {})


class RotateKeysCommandTests(TestCase):
    def test_new_version_in_development_appends_a_key_and_rotates(self) -> None:
        create_identity()
        keyring_masters = self._current_masters()
        with self.settings(DATA_DIR=Path(self._tmp())):
            saved = {k: os.environ.pop(k) for k in ("SIGAP_MASTER_KEY", "SIGAP_MASTER_KEY_FILE") if k in os.environ}
            reset_keyring()
            try:
                from sigap.vault.keyring import development_key_file, keyring

                path = development_key_file()
                path.parent.mkdir(parents=True)
                path.write_text("".join(f"{v}:{self._b64(k)}\n" for v, k in keyring_masters.items()))
                reset_keyring()
                out = io.StringIO()
                call_command("rotate_keys", "--new-version", *MODEL_ARGS, stdout=out)
                self.assertIn("Added master key version 2", out.getvalue())
                self.assertIn("Done: 5 values re-sealed", out.getvalue())
                self.assertEqual(len(path.read_text().splitlines()), 2)
                self.assertEqual(keyring().current_version, 2)
                self.assertEqual(stored_versions(SampleIdentity, "name"), {2})
                self.assertEqual(SampleIdentity.objects.get().name, NAME)
            finally:
                os.environ.update(saved)
                reset_keyring()

    def test_new_version_outside_development_tells_the_operator_what_to_do(self) -> None:
        with key_versions(), override_settings(PRODUCTION=True), self.assertRaisesMessage(
            CommandError, "Add master key version 2 to SIGAP_MASTER_KEY"
        ):
            call_command("rotate_keys", "--new-version", stdout=io.StringIO())

    def test_status_reports_values_behind_and_changes_nothing(self) -> None:
        create_identity()
        with key_versions(add=(2,)):
            out = io.StringIO()
            call_command("rotate_keys", "--status", *MODEL_ARGS, stdout=out)
            self.assertIn("vault_sample.sampleidentity.name: v1: 1", out.getvalue())
            self.assertIn("values are not yet under the current version 2", out.getvalue())
            self.assertEqual(stored_versions(SampleIdentity, "name"), {1})

    def test_unknown_model_is_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "unknown model"):
            call_command("rotate_keys", "--model", "tidak.ada", stdout=io.StringIO())

    def test_bad_batch_size_is_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "--batch-size"):
            call_command("rotate_keys", "--batch-size", "0", stdout=io.StringIO())

    def _tmp(self) -> str:
        import tempfile

        folder = tempfile.mkdtemp()
        self.addCleanup(__import__("shutil").rmtree, folder, True)
        return folder

    @staticmethod
    def _current_masters() -> dict[int, bytes]:
        from sigap.vault.keyring import keyring

        return dict(keyring().masters)

    @staticmethod
    def _b64(key: bytes) -> str:
        import base64

        return base64.b64encode(key).decode()
