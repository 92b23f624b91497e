"""Strings that gettext could not see, and one word with three meanings, are translated.

xgettext reads ``"\\u201c"`` in Python source and ``\\"`` inside a template's
``{% translate %}`` literally, so the msgid it extracts never matches the string
at run time; the source uses the characters themselves. "Masuk"/"Keluar" mean
sign in/out, a message's direction and a shelter check-in/out: the last two
carry a context.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from sigap.intake.channels.conversations.codes import Direction
from sigap.intake.channels.conversations.safety import REFUSALS
from sigap.lib.testing import SigapTestCase

PACKAGE = Path(__file__).resolve().parents[2]


class TranslatedStringsTests(SimpleTestCase):
    def test_masuk_and_keluar_read_by_their_context(self) -> None:
        with translation.override("en"):
            self.assertEqual(gettext("Masuk"), "Sign in")
            self.assertEqual(gettext("Keluar"), "Sign out")
            self.assertEqual(str(Direction.INBOUND.label), "Inbound")
            self.assertEqual(str(Direction.OUTBOUND.label), "Outbound")
            self.assertEqual(pgettext("shelter stay", "Masuk"), "Checked in")
            self.assertEqual(pgettext("shelter stay", "Keluar"), "Checked out")
        with translation.override("id"):
            self.assertEqual(str(Direction.INBOUND.label), "Masuk")

    def test_quoted_words_are_translated(self) -> None:
        with translation.override("en"):
            self.assertEqual(str(REFUSALS["never_contact"]),
                             "This number is marked “never contact”. The message was not sent.")

    def test_no_source_hides_a_string_from_gettext(self) -> None:
        escaped_in_python = re.compile(r"""(?:\b_|gettext(?:_lazy)?|pgettext(?:_lazy)?)\(\s*(?:"[^"]*\\u[0-9a-fA-F]{4}|'[^']*\\u[0-9a-fA-F]{4})""")
        escaped_in_template = re.compile(r"""\{%\s*(?:translate|trans)\s+"[^"]*\\\"""")
        found = []
        for path in PACKAGE.rglob("*.py"):
            if "migrations" not in path.parts and escaped_in_python.search(path.read_text(encoding="utf-8")):
                found.append(str(path))
        for path in PACKAGE.rglob("*.html"):
            if escaped_in_template.search(path.read_text(encoding="utf-8")):
                found.append(str(path))
        self.assertEqual(found, [])


class ContactFormInEnglishTests(SigapTestCase):
    def test_the_contact_form_help_is_translated(self) -> None:
        self.login(self.operator)
        self.client.cookies["sigap_lang"] = "en"
        page = self.client.get(reverse("intake:contact_new"))
        self.assertContains(page, "The outcome “New report” opens the report form tied to this contact.")
