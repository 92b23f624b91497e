"""Fail when a committed .mo file is not the compiled form of its .po file.

The compiled catalogues are committed so that a fresh machine needs no gettext
tools to show English; this check keeps them from drifting. Messages not yet
translated are only a warning: the page shows them in Indonesian, which is the
primary language, and other work should not block on the translator.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# How many untranslated messages a warning lists by name.
LISTED = 10


class Command(BaseCommand):
    help = (
        "Fail when a .po catalogue does not compile or its committed .mo is missing or stale; "
        "warn about untranslated or fuzzy messages."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        warnings: list[str] = []
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
                        warnings.append(self._describe_gaps(po, result.stderr.strip()))
                    if not mo.exists():
                        problems.append(f"{mo}: missing; run `make messages`")
                    elif mo.read_bytes() != fresh.read_bytes():
                        problems.append(f"{mo}: out of date; run `make messages`")
        for warning in warnings:
            self.stdout.write(self.style.WARNING(warning))
        if problems:
            raise CommandError("\n".join(problems))
        if warnings:
            self.stdout.write("Translations compiled; some messages are still shown in Indonesian.")
        else:
            self.stdout.write("Translations compiled and complete.")

    @staticmethod
    def _describe_gaps(po: Path, statistics: str) -> str:
        """The msgfmt statistics and the first few messages that need a translator."""
        lines = [f"WARNING {po}: {statistics}"]
        msgids = _untranslated_msgids(po)
        lines += [f"  untranslated: {msgid}" for msgid in msgids[:LISTED]]
        if len(msgids) > LISTED:
            lines.append(f"  ... and {len(msgids) - LISTED} more")
        return "\n".join(lines)


def _untranslated_msgids(po: Path) -> list[str]:
    """Msgids whose translation is empty or fuzzy (neither reaches the .mo file)."""
    text = po.read_text(encoding="utf-8")
    found: list[str] = []
    for entry in re.split(r"\n\s*\n", text):
        if entry.lstrip().startswith("#~"):
            continue
        msgid = _joined(entry, "msgid")
        if not msgid:
            continue  # the header
        fuzzy = re.search(r"^#,.*\bfuzzy\b", entry, re.MULTILINE) is not None
        keys = re.findall(r"^(msgstr(?:\[\d+\])?) ", entry, re.MULTILINE)
        if fuzzy or any(not _joined(entry, key) for key in keys):
            found.append(msgid)
    return found


def _joined(entry: str, key: str) -> str:
    """The value of ``key`` in a .po entry, its quoted continuation lines joined."""
    match = re.search(rf'^{re.escape(key)} ((?:".*"\n?)+)', entry + "\n", re.MULTILINE)
    if match is None:
        return ""
    return "".join(re.findall(r'"(.*)"', match.group(1)))
