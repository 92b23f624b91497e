"""Online, consistent, encrypted backups of the whole database.

A backup is a folder ``sigap-<UTC time>`` holding two files:

``database.sigap``
    the database, encrypted (``sigap.ops.archive``) with the backup key derived
    from the master key. SQLite: a page-level copy made with SQLite's backup API
    (one read transaction, so the server keeps writing). PostgreSQL:
    ``pg_dump --format=custom`` reading an exported snapshot.
``manifest.json``
    not encrypted and free of personal data: time, engine, migration state,
    row counts per table, the audit chain's head, the encrypted file's SHA-256,
    the key version, and an HMAC over all of it with the backup key.

The counts and the audit head are read inside the same snapshot that is dumped,
so the restore can demand exact equality. The master key is never written into a
backup: whoever holds a backup and not the key holds nothing readable.

The folder is written under a hidden ``.partial-`` name and renamed when
complete, so a backup that exists under its final name is whole.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.ops import archive, dbstate, pg
from sigap.ops.models import BackupRun
from sigap.vault import audit

FORMAT = "sigap-backup/1"
DATA_FILE = "database.sigap"
MANIFEST_FILE = "manifest.json"
NAME_PREFIX = "sigap-"
PARTIAL_PREFIX = ".partial-"
# Partial folders older than this were left by a run that was killed.
PARTIAL_MAX_AGE = datetime.timedelta(hours=12)


class BackupError(Exception):
    """A backup could not be made. The message is safe to show and to store."""


@dataclass
class BackupOutcome:
    path: Path
    manifest: dict[str, Any]
    seconds: float
    run_id: int | None


def sigap_version() -> str:
    try:
        return metadata.version("sigap")
    except metadata.PackageNotFoundError:
        return "unknown"


def manifest_mac(manifest: dict[str, Any], key: bytes) -> str:
    body = {k: v for k, v in manifest.items() if k != "manifest_mac"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, b"sigap-backup-manifest|" + canonical, hashlib.sha256).hexdigest()


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def directory_lock(directory: Path) -> Iterator[None]:
    """One backup at a time per folder; the lock dies with the process that holds it."""
    fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(_("Pencadangan lain sedang berjalan di %(dir)s.") % {"dir": directory}) from None
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def private_workdir() -> Iterator[Path]:
    """A 0700 scratch folder beside the live data for unencrypted intermediate files."""
    base = Path(settings.DATA_DIR)
    base.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".ops-work-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _sqlite_snapshot(workdir: Path, encrypted: Path, key_version: int, key: bytes) -> tuple[dict[str, Any], archive.EncryptResult]:
    snapshot = workdir / "snapshot.sqlite3"
    # Django's own connection is the source (it carries the busy timeout and,
    # under tests, points at the test database).
    if connection.in_atomic_block:
        # SQLite's backup step would wait forever for this connection's own
        # write transaction to end.
        raise BackupError(_("Pencadangan tidak dapat berjalan di dalam transaksi."))
    connection.ensure_connection()
    source = connection.connection
    target = sqlite3.connect(snapshot)
    try:
        # pages=-1 copies everything in one step under one read transaction:
        # a consistent snapshot, while WAL lets the server go on writing.
        source.backup(target, pages=-1)
        created_at = timezone.now()
        target.execute("PRAGMA journal_mode = DELETE")
        cursor = target.cursor()
        problems = dbstate.sqlite_integrity(cursor)
        if problems:
            raise BackupError(_("Basis data gagal uji integritas: %(problems)s") % {"problems": "; ".join(problems[:3])})
        info = dbstate.describe(cursor, "sqlite")
    finally:
        target.close()
    info["created_at"] = created_at.isoformat()
    with open(snapshot, "rb") as plain, open(encrypted, "wb") as out:
        result = archive.encrypt_stream(plain, out, key_version=key_version, key=key)
        out.flush()
        os.fsync(out.fileno())
    return info, result


def _postgres_snapshot(workdir: Path, encrypted: Path, key_version: int, key: bytes) -> tuple[dict[str, Any], archive.EncryptResult]:
    import psycopg

    pg_dump = pg.tool("pg_dump")
    conn = psycopg.connect(**pg.connect_kwargs())
    try:
        # One REPEATABLE READ snapshot, exported to pg_dump: the counts and the
        # audit head below describe exactly the rows that pg_dump writes.
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = conn.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')").fetchone()
        assert row is not None
        snapshot_id, server_version = row
        created_at = timezone.now()
        with conn.cursor() as cursor:
            info = dbstate.describe(cursor, "postgresql")
        info["created_at"] = created_at.isoformat()
        info["server_version_num"] = int(server_version)
        errors = workdir / "pg_dump.err"
        with open(errors, "wb") as err, open(encrypted, "wb") as out:
            process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
                [pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--no-password",
                 f"--snapshot={snapshot_id}"],
                stdout=subprocess.PIPE, stderr=err, env=pg.environment(),
            )
            assert process.stdout is not None
            try:
                result = archive.encrypt_stream(process.stdout, out, key_version=key_version, key=key)
            finally:
                process.stdout.close()
                code = process.wait()
            out.flush()
            os.fsync(out.fileno())
        if code != 0:
            raise BackupError(_("pg_dump gagal (kode %(code)s): %(message)s")
                              % {"code": code, "message": pg.error_summary(errors.read_text(errors="replace"))})
        conn.rollback()
    finally:
        conn.close()
    return info, result


def _unique_name(parent: Path, now: datetime.datetime) -> str:
    base = NAME_PREFIX + now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    name, n = base, 1
    while (parent / name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _start_run(trigger: str) -> BackupRun:
    with transaction.atomic():
        run = BackupRun.objects.create(trigger=trigger)
        # A backup is a copy of every record leaving the database: it is audited
        # like an export and shows up in breach_report.
        audit.record("ops.backup_export", obj=run, reason=trigger)
    return run


def _safe_error(error: BaseException) -> str:
    """Our own messages are safe; anything else is reduced to its type (it might quote data)."""
    if isinstance(error, (BackupError, archive.ArchiveError, pg.PgToolError)):
        return str(error)
    if isinstance(error, OSError):
        return f"{type(error).__name__}: {error.strerror or ''} {error.filename or ''}".strip()
    return type(error).__name__


def create_backup(parent: Path | str, *, trigger: str = BackupRun.Trigger.MANUAL, keep: int | None = None,
                  say: Callable[[str], object] | None = None) -> BackupOutcome:
    """Make one backup folder inside ``parent``; with ``keep``, prune older ones afterwards."""
    parent = Path(parent).resolve()
    parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = dbstate.engine_name()
    started = time.monotonic()
    with directory_lock(parent):
        run = _start_run(trigger)
        partial: Path | None = None
        try:
            name = _unique_name(parent, timezone.now())
            partial = parent / f"{PARTIAL_PREFIX}{name}-{secrets.token_hex(4)}"
            partial.mkdir(mode=0o700)
            key_version, key = archive.backup_key()
            encrypted = partial / DATA_FILE
            snapshot = _sqlite_snapshot if engine == "sqlite" else _postgres_snapshot
            with private_workdir() as workdir:
                info, result = snapshot(workdir, encrypted, key_version, key)
            os.chmod(encrypted, 0o600)
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "created_at": info.pop("created_at"),
                "engine": engine,
                "sigap_version": sigap_version(),
                "django_version": django.get_version(),
                **info,
                "data_file": DATA_FILE,
                "data_size": result.encrypted_size,
                "data_sha256": result.sha256,
                "plain_size": result.plain_size,
                "cipher": "AES-256-GCM, 4 MiB chunks, HKDF-SHA256 file key",
                "key_version": key_version,
                "key_check": archive.key_check(key),
                "backup_run": run.pk,
            }
            manifest["manifest_mac"] = manifest_mac(manifest, key)
            manifest_path = partial / MANIFEST_FILE
            fd = os.open(manifest_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(manifest, handle, indent=2, sort_keys=True)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            size = result.encrypted_size + manifest_path.stat().st_size
            _fsync_path(partial)
            final = parent / name
            partial.rename(final)
            partial = None
            _fsync_path(parent)
        except BaseException as error:
            if partial is not None:
                shutil.rmtree(partial, ignore_errors=True)
            BackupRun.objects.filter(pk=run.pk).update(
                status=BackupRun.Status.FAILED, finished_at=timezone.now(), error=_safe_error(error)
            )
            if isinstance(error, BackupError):
                raise
            if isinstance(error, Exception):
                raise BackupError(_safe_error(error)) from error
            raise
        BackupRun.objects.filter(pk=run.pk).update(
            status=BackupRun.Status.OK, finished_at=timezone.now(), path=str(final),
            size_bytes=size,
        )
        if say is not None:
            say(_("Cadangan dibuat: %(path)s") % {"path": final})
        if keep is not None:
            for removed in prune(parent, keep):
                if say is not None:
                    say(_("Cadangan lama dihapus: %(path)s") % {"path": removed})
    return BackupOutcome(final, manifest, time.monotonic() - started, run.pk)


def complete_backups(parent: Path) -> list[Path]:
    """Finished backup folders in ``parent``, newest first."""
    if not parent.is_dir():
        return []
    found = [p for p in parent.iterdir()
             if p.is_dir() and p.name.startswith(NAME_PREFIX) and (p / MANIFEST_FILE).is_file()]
    return sorted(found, key=lambda p: p.name, reverse=True)


def prune(parent: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups, and partial folders left by killed runs."""
    removed = []
    for old in complete_backups(parent)[keep:]:
        shutil.rmtree(old)
        removed.append(old)
    cutoff = time.time() - PARTIAL_MAX_AGE.total_seconds()
    for leftover in parent.glob(PARTIAL_PREFIX + "*"):
        if leftover.is_dir() and leftover.stat().st_mtime < cutoff:
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed
