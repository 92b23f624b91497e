"""Backup and restore of real databases by real processes, on the suite's engine.

With DATABASE_URL pointing at PostgreSQL the sites are PostgreSQL databases
created (and dropped) for the test; otherwise SQLite files in temporary folders.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from django.test import SimpleTestCase

from sigap.ops.tests.harness import DIGEST, OTHER_MASTER_KEY, SEED, WRITER, Site, postgres_url


class BackupRestoreTests(SimpleTestCase):
    """One seeded source site and its backup, made once; each test restores it somewhere."""

    engine = "postgresql" if postgres_url() else "sqlite"
    root: Path
    sites: list[Site]
    template: Site
    source: Site
    backup: Path
    source_digest: str
    digest_script: str
    backup_seq: int

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.root = Path(tempfile.mkdtemp(prefix="sigap-ops-test-"))
        cls.sites = []
        cls.template = cls.site("template")
        cls.template.manage("migrate", "--verbosity", "0")
        cls.source = cls.site("source", clone=True)
        cls.source.python(SEED)
        out = cls.source.manage("backup", str(cls.source.backup_dir)).stdout
        assert "Kunci induk TIDAK ada di dalam cadangan" in out, out
        [cls.backup] = [p for p in cls.source.backup_dir.iterdir() if p.name.startswith("sigap-")]
        cls.backup_seq = json.loads((cls.backup / "manifest.json").read_text())["audit_head"]["seq"]
        # Content up to the backup's audit head (entries after it are the restore's own).
        cls.digest_script = DIGEST.replace('order_by("seq")', f'filter(seq__lte={cls.backup_seq}).order_by("seq")')
        cls.source_digest = cls.source.python(cls.digest_script).stdout.split()[0]

    @classmethod
    def tearDownClass(cls) -> None:
        for site in cls.sites:
            site.destroy()
        shutil.rmtree(cls.root, ignore_errors=True)
        super().tearDownClass()

    @classmethod
    def site(cls, name: str, *, clone: bool = False) -> Site:
        site = Site(cls.root, f"{name}{len(cls.sites)}", engine=cls.engine)
        cls.sites.append(site)
        if clone:
            site.clone_from(cls.template)
        return site

    def damaged_copy(self, change: str) -> Path:
        copy = self.root / f"damaged-{change}-{time.monotonic_ns()}" / self.backup.name
        shutil.copytree(self.backup, copy)
        if change == "data":
            data = copy / "database.sigap"
            raw = bytearray(data.read_bytes())
            raw[len(raw) // 2] ^= 0x01
            data.write_bytes(bytes(raw))
        elif change == "manifest":
            manifest = json.loads((copy / "manifest.json").read_text())
            manifest["tables"]["vault_auditentry"] -= 1
            (copy / "manifest.json").write_text(json.dumps(manifest))
        return copy

    def test_the_manifest_describes_the_backup_without_personal_data(self) -> None:
        manifest = json.loads((self.backup / "manifest.json").read_text())
        self.assertEqual(manifest["engine"], self.engine)
        self.assertEqual(manifest["audit_head"]["seq"], manifest["tables"]["vault_auditentry"])
        self.assertGreaterEqual(manifest["tables"]["vault_auditentry"], 120)
        self.assertIn("vault", manifest["migrations"])
        self.assertEqual(len(manifest["data_sha256"]), 64)
        for key in ("created_at", "sigap_version", "key_version", "manifest_mac", "plain_size"):
            self.assertIn(key, manifest)
        text = (self.backup / "manifest.json").read_text() + (self.backup / "database.sigap").read_bytes().hex()
        for personal in ("Nama Uji", "Dusun", "1811000000000000", "Siti Contoh", "Uraian kejadian"):
            self.assertNotIn(personal, text)
            self.assertNotIn(personal.encode().hex(), text)

    def test_restore_into_a_fresh_database_reproduces_everything_and_verifies(self) -> None:
        target = self.site("fresh")
        # Given the folder of backups, restore picks the newest one in it.
        result = target.manage("restore", str(self.source.backup_dir))
        self.assertIn(self.backup.name, result.stdout)
        self.assertIn("Pemulihan selesai dan terverifikasi", result.stdout)
        self.assertNotIn("GAGAL", result.stdout)
        for check in ("Integritas", "Jumlah baris", "Kepala rantai audit", "Rantai audit", "Dekripsi sampel"):
            self.assertIn(f"OK    {check}", result.stdout)
        # Same users, same audit chain up to the backup, same sealed values;
        # after it, the one entry the restore itself appended.
        digest, count = target.python(self.digest_script).stdout.split()
        self.assertEqual(digest, self.source_digest)
        self.assertEqual(int(count), self.backup_seq + 1)

    def test_a_backup_with_one_byte_changed_fails_its_checksum_and_changes_nothing(self) -> None:
        target = self.site("tampered", clone=True)
        before = target.fingerprint()
        result = target.manage("restore", str(self.damaged_copy("data")), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Checksum tidak cocok", result.stderr)
        self.assertEqual(target.fingerprint(), before)

    def test_an_altered_manifest_is_refused(self) -> None:
        result = self.site("manifest").manage("restore", str(self.damaged_copy("manifest")), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("manifest.json telah diubah", result.stderr)

    def test_restore_without_the_master_key_used_for_the_backup_is_refused(self) -> None:
        result = self.site("wrongkey").manage("restore", str(self.backup), check=False,
                                              SIGAP_MASTER_KEY=OTHER_MASTER_KEY)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("bukan kunci yang dipakai saat pencadangan", result.stderr)

    def test_restore_onto_a_database_with_records_refuses_without_force(self) -> None:
        target = self.site("busy", clone=True)
        target.python("from sigap.lib.testing import create_user\ncreate_user('operator', 'sudah-ada')")
        before = target.fingerprint()
        result = target.manage("restore", str(self.backup), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("tidak kosong", result.stderr)
        self.assertIn("--force", result.stderr)
        self.assertEqual(target.fingerprint(), before)
        # Forced, the current database is backed up first, then replaced; row
        # counts verified equal to the manifest show the extra user is gone.
        forced = target.manage("restore", str(self.backup), "--force")
        self.assertIn("Pemulihan selesai dan terverifikasi", forced.stdout)
        self.assertIn("dicadangkan dulu", forced.stdout)
        self.assertIn("OK    Jumlah baris", forced.stdout)
        self.assertEqual(len(list((target.backup_dir / "pre-restore").glob("sigap-*/manifest.json"))), 1)

    def test_backup_while_reports_are_being_filed_restores_consistently(self) -> None:
        site = self.site("busywriter", clone=True)
        writer = site.popen(WRITER)
        try:
            assert writer.stdout is not None
            self.assertEqual(writer.stdout.readline().strip(), "writing")
            site.manage("backup", str(site.backup_dir))
            self.assertIsNone(writer.poll(), "the writer must still be writing when the backup ends")
        finally:
            writer.kill()
            writer.wait()
        [backup] = site.backup_dir.glob("sigap-*")
        manifest = json.loads((backup / "manifest.json").read_text())
        self.assertGreaterEqual(manifest["tables"]["intake_report"], 10)
        result = self.site("busyrestore").manage("restore", str(backup))
        self.assertIn("Pemulihan selesai dan terverifikasi", result.stdout)
        self.assertIn("OK    Rantai audit", result.stdout)
