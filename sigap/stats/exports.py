"""CSV and XLSX files of the statistics app, safe to open in a spreadsheet.

Text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab
or a carriage return) gets a leading apostrophe; in XLSX every text cell is also
stored as a literal string. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Sequence
from html import escape
from typing import Any

from sigap.lib import training

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def neutralise(value: Any) -> Any:
    """A cell value as written: formulas defused, None as empty, lazy strings as text."""
    if value.__class__ is str:  # the common case first: a plain text cell
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class Sheet:
    """One table: a title, a header row and rows."""

    def __init__(self, title: str, headers: Sequence[Any], rows: Sequence[Sequence[Any]]) -> None:
        self.title = title
        self.headers = list(headers)
        self.rows = rows


def to_csv(sheets: Sequence[Sheet], *, titles: bool = True) -> bytes:
    """The sheets one after another (a title line and a blank line between them when ``titles``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(training.sheet_mark())  # "DATA LATIHAN" first in a training deployment
    for index, sheet in enumerate(sheets):
        if titles:
            if index:
                writer.writerow([])
            writer.writerow([neutralise(sheet.title)])
        writer.writerow([neutralise(h) for h in sheet.headers])
        for row in sheet.rows:
            writer.writerow([neutralise(v) for v in row])
    # A BOM so spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
    clean = "".join(" " if c in "[]:*?/\\" else c for c in str(title)).strip()[:31] or "Data"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = clean[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


# A minimal SpreadsheetML package, written directly: openpyxl builds an object per
# cell and took seconds for a month's SIMFONI-PPA export at national scale; this
# writes the same workbook (shared strings, a bold frozen header row) in a fraction.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _xml_text(text: str) -> str:
    return escape(_XML_ILLEGAL.sub("", text), quote=False)


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as an XLSX workbook: every text a literal shared string (never a formula), numbers as numbers."""
    strings: dict[str, int] = {}
    parts: list[str] = []
    used: set[str] = set()
    titles: list[str] = []
    for sheet in sheets or [Sheet("Data", [], [])]:
        titles.append(_sheet_title(sheet.title, used))
        width = max([len(sheet.headers), *(len(row) for row in sheet.rows)], default=0)
        # The training mark (in training mode) and the header: bold, frozen at the top.
        top = [*training.sheet_mark(), sheet.headers]
        width = max(width, *(len(row) for row in top))
        columns = [_column(i) for i in range(width)]
        out = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{len(top)}" topLeftCell="A{len(top) + 1}" activePane="bottomLeft" state="frozen"/>'
            "</sheetView></sheetViews><sheetData>",
        ]
        for number, (row, style) in enumerate(
            itertools.chain(((row, ' s="1"') for row in top), ((row, "") for row in sheet.rows)), start=1
        ):
            cells = [f'<row r="{number}">']
            for column, value in zip(columns, row, strict=False):
                value = neutralise(value)
                if isinstance(value, int | float):
                    cells.append(f'<c r="{column}{number}"{style}><v>{value!r}</v></c>')
                    continue
                if not value:
                    continue  # an empty cell
                index = strings.get(value)
                if index is None:
                    index = strings[value] = len(strings)
                cells.append(f'<c r="{column}{number}"{style} t="s"><v>{index}</v></c>')
            cells.append("</row>")
            out.append("".join(cells))
        out.append("</sheetData></worksheet>")
        parts.append("".join(out))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES.format(
            sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, len(parts) + 1))))
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(f'<sheet name="{escape(title)}" sheetId="{n}" r:id="rId{n}"/>'
                      for n, title in enumerate(titles, start=1))
            + "</sheets></workbook>"
        ))
        package.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                      for n in range(1, len(parts) + 1))
            + f'<Relationship Id="rId{len(parts) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            + f'<Relationship Id="rId{len(parts) + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            + "</Relationships>"
        ))
        package.writestr("xl/styles.xml", _STYLES)
        package.writestr("xl/sharedStrings.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="{_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
            + "".join(f'<si><t xml:space="preserve">{_xml_text(text)}</t></si>' for text in strings)
            + "</sst>"
        ))
        for n, part in enumerate(parts, start=1):
            package.writestr(f"xl/worksheets/sheet{n}.xml", part)
    return buffer.getvalue()
