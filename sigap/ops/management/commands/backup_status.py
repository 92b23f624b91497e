"""For monitoring: print the age of the last good backup; exit 1 when it is too old."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sigap.ops import schedule


class Command(BaseCommand):
    help = "Exit non-zero when the last good backup is older than SIGAP_BACKUP_WARN_HOURS (for monitoring)."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        status = schedule.status(limit=1)
        if status.last_good is None or status.age is None:
            raise CommandError(_("Belum pernah ada pencadangan yang berhasil."))
        hours = status.age.total_seconds() / 3600
        line = _("Pencadangan terakhir yang berhasil: %(hours).1f jam yang lalu (%(path)s)") % {
            "hours": hours, "path": status.last_good.path}
        if status.too_old:
            raise CommandError(line + " " + _("lebih dari %(warn)s jam.") % {"warn": status.warn_hours})
        self.stdout.write(line)
