"""Restoring a backup made by ``sigap.ops.backup``, then proving it restored well.

Order matters: everything that can be checked before the database is touched is
checked first (the file's SHA-256, the key, the manifest's HMAC, the schema
version, whether the target already holds data; on SQLite also the decrypted
file's integrity and row counts). Only then is the database replaced, and the
result is verified again: integrity, counts against the manifest, the audit
chain, and a sample of encrypted values opened with the configured key.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, models
from django.utils.translation import gettext as _

from sigap.ops import archive, dbstate, pg, verification
from sigap.ops.backup import (
    FORMAT,
    MANIFEST_FILE,
    BackupError,
    complete_backups,
    create_backup,
    manifest_mac,
    private_workdir,
)
from sigap.ops.models import BackupRun
from sigap.vault import audit
from sigap.vault.keyring import VaultKeyError


class RestoreError(Exception):
    """The restore was refused or failed before the database was changed."""


class RestoreVerificationError(Exception):
    """The database was replaced, but a check afterwards failed."""

    def __init__(self, checks: list[verification.Check]) -> None:
        self.checks = checks
        failed = [c for c in checks if not c.ok]
        super().__init__("; ".join(f"{c.name}: {c.detail}" for c in failed))


@dataclass
class RestoreReport:
    backup: Path
    manifest: dict[str, Any]
    seconds: float = 0.0
    checks: list[verification.Check] = field(default_factory=list)
    safety_backup: Path | None = None


def locate(path: Path | str) -> Path:
    """The backup folder itself, or the newest complete backup inside a folder of backups."""
    path = Path(path).resolve()
    if (path / MANIFEST_FILE).is_file():
        return path
    backups = complete_backups(path)
    if not backups:
        raise RestoreError(_("Tidak ada cadangan SIGAP (manifest.json) di %(path)s.") % {"path": path})
    return backups[0]


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
    except (OSError, ValueError):
        raise RestoreError(_("manifest.json tidak dapat dibaca.")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RestoreError(_("Format cadangan tidak dikenal."))
    return manifest


def check_backup(folder: Path, manifest: dict[str, Any]) -> bytes:
    """Checksum, key and manifest authenticity. Returns the backup key. Touches nothing."""
    data = folder / str(manifest.get("data_file", ""))
    if not data.is_file():
        raise RestoreError(_("Berkas data cadangan tidak ada."))
    if archive.file_sha256(data) != manifest.get("data_sha256"):
        raise RestoreError(_(
            "Checksum tidak cocok: berkas cadangan rusak atau telah diubah. Basis data tidak diubah."
        ))
    try:
        _version, key = archive.backup_key(int(manifest["key_version"]))
    except VaultKeyError:
        raise RestoreError(_(
            "Cadangan ini dienkripsi dengan kunci induk versi %(version)s, yang tidak terpasang. "
            "Pasang kunci induk yang dipakai saat pencadangan (SIGAP_MASTER_KEY)."
        ) % {"version": manifest.get("key_version")}) from None
    if not hmac.compare_digest(archive.key_check(key), str(manifest.get("key_check", ""))):
        raise RestoreError(_(
            "Kunci induk yang terpasang bukan kunci yang dipakai saat pencadangan. "
            "Tanpa kunci yang benar cadangan tidak dapat dibuka."
        ))
    if not hmac.compare_digest(manifest_mac(manifest, key), str(manifest.get("manifest_mac", ""))):
        raise RestoreError(_("manifest.json telah diubah (HMAC tidak cocok)."))
    return key


def check_compatible(manifest: dict[str, Any], engine: str) -> None:
    if manifest.get("engine") != engine:
        raise RestoreError(_(
            "Cadangan ini dari %(theirs)s, tetapi basis data yang dikonfigurasi adalah %(ours)s."
        ) % {"theirs": manifest.get("engine"), "ours": engine})
    unknown = dbstate.unknown_migrations(manifest.get("migrations") or {})
    if unknown:
        raise RestoreError(_(
            "Cadangan dibuat oleh versi SIGAP yang lebih baru (migrasi tidak dikenal: %(names)s). "
            "Perbarui SIGAP dulu."
        ) % {"names": ", ".join(unknown[:5])})


def data_tables_in_use() -> list[str]:
    """Tables holding people or records in the configured database: users, audit
    entries, and every model with encrypted fields (reports, identities, notes...).

    Reference data, task queues and schedules that a fresh installation fills by
    itself do not count: restoring over them loses nothing.
    """
    from sigap.accounts.models import User
    from sigap.vault.models import AuditEntry

    existing = set(connection.introspection.table_names())
    candidates: list[type[models.Model]] = [User, AuditEntry]
    candidates += [model for model, _fields in verification.encrypted_models()]
    busy = {
        model._meta.db_table
        for model in candidates
        if model._meta.db_table in existing and model._base_manager.exists()
    }
    return sorted(busy)


def _restore_sqlite(data: Path, key: bytes, manifest: dict[str, Any], say: Callable[[str], object]) -> None:
    db_path = Path(str(settings.DATABASES["default"]["NAME"]))
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with private_workdir() as workdir:
        plain = workdir / "restore.sqlite3"
        with open(data, "rb") as source, open(plain, "wb") as target:
            archive.decrypt_stream(source, target, key=key)
        check = sqlite3.connect(plain)
        try:
            cursor = check.cursor()
            problems = dbstate.sqlite_integrity(cursor)
            counts = dbstate.table_counts(cursor, "sqlite")
        finally:
            check.close()
        if problems:
            raise RestoreError(_("Berkas cadangan gagal uji integritas: %(p)s") % {"p": "; ".join(problems[:3])})
        compared = verification.compare_counts(manifest["tables"], counts)
        if not compared.ok:
            raise RestoreError(compared.detail)
        say(_("Berkas cadangan utuh dan jumlah barisnya cocok; menyalin ke %(path)s") % {"path": db_path})
        connections.close_all()
        # SQLite's backup API writes the pages through SQLite itself, so the
        # target's WAL and shared memory stay consistent (no stale -wal file can
        # be replayed over the restored data, as a plain file copy would risk).
        source_db = sqlite3.connect(plain)
        target_db = sqlite3.connect(db_path, timeout=30)
        try:
            source_db.backup(target_db, pages=-1)
            target_db.execute("PRAGMA journal_mode = WAL")
            target_db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            target_db.close()
            source_db.close()
        os.chmod(db_path, 0o600)


# Runs in the restore's own transaction, before the dump's SQL: clears every
# object of the current schema (tables, views, sequences, functions such as the
# audit log's append-only trigger function) that does not belong to an extension.
PG_CLEAR_SCHEMA = """
DO $sigap$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
           -- sequences last: an identity column's sequence goes with its table
           ORDER BY c.relkind = 'S'
  LOOP
    EXECUTE format('DROP %s IF EXISTS %I CASCADE',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                     WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.relname);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = current_schema()
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', r.signature);
  END LOOP;
