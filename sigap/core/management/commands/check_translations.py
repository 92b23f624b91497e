"""Fail when a committed .mo file is not the compiled form of its .po file.

The compiled catalogues are committed so that a fresh machine needs no gettext
tools to show English; this check keeps them from drifting.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Check that every .po catalogue is compiled and has no untranslated or fuzzy entries."

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        for locale_dir in settings.LOCALE_PATHS:
            for po in sorted(Path(locale_dir).rglob("*.po")):
                mo = po.with_suffix(".mo")
                with tempfile.TemporaryDirectory() as tmp:
                    fresh = Path(tmp) / "out.mo"
                    result = subprocess.run(  # noqa: S603
                        ["msgfmt", "--check-format", "--statistics", "-o", str(fresh), str(po)],  # noqa: S607
                        capture_output=True, text=True, check=False,
                    )
                    if result.returncode != 0:
                        problems.append(f"{po}: {result.stderr.strip()}")
                        continue
                    if "untranslated" in result.stderr or "fuzzy" in result.stderr:
                        problems.append(f"{po}: {result.stderr.strip()}")
                    if not mo.exists() or mo.read_bytes() != fresh.read_bytes():
                        problems.append(f"{mo}: out of date; run `make messages`")
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write("Translations compiled and complete.")
