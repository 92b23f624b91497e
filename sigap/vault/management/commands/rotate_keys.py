"""Re-seal every stored ciphertext under the newest master key version.

Runs while the system serves; resumable after a crash; running it twice is
harmless. See docs/SECURITY.md, "Rotation", for the whole procedure.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models

from sigap.vault.keyring import (
    FIXED_VERSION_PURPOSES,
    development_key_file,
    keyring,
    new_master_key_line,
    reset_keyring,
)
from sigap.vault.rotation import DEFAULT_BATCH_SIZE, rotate_all, version_census


class Command(BaseCommand):
    help = "Re-encrypt every sealed value under the current (newest) master key version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-version",
            action="store_true",
            help="Development: add a fresh master key version to var/keys/master.key first. "
            "Production: explains how to add one.",
        )
        parser.add_argument(
            "--print-key-line",
            action="store_true",
            help="Print a fresh '<version>:<base64 key>' line for the next version and stop.",
        )
        parser.add_argument("--status", action="store_true", help="Count values per key version; change nothing.")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--model",
            action="append",
            default=[],
            metavar="APP_LABEL.MODEL",
            help="Only these models (default: every model with encrypted fields).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ring = keyring()
        if options["print_key_line"]:
            self.stdout.write(new_master_key_line(ring.current_version + 1))
            return
        if options["status"]:
            self._status(options["model"])
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        if options["new_version"]:
            self._add_version()
        ring = keyring()
        self.stdout.write(
            f"Re-sealing under key version {ring.current_version} (configured: {sorted(ring.masters)}; "
            f"{', '.join(FIXED_VERSION_PURPOSES)} stay on version {min(ring.masters)} by design)."
        )

        def progress(label: str, count: int) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {label}: {count} values re-sealed in this batch")

        report = rotate_all(batch_size=options["batch_size"], on_batch=progress, only=self._models(options["model"]))
        for label, count in report.per_model.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {report.resealed} values re-sealed, {report.already_current} already under "
                f"version {report.target_version}, {report.changed_meanwhile} rows changed meanwhile."
            )
        )
        if report.changed_meanwhile:
            self.stdout.write("Rows changed meanwhile were written by the application; run again to check them.")

    @staticmethod
    def _models(labels: list[str]) -> list[type[models.Model]] | None:
        if not labels:
            return None
        chosen: list[type[models.Model]] = []
        for label in labels:
            try:
                chosen.append(apps.get_model(label))
            except (LookupError, ValueError):
                raise CommandError(f"unknown model {label!r} (expected app_label.ModelName)") from None
        return chosen

    def _add_version(self) -> None:
        ring = keyring()
        path = development_key_file()
        version = ring.current_version + 1
        if settings.PRODUCTION or ring.source != str(path):
            raise CommandError(
                f"Add master key version {version} to SIGAP_MASTER_KEY or SIGAP_MASTER_KEY_FILE "
                f"(keep version(s) {sorted(ring.masters)}; `manage.py rotate_keys --print-key-line` prints a "
                "new line), restart every server and worker, then run `manage.py rotate_keys` again."
            )
        with open(path, "a", encoding="ascii") as handle:
            handle.write(new_master_key_line(version) + "\n")
        reset_keyring()
        self.stdout.write(
            f"Added master key version {version} to {path}. Restart running servers so they seal new values with it."
        )

    def _status(self, labels: list[str]) -> None:
        ring = keyring()
        census = version_census(self._models(labels))
        behind = 0
        for label, counts in census.items():
            text = ", ".join(f"v{v}: {n}" for v, n in sorted(counts.items())) or "empty"
            self.stdout.write(f"{label}: {text}")
            behind += sum(n for v, n in counts.items() if v != ring.current_version)
        self.stdout.write(f"{behind} values are not yet under the current version {ring.current_version}.")
