"""The text of a PDF as a reader sees it, for tests: ``pdftotext`` (poppler-utils) in layout order."""

from __future__ import annotations

import shutil
import subprocess


def available() -> bool:
    return shutil.which("pdftotext") is not None


def pdf_text(pdf: bytes) -> str:
    """Extract the text of ``pdf`` with pdftotext; whitespace runs collapsed to single spaces."""
    executable = shutil.which("pdftotext") or "pdftotext"
    completed = subprocess.run([executable, "-q", "-", "-"], input=pdf, capture_output=True, check=True,  # noqa: S603
                               timeout=60)
    return " ".join(completed.stdout.decode("utf-8", "replace").split())
