"""Official letters and printable forms in the form an Indonesian government office sends them.

A letter is plain JSON-able data (``compose``): the kop surat, nomor, tanggal,
sifat, lampiran, perihal, the addressee, the body as a list of blocks and the
signature block of the Kepala UPTD (name and NIP from settings, never the
user's login name). What goes into it is frozen when the letter is made and
sealed on its record, so a reprint shows exactly what was sent. ``render_pdf``
draws it on A4 with fpdf2's core fonts, black on white (readable when printed
in black and white).

Body blocks: ``{"t": "p", "text"}`` paragraph, ``{"t": "h", "text"}`` heading,
``{"t": "li", "text"}`` list item, ``{"t": "kv", "rows": [[label, value], ...]}``
table of facts, ``{"t": "warn", "text"}`` boxed warning, ``{"t": "small", "text"}``
small print, ``{"t": "field", "label", "lines"}`` a blank to fill in by hand and
``{"t": "check", "label", "options"}`` boxes to tick (printable forms).
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

CONFIDENTIAL = "Rahasia"
LOGO_MM = 22  # the logo's box at the left of the kop surat

logger = logging.getLogger("sigap.letters")


def _office() -> dict[str, Any]:
    contact = [_("Telp./WhatsApp %(hotline)s") % {"hotline": settings.SIGAP_HOTLINE}]
    if settings.SIGAP_OFFICE_EMAIL:
        contact.append(_("Surel %(email)s") % {"email": settings.SIGAP_OFFICE_EMAIL})
    return {
        "lines": list(settings.SIGAP_LETTERHEAD_LINES),
        "name": settings.SIGAP_OFFICE_NAME,
        "address": settings.SIGAP_OFFICE_ADDRESS,
        "contact": ", ".join(contact),
    }


def signatory() -> dict[str, str]:
    """The Kepala UPTD's signature block, from settings."""
    return {
        "title": settings.SIGAP_HEAD_TITLE or _("Kepala %(office)s") % {"office": settings.SIGAP_OFFICE_NAME},
        "name": settings.SIGAP_HEAD_NAME,
        "nip": settings.SIGAP_HEAD_NIP,
    }


def long_date(day: datetime.date) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return formats.date_format(day, "DATE_FORMAT")


def compose(*, number: str, on: datetime.date, perihal: str, to: list[str], blocks: list[dict[str, Any]],
            lampiran: str = "-", sifat: str = CONFIDENTIAL, copies: list[str] | None = None,
            title: str = "", signed: bool = True) -> dict[str, Any]:
    """A letter's content, frozen now (kop, signatory and date included)."""
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "kind": "letter",
            "office": _office(),
            "number": number,
            "date": long_date(on),
            "place": settings.SIGAP_OFFICE_CITY,
            "sifat": sifat,
            "lampiran": lampiran or "-",
            "perihal": perihal,
            "to": to,
            "title": title,
            "blocks": blocks,
            "signature": signatory() if signed else None,
            "copies": copies or [],
        }


def compose_form(*, title: str, blocks: list[dict[str, Any]], subtitle: str = "",
                 signatures: list[str] | None = None) -> dict[str, Any]:
    """A printable form: the kop, a title and blanks; signature lines for the people named."""
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "kind": "form",
            "office": _office(),
            "title": title,
            "subtitle": subtitle,
            "blocks": blocks,
            "signature_lines": signatures or [],
            "place": settings.SIGAP_OFFICE_CITY,
        }


def p(text: str) -> dict[str, Any]:
    return {"t": "p", "text": text}


def h(text: str) -> dict[str, Any]:
    return {"t": "h", "text": text}


def li(text: str) -> dict[str, Any]:
    return {"t": "li", "text": text}


def kv(rows: list[tuple[str, str]] | list[list[str]]) -> dict[str, Any]:
    return {"t": "kv", "rows": [[str(a), str(b)] for a, b in rows]}


