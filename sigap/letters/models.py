"""Letter numbers: one gap-free sequence per letter type and year.

``LetterCounter`` is locked (``select_for_update``) in the transaction that
writes the letter, so a letter whose transaction rolls back uses no number and
two letters never share one (``sigap.letters.numbering``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterType(models.TextChoices):
    """Every kind of letter SIGAP numbers. The code goes into the nomor surat."""

    RUJUKAN = "rujukan", _("Surat rujukan")
    PENGANTAR_POLISI = "pengantar_polisi", _("Surat pengantar ke kepolisian")
    VISUM = "visum", _("Permohonan pendampingan visum")
    LPSK = "lpsk", _("Permohonan perlindungan LPSK")
    PELIMPAHAN = "pelimpahan", _("Surat pelimpahan kasus")


# The part of the nomor that names the kind of letter (``{code}`` in the pattern).
LETTER_CODES: dict[str, str] = {
    LetterType.RUJUKAN: "RJK",
    LetterType.PENGANTAR_POLISI: "PGT",
    LetterType.VISUM: "VSM",
    LetterType.LPSK: "LPSK",
    LetterType.PELIMPAHAN: "PLH",
}


class LetterCounter(models.Model):
    """The last number used per letter type and year."""

    letter_type = models.CharField(max_length=20, choices=LetterType.choices)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["letter_type", "year"], name="letter_counter_unique")]

    def __str__(self) -> str:
        return f"{self.letter_type}-{self.year}: {self.last_value}"
