"""What a database holds, read through any DB-API cursor: tables, row counts,
migration state and the audit chain's head.

The backup reads these inside the snapshot it dumps (so the manifest describes
exactly the dumped data, however busy the server is), and the restore reads them
again from the restored database to compare.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.migrations.loader import MigrationLoader

from sigap.vault.models import AuditHead

ENGINES = {"django.db.backends.sqlite3": "sqlite", "django.db.backends.postgresql": "postgresql"}


class UnsupportedEngine(Exception):
    pass


def engine_name(settings_dict: dict[str, Any] | None = None) -> str:
    settings_dict = settings_dict or settings.DATABASES["default"]
    engine = str(settings_dict["ENGINE"])
    try:
        return ENGINES[engine]
    except KeyError:
        raise UnsupportedEngine(engine) from None


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def list_tables(cursor: Any, engine: str) -> list[str]:
    if engine == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def table_counts(cursor: Any, engine: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in list_tables(cursor, engine):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - name from the catalogue, quoted
        counts[table] = int(cursor.fetchone()[0])
    return counts


def latest_migrations(cursor: Any, tables: list[str] | dict[str, int]) -> dict[str, str]:
    """The newest applied migration of each app (names start with a sequence number)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def audit_head(cursor: Any, tables: list[str] | dict[str, int]) -> dict[str, Any] | None:
    table = AuditHead._meta.db_table
    if table not in tables:
        return None
    cursor.execute(f"SELECT seq, hash FROM {quote(table)} WHERE id = 1")  # noqa: S608 - our own table name
    row = cursor.fetchone()
    if row is None:
        return {"seq": 0, "hash": "0" * 64}
    return {"seq": int(row[0]), "hash": str(row[1])}


def describe(cursor: Any, engine: str) -> dict[str, Any]:
    counts = table_counts(cursor, engine)
    return {
        "tables": counts,
        "migrations": latest_migrations(cursor, counts),
        "audit_head": audit_head(cursor, counts),
    }


def unknown_migrations(migrations: dict[str, str]) -> list[str]:
    """Migrations a backup has applied that this code does not know (a newer SIGAP made it)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, name in migrations.items() if (app, name) not in known]


def sqlite_integrity(cursor: Any) -> list[str]:
    """Problems found by SQLite's integrity check; empty when the file is sound."""
    cursor.execute("PRAGMA integrity_check")
    rows = [str(row[0]) for row in cursor.fetchall()]
    return [] if rows == ["ok"] else rows