def warn(text: str) -> dict[str, Any]:
    return {"t": "warn", "text": text}


def small(text: str) -> dict[str, Any]:
    return {"t": "small", "text": text}


def field(label: str, lines: int = 1) -> dict[str, Any]:
    return {"t": "field", "label": label, "lines": lines}


def check(label: str, options: list[str]) -> dict[str, Any]:
    return {"t": "check", "label": label, "options": [str(o) for o in options]}


def latin1(text: Any) -> str:
    """fpdf2's core fonts speak Latin-1: keep what fits, replace the rest visibly."""
    value = str(text)
    replacements = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                    "\u2026": "...", "\u00a0": " ", "\u2192": "->", "\u00d7": "x"}
    for old, new in replacements.items():
        value = value.replace(old, new)
    return value.encode("latin-1", "replace").decode("latin-1")


class _Writer:
    FONT = "Helvetica"

    def __init__(self, title: str) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_title(latin1(title))
        self.pdf.set_creator("SIGAP")
        self.pdf.set_margins(25, 20, 20)
        self.pdf.set_auto_page_break(True, margin=20)
        self.pdf.set_text_color(0, 0, 0)
        self.pdf.set_draw_color(0, 0, 0)
        self.pdf.add_page()

    @property
    def width(self) -> float:
        return float(self.pdf.w - self.pdf.l_margin - self.pdf.r_margin)

    def text(self, value: str, size: float = 11, style: str = "", height: float = 5.5, align: str = "L",
             indent: float = 0) -> None:
        self.pdf.set_font(self.FONT, style, size)
        if indent:
            self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.multi_cell(self.width - indent, height, latin1(value), align=align, new_x="LMARGIN", new_y="NEXT")

    def logo(self, top: float) -> bool:
        """Draw the configured logo at the left of the kop; False (and the letter prints without it) when
        none is configured or the file is missing, unreadable or not an image fpdf2 can embed."""
        if not settings.SIGAP_LETTER_LOGO:
            return False
        path = Path(settings.SIGAP_LETTER_LOGO)
        try:
            # Fitted into a 22 mm square: a wide logo must not run under the office's name.
            self.pdf.image(str(path), x=self.pdf.l_margin, y=top, w=LOGO_MM, h=LOGO_MM, keep_aspect_ratio=True)
        except Exception as error:  # any failure of the logo (missing, unreadable, not an image) must not stop a letter
            logger.warning("letter logo not printed (%s); check SIGAP_LETTER_LOGO", type(error).__name__)
            return False
        return True

    def kop(self, office: dict[str, Any]) -> None:
        top = self.pdf.get_y()
        has_logo = self.logo(top)
        indent = LOGO_MM + 3 if has_logo else 0  # the kop's lines are centred beside the logo, not over it
        for line in office.get("lines", []):
            self.text(str(line).upper(), 12, "B", 5.5, "C", indent)
        self.text(str(office.get("name", "")).upper(), 14, "B", 7, "C", indent)
        if office.get("address"):
            self.text(office["address"], 9.5, "", 4.5, "C", indent)
        if office.get("contact"):
            self.text(office["contact"], 9.5, "", 4.5, "C", indent)
        y = max(self.pdf.get_y() + 1.5, top + LOGO_MM + 2 if has_logo else 0)
        self.pdf.set_line_width(0.8)
        self.pdf.line(self.pdf.l_margin, y, self.pdf.w - self.pdf.r_margin, y)
        self.pdf.set_line_width(0.2)
        self.pdf.line(self.pdf.l_margin, y + 1.2, self.pdf.w - self.pdf.r_margin, y + 1.2)
        self.pdf.set_y(y + 5)

    def head_table(self, rows: list[tuple[str, str]], right: str = "") -> None:
        self.pdf.set_font(self.FONT, "", 11)
        start = self.pdf.get_y()
        if right:
            self.pdf.set_xy(self.pdf.l_margin, start)
            self.pdf.cell(self.width, 5.5, latin1(right), align="R")
            self.pdf.set_xy(self.pdf.l_margin, start)
        for label, value in rows:
            self.pdf.set_x(self.pdf.l_margin)
            self.pdf.cell(24, 5.5, latin1(label))
            self.pdf.cell(4, 5.5, ":")
            self.pdf.multi_cell(self.width - 28 - (55 if right and label == rows[0][0] else 0), 5.5, latin1(value),
                                new_x="LMARGIN", new_y="NEXT")

    def blocks(self, blocks: list[dict[str, Any]]) -> None:
        for block in blocks:
            kind = block.get("t")
            if kind == "h":
                self.pdf.ln(1.5)
                self.text(block.get("text", ""), 11, "B")
            elif kind == "li":
                self.pdf.set_font(self.FONT, "", 11)
                self.pdf.set_x(self.pdf.l_margin + 4)
                self.pdf.cell(5, 5.5, "-")
                self.pdf.multi_cell(self.width - 9, 5.5, latin1(block.get("text", "")), new_x="LMARGIN",
                                    new_y="NEXT")
            elif kind == "kv":
                for label, value in block.get("rows", []):
                    self.pdf.set_font(self.FONT, "", 11)
                    self.pdf.set_x(self.pdf.l_margin + 4)
                    self.pdf.cell(50, 5.5, latin1(label))
                    self.pdf.cell(4, 5.5, ":")
                    self.pdf.multi_cell(self.width - 58, 5.5, latin1(value or "-"), new_x="LMARGIN", new_y="NEXT")
            elif kind == "warn":
                self.pdf.ln(1)
                self.pdf.set_line_width(0.6)
                self.pdf.set_font(self.FONT, "B", 10.5)
                self.pdf.multi_cell(self.width, 5.5, latin1(block.get("text", "")), border=1, padding=2,
                                    new_x="LMARGIN", new_y="NEXT")
                self.pdf.set_line_width(0.2)
                self.pdf.ln(1)
            elif kind == "small":
                self.text(block.get("text", ""), 8.5, "", 4.2)
            elif kind == "field":
                self.pdf.set_font(self.FONT, "", 10.5)
                self.pdf.multi_cell(self.width, 5.5, latin1(block.get("label", "")), new_x="LMARGIN",
                                    new_y="NEXT")
                for _line in range(max(1, int(block.get("lines", 1)))):
                    y = self.pdf.get_y() + 6
                    self.pdf.set_line_width(0.1)
                    self.pdf.set_dash_pattern(dash=1, gap=1)
                    self.pdf.line(self.pdf.l_margin, y, self.pdf.w - self.pdf.r_margin, y)
                    self.pdf.set_dash_pattern()
                    self.pdf.set_y(y + 1)
                self.pdf.ln(1.5)
            elif kind == "check":
                self.pdf.set_font(self.FONT, "", 10.5)
                self.pdf.multi_cell(self.width, 5.5, latin1(block.get("label", "")), new_x="LMARGIN",
                                    new_y="NEXT")
                x = self.pdf.l_margin + 2
                for option in block.get("options", []):
                    label = latin1(option)
                    needed = 6 + self.pdf.get_string_width(label) + 5
                    if x + needed > self.pdf.w - self.pdf.r_margin:
                        self.pdf.ln(6)
                        x = self.pdf.l_margin + 2
                    if self.pdf.get_y() > self.pdf.h - self.pdf.b_margin - 8:
                        self.pdf.add_page()  # keep each box with its label
                        x = self.pdf.l_margin + 2
                    y = self.pdf.get_y()
                    self.pdf.rect(x, y + 1, 3.5, 3.5)
                    self.pdf.set_xy(x + 5, y)
                    self.pdf.cell(needed - 5, 5.5, label)
                    x += needed
                self.pdf.ln(7)
            else:
                self.text(block.get("text", ""), 11, "", 5.5, "J")
                self.pdf.ln(1)

    def signature(self, place: str, date: str, sig: dict[str, str]) -> None:
        self.pdf.ln(6)
        column = self.pdf.l_margin + self.width * 0.5
        lines = [(f"{place}, {date}", ""), (sig.get("title", ""), "")]
        for value, style in lines:
            self.pdf.set_font(self.FONT, style, 11)
            self.pdf.set_x(column)
            self.pdf.multi_cell(self.width * 0.5, 5.5, latin1(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(20)
        self.pdf.set_font(self.FONT, "BU", 11)
        self.pdf.set_x(column)
        self.pdf.multi_cell(self.width * 0.5, 5.5, latin1(sig.get("name") or "...................................."),
                            new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font(self.FONT, "", 11)
        self.pdf.set_x(column)
        self.pdf.multi_cell(self.width * 0.5, 5.5, latin1(_("NIP. %(nip)s") % {"nip": sig.get("nip") or "-"}),
                            new_x="LMARGIN", new_y="NEXT")

    def signature_lines(self, place: str, names: list[str]) -> None:
        self.pdf.ln(4)
        self.text(f"{place}, ............................", 11, "", 5.5, "R")
        self.pdf.ln(2)
        column = self.width / max(1, len(names))
        y = self.pdf.get_y()
        if y > self.pdf.h - 60:
            self.pdf.add_page()
            y = self.pdf.get_y()
        for i, name in enumerate(names):
            self.pdf.set_font(self.FONT, "", 10.5)
            self.pdf.set_xy(self.pdf.l_margin + i * column, y)
            self.pdf.multi_cell(column - 4, 5, latin1(name), align="C")
            self.pdf.set_xy(self.pdf.l_margin + i * column, y + 30)
            self.pdf.cell(column - 4, 5, "(................................)", align="C")
        self.pdf.set_y(y + 40)

    def output(self) -> bytes:
        from sigap.lib import training

        training.stamp_pdf(self.pdf)  # "DATA LATIHAN" on every page in training mode
        return bytes(self.pdf.output())


def render_pdf(letter: dict[str, Any]) -> bytes:
    """An A4 PDF of a letter or form made by ``compose``/``compose_form``."""
    with translation.override(settings.LANGUAGE_CODE):
        title = letter.get("perihal") or letter.get("title") or "SIGAP"
        w = _Writer(title)
        w.kop(letter.get("office") or _office())
        if letter.get("kind") == "form":
            w.text(letter.get("title", ""), 13, "B", 7, "C")
            if letter.get("subtitle"):
                w.text(letter["subtitle"], 9.5, "", 4.5, "C")
            w.pdf.ln(3)
            w.blocks(letter.get("blocks", []))
            if letter.get("signature_lines"):
                w.signature_lines(letter.get("place", ""), letter["signature_lines"])
            return w.output()
        w.head_table([
            (_("Nomor"), letter.get("number") or "-"),
            (_("Sifat"), letter.get("sifat") or CONFIDENTIAL),
            (_("Lampiran"), letter.get("lampiran") or "-"),
            (_("Perihal"), letter.get("perihal", "")),
        ], right=f"{letter.get('place', '')}, {letter.get('date', '')}")
        w.pdf.ln(4)
        for i, line in enumerate(letter.get("to", [])):
            w.text(line, 11, "B" if i == 0 else "")
        w.pdf.ln(4)
        if letter.get("title"):
            w.text(letter["title"], 12, "BU", 6, "C")
            w.pdf.ln(2)
        w.blocks(letter.get("blocks", []))
        if letter.get("signature"):
            w.signature(letter.get("place", ""), letter.get("date", ""), letter["signature"])
        if letter.get("copies"):
            w.pdf.ln(4)
            w.text(_("Tembusan:"), 10, "B")
            for i, copy in enumerate(letter["copies"], start=1):
                w.text(f"{i}. {copy}", 10)
        return w.output()