END
$sigap$;
"""


def _restore_postgres(data: Path, key: bytes, say: Callable[[str], object]) -> None:
    pg_restore, psql = pg.tool("pg_restore"), pg.tool("psql")
    env = pg.environment()
    with private_workdir() as workdir:
        plain = workdir / "restore.dump"
        with open(data, "rb") as source, open(plain, "wb") as target:
            archive.decrypt_stream(source, target, key=key)
        connections.close_all()
        say(_("Memulihkan ke basis data PostgreSQL %(name)s") % {"name": settings.DATABASES["default"]["NAME"]})
        # pg_restore writes the dump as SQL; psql runs it after PG_CLEAR_SCHEMA in
        # ONE transaction: the database holds either its old contents or the
        # whole backup, never a half-restored mix.
        errors = workdir / "restore.err"
        with open(errors, "wb") as err:
            loader = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
                [psql, "--no-psqlrc", "--quiet", "--no-password", "--single-transaction",
                 "--set", "ON_ERROR_STOP=1", "--file", "-"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err, env=env,
            )
            writer = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
                [pg_restore, "--no-owner", "--no-privileges", "--file", "-", str(plain)],
                stdout=subprocess.PIPE, stderr=err, env=env,
            )
            assert loader.stdin is not None and writer.stdout is not None
            try:
                loader.stdin.write(PG_CLEAR_SCHEMA.encode())
                while block := writer.stdout.read(archive.READ_SIZE):
                    loader.stdin.write(block)
            except BrokenPipeError:
                pass  # psql stopped at an error; its exit code and message tell
            finally:
                writer.stdout.close()
                with contextlib.suppress(BrokenPipeError):
                    loader.stdin.close()
                writer_code, loader_code = writer.wait(), loader.wait()
        if writer_code != 0 or loader_code != 0:
            message = pg.error_summary(errors.read_text(errors="replace")) or f"exit {writer_code}/{loader_code}"
            raise RestoreError(_("Pemulihan PostgreSQL gagal dan dibatalkan seluruhnya: %(message)s")
                               % {"message": message})


def verify_restored(manifest: dict[str, Any], engine: str) -> list[verification.Check]:
    connections.close_all()
    with connection.cursor() as cursor:
        counts = dbstate.table_counts(cursor, engine)
    return [
        verification.integrity(engine),
        verification.compare_counts(manifest["tables"], counts),
        verification.audit_head_matches(manifest.get("audit_head")),
        verification.verify_audit_chain(),
        verification.decrypt_sample(),
    ]


def restore_backup(path: Path | str, *, force: bool = False, safety_backup: bool = True,
                   say: Callable[[str], object] = lambda message: None) -> RestoreReport:
    started = time.monotonic()
    folder = locate(path)
    manifest = read_manifest(folder)
    say(_("Cadangan: %(path)s (dibuat %(at)s)") % {"path": folder, "at": manifest.get("created_at")})
    key = check_backup(folder, manifest)
    say(_("Checksum, kunci dan manifes cocok."))
    engine = dbstate.engine_name()
    check_compatible(manifest, engine)
    report = RestoreReport(folder, manifest)

    in_use = data_tables_in_use()
    if in_use:
        if not force:
            raise RestoreError(_(
                "Basis data tujuan tidak kosong (berisi data di %(tables)s). Gunakan --force untuk "
                "menimpanya (basis data saat ini dicadangkan dulu)."
            ) % {"tables": ", ".join(in_use[:5])})
        if safety_backup:
            try:
                outcome = create_backup(Path(settings.SIGAP_BACKUP_DIR) / "pre-restore", trigger=BackupRun.Trigger.MANUAL)
            except BackupError as error:
                raise RestoreError(_(
                    "Cadangan pengaman dari basis data saat ini gagal (%(error)s); pemulihan dibatalkan. "
                    "Gunakan --no-safety-backup jika data saat ini memang boleh hilang."
                ) % {"error": error}) from None
            report.safety_backup = outcome.path
            say(_("Basis data saat ini dicadangkan dulu ke %(path)s") % {"path": outcome.path})

    data = folder / str(manifest["data_file"])
    if engine == "sqlite":
        _restore_sqlite(data, key, manifest, say)
    else:
        _restore_postgres(data, key, say)

    report.checks = verify_restored(manifest, engine)
    report.seconds = time.monotonic() - started
    if not all(check.ok for check in report.checks):
        raise RestoreVerificationError(report.checks)
    audit.record("ops.restore", object_type="ops.backup", object_id=folder.name[:64],
                 reason=f"backup created {manifest.get('created_at')}")
    return report
