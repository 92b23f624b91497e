"""Bad settings stop the process at start-up with a message naming the variable."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sigap.lib.env import database_from_url, env_bool, env_dates, env_int, env_pattern

ROOT = Path(__file__).resolve().parents[3]


def import_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SIGAP_", "DATABASE_URL", "SECRET_KEY", "DEBUG"))}
    clean.update({"SIGAP_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", "import sigap.settings"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False,
    )


def test_development_defaults_start_and_create_a_private_secret(tmp_path: Path) -> None:
    result = import_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    secret = tmp_path / "secret_key"
    assert secret.exists()
    assert secret.stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    result = import_settings(tmp_path, SIGAP_ENV="production", ALLOWED_HOSTS="sigap.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_debug(tmp_path: Path) -> None:
    result = import_settings(tmp_path, SIGAP_ENV="production", DEBUG="true", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_needs_allowed_hosts(tmp_path: Path) -> None:
    result = import_settings(tmp_path, SIGAP_ENV="production", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SIGAP_ENV": "staging"}, "SIGAP_ENV must be one of"),
        ({"SIGAP_REGION": "1811"}, "SIGAP_REGION must be a regency code"),
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"SIGAP_LOCKOUT_FAILURES": "six"}, "SIGAP_LOCKOUT_FAILURES must be a whole number"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32"),
        ({"DATABASE_URL": "mysql://db/sigap"}, "scheme 'mysql' is not supported"),
    ],
)
def test_bad_values_raise_with_the_variable_named(tmp_path: Path, env: dict[str, str], message: str) -> None:
    result = import_settings(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_typed_helpers() -> None:
    assert env_bool("X", environ={"X": "yes"}) is True
    assert env_bool("X", default=True, environ={}) is True
    with pytest.raises(ImproperlyConfigured):
        env_int("N", 5, minimum=1, environ={"N": "0"})
    assert env_int("N", 5, environ={"N": " 7 "}) == 7
    with pytest.raises(ImproperlyConfigured):
        env_pattern("R", r"\d{2}\.\d{2}", "18.11", "a regency code", environ={"R": "18.11.01"})


def test_database_urls(tmp_path: Path) -> None:
    pg = database_from_url("postgres://sigap:s%40cret@db.internal:5433/sigap", sqlite_default=tmp_path / "x")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "sigap", "sigap", "s@cret", "db.internal", "5433"
    )
    lite = database_from_url("", sqlite_default=tmp_path / "db.sqlite3")
    assert lite["NAME"] == str(tmp_path / "db.sqlite3")
    assert lite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"  # type: ignore[index]
    assert "synchronous=FULL" in lite["OPTIONS"]["init_command"]  # type: ignore[index]
    with pytest.raises(ImproperlyConfigured):
        database_from_url("postgres://db/", sqlite_default=tmp_path / "x")


def test_holidays_are_iso_dates_separated_by_commas() -> None:
    assert env_dates("SIGAP_HOLIDAYS", environ={}) == frozenset()
    assert env_dates("SIGAP_HOLIDAYS", environ={"SIGAP_HOLIDAYS": " 2026-12-25, 2027-01-01,,"}) == frozenset(
        {datetime.date(2026, 12, 25), datetime.date(2027, 1, 1)}
    )
    for bad in ("25-12-2026", "2026-13-01", "2026-12-25;2027-01-01", "natal", "2026-1-1"):
        with pytest.raises(ImproperlyConfigured, match="SIGAP_HOLIDAYS must be ISO dates"):
            env_dates("SIGAP_HOLIDAYS", environ={"SIGAP_HOLIDAYS": bad})


def test_a_bad_holiday_list_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    result = import_settings(tmp_path, SIGAP_HOLIDAYS="2026-12-25,besok")
    assert result.returncode != 0
    assert "SIGAP_HOLIDAYS must be ISO dates" in result.stderr


def test_production_refuses_to_start_without_the_public_address(tmp_path: Path) -> None:
    result = import_settings(tmp_path, SIGAP_ENV="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="sigap.example")
    assert result.returncode != 0
    assert "SIGAP_PUBLIC_URL must be set" in result.stderr


def test_production_starts_with_the_public_address(tmp_path: Path) -> None:
    result = import_settings(
        tmp_path, SIGAP_ENV="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="sigap.example",
        SIGAP_PUBLIC_URL="https://sigap.example/",
    )
    assert result.returncode == 0, result.stderr


def public_url_of(tmp_path: Path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SIGAP_", "DATABASE_URL", "SECRET_KEY", "DEBUG"))}
    clean.pop("HOST", None)
    clean.pop("PORT", None)
    clean.update({"SIGAP_DATA_DIR": str(tmp_path), **env})
    result = subprocess.run(
        [sys.executable, "-c", "import sigap.settings as s; print(s.SIGAP_PUBLIC_URL)"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=True,
    )
    return result.stdout.strip()


def test_the_development_public_address_follows_host_and_port(tmp_path: Path) -> None:
    assert public_url_of(tmp_path) == "http://127.0.0.1:8000"
    assert public_url_of(tmp_path, HOST="192.168.1.20", PORT="8080") == "http://192.168.1.20:8080"
    assert public_url_of(tmp_path, HOST="0.0.0.0", PORT="9000") == "http://127.0.0.1:9000"  # noqa: S104
    assert public_url_of(tmp_path, SIGAP_PUBLIC_URL="https://latihan.example/", PORT="9000") == "https://latihan.example"
