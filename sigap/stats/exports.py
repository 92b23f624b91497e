"""CSV and XLSX files of the statistics app, safe to open in a spreadsheet.

Text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab
or a carriage return) gets a leading apostrophe; in XLSX every text cell is also
stored as a literal string. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def neutralise(value: Any) -> Any:
    """A cell value as written: formulas defused, None as empty, lazy strings as text."""
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


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    used: set[str] = set()
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title, used))
        ws.append([neutralise(h) for h in sheet.headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([neutralise(v) for v in row])
        # Every text cell is a literal string, never a formula, whatever it starts with.
        for line in ws.iter_rows():
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
    if not workbook.worksheets:
        workbook.create_sheet("Data")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
