"""Real databases in real processes, for backup and restore tests.

A ``Site`` is one SIGAP installation: its own data folder and its own database
(an SQLite file in that folder, or a PostgreSQL database created for the test
when the suite itself runs on PostgreSQL). Commands run as subprocesses, as an
operator would run them, all with the same master key.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings

from sigap.lib.env import database_from_url

MASTER_KEY = "1:" + base64.b64encode(hashlib.sha256(b"sigap-ops-test-key").digest()).decode()
OTHER_MASTER_KEY = "1:" + base64.b64encode(hashlib.sha256(b"another-key").digest()).decode()
BASE_DIR = Path(settings.BASE_DIR)


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _admin_connection() -> Any:
    import psycopg

    url = postgres_url()
    assert url is not None
    db = database_from_url(url, sqlite_default=Path("unused"))
    # The maintenance database: the one in DATABASE_URL need not exist (the test
    # runner uses test_<name>).
    kwargs: dict[str, Any] = {"dbname": "postgres", "autocommit": True}
    for key, name in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
        if db.get(key):
            kwargs[name] = db[key]
    return psycopg.connect(**kwargs)


class Site:
    def __init__(self, root: Path, name: str, *, engine: str) -> None:
        self.name = name
        self.engine = engine
        self.data_dir = root / name
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.database = f"sigap_ops_{uuid.uuid4().hex[:10]}_{name}" if engine == "postgresql" else ""
        if engine == "postgresql":
            with _admin_connection() as conn:
                conn.execute(f'CREATE DATABASE "{self.database}"')

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def sqlite_file(self) -> Path:
        return self.data_dir / "sigap.sqlite3"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGAP_", "DATABASE_URL", "PG"))}
        env.update(
            DJANGO_SETTINGS_MODULE="sigap.settings_test",
            SIGAP_ENV="development",
            SIGAP_DATA_DIR=str(self.data_dir),
            SIGAP_MASTER_KEY=MASTER_KEY,
            SIGAP_BACKUP_DIR=str(self.backup_dir),
            PYTHONDONTWRITEBYTECODE="1",
        )
        if self.engine == "postgresql":
            url = postgres_url()
            assert url is not None
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + self.database
        env.update(extra)
        return env

    def manage(self, *args: str, check: bool = True, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env(**env),
            capture_output=True, text=True, timeout=timeout, check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def python(self, code: str, *, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        prelude = "import django\ndjango.setup()\n"
        result = subprocess.run(
            [sys.executable, "-c", prelude + code], cwd=BASE_DIR, env=self.env(),
            capture_output=True, text=True, timeout=timeout, check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"script failed:\n{result.stdout}\n{result.stderr}")
        return result

    def popen(self, code: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-u", "-c", "import django\ndjango.setup()\n" + code], cwd=BASE_DIR, env=self.env(),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )

    def clone_from(self, other: Site) -> None:
        """Make this site a copy of ``other`` (used to migrate once and reuse)."""
        if self.engine == "postgresql":
            with _admin_connection() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}"')
                conn.execute(f'CREATE DATABASE "{self.database}" TEMPLATE "{other.database}"')
        else:
            shutil.copy2(other.sqlite_file, self.sqlite_file)

    def fingerprint(self) -> str:
        """A digest of the database's whole content, to show that something was not touched."""
        if self.engine == "postgresql":
            code = (
                "from django.db import connection\n"
                "from sigap.ops import dbstate\n"
                "with connection.cursor() as c: print(sorted(dbstate.table_counts(c, 'postgresql').items()))\n"
            )
            return self.python(code).stdout
        if not self.sqlite_file.exists():
            return "absent"
        return hashlib.sha256(self.sqlite_file.read_bytes()).hexdigest()

    def destroy(self) -> None:
        if self.engine == "postgresql":
            with _admin_connection() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)


# Fills a site with users, audit entries of every kind, reports filed through
# intake and, when the vault's sample models are installed, sealed identities.
SEED = """
from django.apps import apps
from sigap.lib.testing import create_user
from sigap.vault import audit
users = [create_user(role, f"{role}-{i}") for i, role in enumerate(["operator", "manager", "admin"] * 3)]
for i in range(120):
    audit.record(["intake.report.open", "auth.login", "stats.export", "intake.report.reveal_reporter"][i % 4],
                 actor=users[i % len(users)], object_type="intake.report", object_id=i % 17)
from sigap.intake.tests.factories import create_report
from sigap.lib.testing import load_test_regions
load_test_regions()
for i in range(5):
    create_report(by=users[0])
if apps.is_installed("sigap.vault.tests.sample_app"):
    from sigap.vault.tests.sample_app.models import SampleIdentity, SampleRecord
    for i in range(40):
        identity = SampleIdentity.objects.create(name=f"Nama Uji {i}", nik=f"{1811000000000000 + i}",
                                                 address=f"Dusun {i}")
        SampleRecord.objects.create(identity=identity, chronology="kronologi " * i, desa_code="18.11.01.2001")
"""

# A digest of the content a restored copy must reproduce, and the audit count.
DIGEST = """
import hashlib
from django.apps import apps
from sigap.accounts.models import User
from sigap.vault.models import AuditEntry
h = hashlib.sha256()
for row in User.objects.order_by("pk").values_list("pk", "username", "role"):
    h.update(repr(row).encode())
for row in AuditEntry.objects.order_by("seq").values_list("seq", "hash"):
    h.update(repr(row).encode())
from sigap.intake.models import Report
for report in Report.objects.order_by("pk").prefetch_related("events"):
    h.update(repr((report.registration_number, [e.description for e in report.events.all()])).encode())
if apps.is_installed("sigap.vault.tests.sample_app"):
    from sigap.vault.tests.sample_app.models import SampleIdentity, SampleRecord
    for i in SampleIdentity.objects.order_by("pk"):
        h.update(repr((i.pk, i.name, i.nik, i.address)).encode())
    for r in SampleRecord.objects.order_by("pk"):
        h.update(repr((r.pk, r.identity_id, r.chronology)).encode())
print(h.hexdigest(), AuditEntry.objects.count())
"""

# Files reports through intake's real action (each its own transaction, with its
# audit entries, as requests do) until killed; stops by itself after a minute.
WRITER = """
import time
from sigap.intake.tests.factories import create_report
from sigap.lib.testing import create_user, load_test_regions
load_test_regions()
user = create_user("operator", "penulis")
n = 0
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    create_report(by=user)
    n += 1
    if n == 10:
        print("writing", flush=True)
"""
