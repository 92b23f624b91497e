"""Restore a backup into the configured database and verify the result."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sigap.ops.restore import RestoreError, RestoreVerificationError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup folder (or the newest backup inside DIR) into the configured database, then "
        "verify integrity, row counts, the audit chain and a sample of encrypted values. Stop the web "
        "server and the worker first."
    )

    # A backup or restore must not be blocked by an unrelated system check.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", help="a backup folder, or a folder of backups (the newest is used)")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that already holds records (a safety backup is made first)")
        parser.add_argument("--no-safety-backup", action="store_true",
                            help="with --force: do not back up the current database before replacing it")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore_backup(options["directory"], force=options["force"],
                                    safety_backup=not options["no_safety_backup"], say=self.stdout.write)
        except RestoreError as error:
            raise CommandError(_("Pemulihan dibatalkan: %(error)s") % {"error": error}) from None
        except RestoreVerificationError as error:
            for check in error.checks:
                self._show(check.name, check.ok, check.detail)
            raise CommandError(_(
                "Data sudah dipulihkan, tetapi verifikasi GAGAL. Jangan jalankan layanan sebelum masalah ini "
                "diselidiki."
            )) from None
        for check in report.checks:
            self._show(check.name, check.ok, check.detail)
        self.stdout.write(self.style.SUCCESS(
            _("Pemulihan selesai dan terverifikasi dalam %(seconds).1f detik.") % {"seconds": report.seconds}
        ))
        self.stdout.write(_("Jalankan `python manage.py migrate` bila versi SIGAP ini lebih baru dari cadangan."))

    def _show(self, name: str, ok: bool, detail: str) -> None:
        mark = self.style.SUCCESS("OK   ") if ok else self.style.ERROR("GAGAL")
        self.stdout.write(f"{mark} {name}: {detail}")
