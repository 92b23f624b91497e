"""Running PostgreSQL's own tools (pg_dump, pg_restore) against the configured database.

Connection details go to the tools through libpq's environment variables, so the
password never appears in a process listing.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

# libpq environment variables for the OPTIONS a DATABASE_URL may carry.
_OPTION_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "passfile": "PGPASSFILE"}


class PgToolError(Exception):
    pass


def settings_dict() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise PgToolError(
            _("%(tool)s tidak ditemukan; pasang paket klien PostgreSQL (postgresql-client).") % {"tool": name}
        )
    return path


def environment(db: dict[str, Any] | None = None) -> dict[str, str]:
    db = db or settings_dict()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    pairs = {
        "PGDATABASE": db.get("NAME"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
    }
    for option, variable in _OPTION_ENV.items():
        pairs[variable] = (db.get("OPTIONS") or {}).get(option)
    env.update({key: str(value) for key, value in pairs.items() if value})
    return env


def connect_kwargs(db: dict[str, Any] | None = None) -> dict[str, Any]:
    db = db or settings_dict()
    kwargs: dict[str, Any] = {"dbname": db["NAME"]}
    for key, name in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
        if db.get(key):
            kwargs[name] = db[key]
    for option in _OPTION_ENV:
        if (db.get("OPTIONS") or {}).get(option):
            kwargs[option] = db["OPTIONS"][option]
    return kwargs


def error_summary(stderr_text: str) -> str:
    """The first ERROR line of a tool's output, without DETAIL/CONTEXT lines (they may quote row values)."""
    lines = [line.strip() for line in stderr_text.splitlines() if line.strip()]
    for line in lines:
        if "ERROR:" in line or "error:" in line:
            return line[:300]
    return lines[0][:300] if lines else ""
