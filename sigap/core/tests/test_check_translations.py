from __future__ import annotations

import subprocess
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

HEADER = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

'''
COMPLETE = HEADER + 'msgid "Keluar cepat"\nmsgstr "Quick exit"\n'
WITH_GAP = COMPLETE + '\nmsgid "Masuk petugas"\nmsgstr ""\n\n#, fuzzy\nmsgid "Peran"\nmsgstr "Rolle"\n'
BAD_FORMAT = HEADER + '#, python-format\nmsgid "Coba lagi dalam %(minutes)s menit."\nmsgstr "Try again in %(minuten)s minutes."\n'


class CheckTranslationsTests(SimpleTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.po = Path(self.tmp.name) / "en" / "LC_MESSAGES" / "django.po"
        self.po.parent.mkdir(parents=True)
        self.mo = self.po.with_suffix(".mo")

    def write(self, text: str, *, compile_mo: bool = True) -> None:
        self.po.write_text(text, encoding="utf-8")
        if compile_mo:
            subprocess.run(["msgfmt", "-o", str(self.mo), str(self.po)], check=True, capture_output=True)

    def check(self) -> str:
        out = StringIO()
        with self.settings(LOCALE_PATHS=[self.tmp.name]):
            call_command("check_translations", stdout=out)
        return out.getvalue()

    def test_complete_and_compiled_catalogue_passes(self) -> None:
        self.write(COMPLETE)
        self.assertIn("Translations compiled and complete.", self.check())

    def test_untranslated_and_fuzzy_messages_warn_without_failing(self) -> None:
        self.write(WITH_GAP)
        output = self.check()
        self.assertIn("WARNING", output)
        self.assertIn("untranslated: Masuk petugas", output)
        self.assertIn("untranslated: Peran", output)
        self.assertNotIn("untranslated: Keluar cepat", output)

    def test_missing_mo_fails(self) -> None:
        self.write(COMPLETE, compile_mo=False)
        with self.assertRaisesMessage(CommandError, "missing"):
            self.check()

    def test_stale_mo_fails_even_when_only_translations_are_missing(self) -> None:
        self.write(COMPLETE)
        self.po.write_text(WITH_GAP.replace('msgstr "Quick exit"', 'msgstr "Leave now"'), encoding="utf-8")
        with self.assertRaisesMessage(CommandError, "out of date"):
            self.check()

    def test_msgfmt_error_fails(self) -> None:
        self.write(BAD_FORMAT, compile_mo=False)
        with self.assertRaises(CommandError):
            self.check()
