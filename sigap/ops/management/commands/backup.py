"""Make an encrypted, consistent backup of the whole database while SIGAP runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sigap.ops.backup import BackupError, create_backup
from sigap.ops.models import BackupRun


class Command(BaseCommand):
    help = "Back up the database, encrypted with the backup key, into a new folder inside DIR."

    # A backup or restore must not be blocked by an unrelated system check.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", nargs="?", help="where to put the backup folder (default SIGAP_BACKUP_DIR)")
        parser.add_argument("--keep", type=int, default=None,
                            help="afterwards delete all but the KEEP newest backups in DIR")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"] or settings.SIGAP_BACKUP_DIR)
        if options["keep"] is not None and options["keep"] < 1:
            raise CommandError("--keep must be at least 1")
        try:
            outcome = create_backup(directory, trigger=BackupRun.Trigger.MANUAL, keep=options["keep"],
                                    say=self.stdout.write)
        except BackupError as error:
            raise CommandError(_("Pencadangan gagal: %(error)s") % {"error": error}) from None
        manifest = outcome.manifest
        head = manifest.get("audit_head") or {}
        self.stdout.write(_(
            "%(tables)s tabel, %(rows)s baris, %(size)s bita terenkripsi, kepala audit #%(seq)s, %(seconds).1f detik."
        ) % {"tables": len(manifest["tables"]), "rows": sum(manifest["tables"].values()),
             "size": manifest["data_size"], "seq": head.get("seq", "-"), "seconds": outcome.seconds})
        self.stdout.write(self.style.WARNING(_(
            "Kunci induk TIDAK ada di dalam cadangan (versi kunci %(version)s). Tanpa kunci itu cadangan "
            "tidak dapat dipulihkan: simpan salinan kunci induk di tempat terpisah dari cadangan."
        ) % {"version": manifest["key_version"]}))
