"""Typed readers for settings that come from the environment.

Each helper rejects a malformed value with a message naming the variable, so a
misconfigured deployment stops at start-up instead of misbehaving later.
"""

from __future__ import annotations

import datetime
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get(name, default).strip()


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    if name not in environ:
        return default
    value = environ[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, got {environ[name]!r}")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    environ = os.environ if environ is None else environ
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {value}")
    return value


def env_choice(
    name: str, choices: tuple[str, ...], default: str, environ: Mapping[str, str] | None = None
) -> str:
    value = env_str(name, default, environ) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    raw = env_str(name, "", environ)
    if not raw:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_dates(name: str, environ: Mapping[str, str] | None = None) -> frozenset[datetime.date]:
    """A comma-separated list of ISO dates (``2026-12-25,2027-01-01``); empty when unset."""
    raw = env_str(name, "", environ)
    dates: set[datetime.date] = set()
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            if len(item) != 10:
                raise ValueError
            dates.add(datetime.date.fromisoformat(item))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must be ISO dates (YYYY-MM-DD) separated by commas, got {item!r}"
            ) from None
    return frozenset(dates)


def env_pattern(
    name: str, pattern: str, default: str, what: str, environ: Mapping[str, str] | None = None
) -> str:
    value = env_str(name, default, environ) or default
    if not re.fullmatch(pattern, value):
        raise ImproperlyConfigured(f"{name} must be {what}, got {value!r}")
    return value


def secret_from_file(path: Path, *, nbytes: int = 48) -> str:
    """Read a development secret, creating it (mode 0600) on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        token = secrets.token_urlsafe(nbytes)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token + "\n")
    return path.read_text().strip()


def database_from_url(url: str, *, sqlite_default: Path) -> dict[str, object]:
    """Turn DATABASE_URL into a Django DATABASES entry.

    Supported: ``sqlite:///relative/or/absolute.sqlite3`` and
    ``postgres://user:password@host:port/name`` (also ``postgresql://``).
    An empty value selects the embedded SQLite default.
    """
    if not url:
        return sqlite_database(sqlite_default)
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raw_path = unquote(parts.path)
        if not raw_path or raw_path == "/":
            raise ImproperlyConfigured("DATABASE_URL: sqlite URL needs a file path, e.g. sqlite:///var/sigap.sqlite3")
        # sqlite:///var/x -> relative "var/x"; sqlite:////abs/x -> "/abs/x"
        path = Path(raw_path[1:]) if raw_path.startswith("/") else Path(raw_path)
        return sqlite_database(path)
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL: a PostgreSQL URL needs a database name")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured("DATABASE_URL: the port is not a number") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {},
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported; use sqlite:// or postgres://"
    )


def sqlite_database(path: Path) -> dict[str, object]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # WAL lets readers run beside the one writer; FULL makes every commit
            # durable across power loss; IMMEDIATE takes the write lock at BEGIN
            # so two writers queue on busy_timeout instead of failing mid-way.
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;"
                "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=30000"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
    }
