"""Training mode (``SIGAP_TRAINING=1``): a separate deployment to practise on.

Registration numbers are gap-free and audited, so a practice report can never
be deleted from a real deployment. A training deployment keeps its own data
folder (``var/latihan`` unless ``SIGAP_DATA_DIR`` says otherwise), shows "DATA
LATIHAN" on every page, every generated PDF and every CSV/XLSX download
(its first row), prefixes its registration
numbers with ``LT-`` and sends no WhatsApp or SMS.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

MARK = "DATA LATIHAN - BUKAN KASUS SUNGGUHAN"
NUMBER_PREFIX = "LT-"


def active() -> bool:
    return bool(getattr(settings, "SIGAP_TRAINING", False))


def number_prefix() -> str:
    return NUMBER_PREFIX if active() else ""


def sheet_mark() -> list[list[str]]:
    """The rows a CSV or a spreadsheet starts with: the training mark in training mode, nothing otherwise."""
    return [[MARK]] if active() else []


def stamp_pdf(pdf: Any) -> None:
    """Write the training mark across the top of every page of an fpdf2 document (before ``output``)."""
    if not active():
        return
    current = pdf.page
    for number in range(1, pdf.pages_count + 1):
        pdf.page = number
        auto = pdf.auto_page_break
        pdf.set_auto_page_break(False)
        pdf.set_font("Helvetica", "B", 10)
        pdf.set_text_color(179, 38, 30)
        pdf.set_xy(0, 2)
        pdf.cell(w=pdf.w, h=5, text=MARK, align="C")
        pdf.set_auto_page_break(auto, margin=pdf.b_margin)
    pdf.page = current
