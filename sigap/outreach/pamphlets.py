"""Village pamphlets: print-ready PDF (A4, A5) with fpdf2's core fonts, and a PNG with Pillow.

Everything is drawn from a ``PamphletContent``, built from settings, the desa,
its contact point (only when they agreed to be printed) and the campaign code
that tags the QR link. No system fonts or libraries are needed: PDFs use the
built-in Helvetica, PNGs Pillow's bundled scalable font.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache

import segno
from django.conf import settings
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from sigap.lib import training
from sigap.network.models import Member
from sigap.network.queries import printable_contact, printable_contacts
from sigap.outreach.links import current_campaign_slug, report_link
from sigap.regions.models import Region

TITLE = "Laporkan Kekerasan terhadap Perempuan dan Anak"
WHAT_TO_REPORT = (
    "Kekerasan fisik, psikis dan seksual; penelantaran; eksploitasi dan perdagangan orang; "
    "perkawinan anak atau pemaksaan perkawinan; kekerasan seksual lewat HP dan internet."
)
WHO_REPORTS = (
    "Korban sendiri, keluarga, tetangga, guru, atau siapa pun yang melihat atau mendengar (saksi)."
)
PROMISE = "Kami akan merahasiakan identitas pelapor dan melindunginya."
FREE = "Layanan gratis. Anda tidak harus yakin atau punya bukti untuk melapor."
EMERGENCY_LABELS = {"110": "Polisi", "112": "Darurat", "129": "SAPA KemenPPPA"}

# Explicit millimetres: fpdf2 warns on the name "A5" (its size was corrected in 2.8.5).
PAGE_SIZES: dict[str, tuple[float, float]] = {"a4": (210, 297), "a5": (148, 210)}
BRAND = (91, 42, 134)
ACCENT = (179, 38, 30)
INK = (26, 26, 26)


@dataclass(frozen=True)
class PamphletContent:
    desa_code: str
    desa_name: str
    kecamatan_name: str
    office: str
    hotline: str
    whatsapp: str
    emergency: tuple[str, ...]
    link: str
    contact_line: str = ""
    campaign: str = ""

    @property
    def file_stem(self) -> str:
        slug = "".join(ch if ch.isalnum() else "-" for ch in _ascii(self.desa_name).lower()).strip("-")
        return f"{self.desa_code}-{slug}"


def _contact_line(member: Member | None) -> str:
    if member is None or not member.phone:
        return ""
    return f"{member.name} ({member.get_position_display()}): {member.phone}"


def content_for(desa: Region, *, campaign: str | None = None, contact: Member | None = None,
                use_stored_contact: bool = True) -> PamphletContent:
    campaign = campaign or current_campaign_slug()
    if contact is None and use_stored_contact:
        contact = printable_contact(desa.code)
    kecamatan = desa.parent.name if desa.parent_id and desa.parent else ""
    return PamphletContent(
        desa_code=desa.code,
        desa_name=desa.name,
        kecamatan_name=kecamatan,
        office=settings.SIGAP_OFFICE_NAME,
        hotline=settings.SIGAP_HOTLINE,
        whatsapp=settings.SIGAP_WHATSAPP,
        emergency=tuple(settings.SIGAP_EMERGENCY_NUMBERS),
        link=report_link(desa.code, campaign),
        contact_line=_contact_line(contact),
        campaign=campaign,
    )


def contents_for_region(campaign: str) -> list[PamphletContent]:
    """One content per desa of the deployment region, in code order, with two queries."""
    villages = list(Region.objects.in_deployment().desa().select_related("parent").order_by("code"))
    contacts = printable_contacts([v.code for v in villages])
    return [
        content_for(v, campaign=campaign, contact=contacts.get(v.code), use_stored_contact=False) for v in villages
    ]


def district_content(campaign: str = "media") -> PamphletContent:
    """The region-wide pamphlet (no village, no contact point) offered to the press."""
    region = Region.objects.filter(code=settings.SIGAP_REGION).first()
    return PamphletContent(
        desa_code="",
        desa_name="",
        kecamatan_name=region.name if region else "",
        office=settings.SIGAP_OFFICE_NAME,
        hotline=settings.SIGAP_HOTLINE,
        whatsapp=settings.SIGAP_WHATSAPP,
        emergency=tuple(settings.SIGAP_EMERGENCY_NUMBERS),
        link=f"{settings.SIGAP_PUBLIC_URL}/lapor?src={campaign}",
        campaign=campaign,
    )


def _ascii(text: str) -> str:
    """Latin-1 text for the PDF core fonts: accents kept where Latin-1 has them, others folded."""
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(folded or "?")
    return "".join(out)


@lru_cache(maxsize=256)
def qr_runs(link: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR code of ``link`` as (size in modules, dark runs (row, first column, length)).

    A batch draws each village's code five times (two combined PDFs, two single
    PDFs, one PNG), so it is encoded once. The mask is fixed: choosing the "best"
    of eight is most of segno's time and any mask is valid for every reader (the
    tests decode every code of a batch).
    """
    qr = segno.make(link, error="m", mask=2)
    rows = [list(row) for row in qr.matrix_iter(border=0)]
    runs: list[tuple[int, int, int]] = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return len(rows), tuple(runs)


def _pdf_qr(pdf: FPDF, link: str, x: float, y: float, side: float) -> None:
    """The QR code as vector rectangles: sharp at any print size, nothing to decode."""
    modules, runs = qr_runs(link)
    quiet = 4
    unit = side / (modules + 2 * quiet)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, side, side, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row, column, length in runs:
        # A hair of overlap so no white seams show between neighbouring rows.
        pdf.rect(x + (quiet + column) * unit, y + (quiet + row) * unit, length * unit, unit * 1.02, style="F")


def _png_qr(draw: ImageDraw.ImageDraw, link: str, left: int, top: int, side: int) -> None:
    modules, runs = qr_runs(link)
    quiet = 4
    unit = side // (modules + 2 * quiet)
    side = unit * (modules + 2 * quiet)
    draw.rectangle((left, top, left + side - 1, top + side - 1), fill="white")
    for row, column, length in runs:
        x0 = left + (quiet + column) * unit
        y0 = top + (quiet + row) * unit
        draw.rectangle((x0, y0, x0 + length * unit - 1, y0 + unit - 1), fill="black")


def _heading_lines(content: PamphletContent) -> tuple[str, str]:
    if content.desa_name:
        return f"Desa {content.desa_name}", f"Kecamatan {content.kecamatan_name}"
    return content.kecamatan_name, ""


def _emergency_text(content: PamphletContent) -> str:
    return " \u00b7 ".join(f"{n} ({EMERGENCY_LABELS.get(n, 'Darurat')})" for n in content.emergency)


# PDF ------------------------------------------------------------------------


def _pdf_page(pdf: FPDF, content: PamphletContent) -> None:
    pdf.add_page()
    width = pdf.epw
    k = pdf.epw / 180  # 1.0 on A4, ~0.7 on A5: every size scales with the page
    line1, line2 = _heading_lines(content)

    pdf.set_fill_color(*BRAND)
    pdf.rect(0, 0, pdf.w, 42 * k, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(pdf.l_margin, 8 * k)
    pdf.set_font("Helvetica", "B", 22 * k)
    pdf.multi_cell(width, 10 * k, _ascii(TITLE), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12 * k)
    pdf.cell(width, 7 * k, _ascii(content.office), align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_text_color(*INK)
    pdf.set_y(48 * k)
    pdf.set_font("Helvetica", "B", 16 * k)
    pdf.cell(width, 8 * k, _ascii(line1), align="C", new_x="LMARGIN", new_y="NEXT")
    if line2:
        pdf.set_font("Helvetica", "", 12 * k)
        pdf.cell(width, 6 * k, _ascii(line2), align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(4 * k)
    pdf.set_font("Helvetica", "", 12 * k)
    pdf.cell(width, 7 * k, "Hotline (telepon)", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 30 * k)
    pdf.set_text_color(*BRAND)
    pdf.cell(width, 14 * k, _ascii(content.hotline), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12 * k)
    pdf.set_text_color(*INK)
    pdf.cell(width, 7 * k, "WhatsApp", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 24 * k)
    pdf.set_text_color(30, 107, 53)
    pdf.cell(width, 12 * k, _ascii(content.whatsapp), align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_text_color(*ACCENT)
    pdf.set_font("Helvetica", "B", 13 * k)
    pdf.cell(width, 9 * k, _ascii("Darurat: " + _emergency_text(content)), align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_text_color(*INK)
    if content.contact_line:
        pdf.set_font("Helvetica", "", 11 * k)
        pdf.multi_cell(width, 6 * k, _ascii("Narahubung desa: " + content.contact_line), align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(3 * k)
    for label, text in (("Apa yang bisa dilaporkan?", WHAT_TO_REPORT), ("Siapa yang bisa melapor?", WHO_REPORTS)):
        pdf.set_font("Helvetica", "B", 12 * k)
        pdf.cell(width, 7 * k, _ascii(label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 12 * k)
        pdf.multi_cell(width, 6.2 * k, _ascii(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5 * k)

    pdf.set_font("Helvetica", "B", 13 * k)
    pdf.set_text_color(*BRAND)
    pdf.multi_cell(width, 7 * k, _ascii(PROMISE), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", "", 10 * k)
    pdf.multi_cell(width, 5 * k, _ascii(FREE), align="C", new_x="LMARGIN", new_y="NEXT")

    qr_size = 72 * k
    room = pdf.h - pdf.b_margin - 12 * k - pdf.get_y()
    qr_size = max(40 * k, min(qr_size, room - 6 * k))
    y = pdf.get_y() + max(3 * k, (room - qr_size) / 2)
    _pdf_qr(pdf, content.link, (pdf.w - qr_size) / 2, y, qr_size)
    pdf.set_y(y + qr_size + 1 * k)
    pdf.set_font("Helvetica", "B", 11 * k)
    pdf.cell(width, 6 * k, "Pindai untuk melapor lewat internet:", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8.5 * k)
    pdf.cell(width, 5 * k, _ascii(content.link), align="C", new_x="LMARGIN", new_y="NEXT")


def _new_pdf(size: str) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format=PAGE_SIZES[size])
    margin = 15 if size == "a4" else 10
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(False)
    pdf.set_title("Pamflet hotline " + settings.SIGAP_OFFICE_NAME)
    pdf.set_creator("SIGAP")
    return pdf


def render_pdf(contents: list[PamphletContent], size: str = "a4") -> bytes:
    """One page per content, in A4 or A5."""
    if size not in PAGE_SIZES:
        raise ValueError(f"unknown page size {size!r}")
    pdf = _new_pdf(size)
    for content in contents:
        _pdf_page(pdf, content)
    training.stamp_pdf(pdf)
    return bytes(pdf.output())


# PNG ------------------------------------------------------------------------

PNG_SIZE = (1080, 1350)  # portrait 4:5: WhatsApp status and social media feeds


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
          width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def render_png(content: PamphletContent) -> bytes:
    width, height = PNG_SIZE
    margin = 60
    image = Image.new("RGB", PNG_SIZE, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 210), fill=BRAND)
    y = 30

    def centred(text: str, size: int, fill: tuple[int, int, int], gap: int = 8) -> None:
        nonlocal y
        font = _font(size)
        for line in _wrap(draw, text, font, width - 2 * margin):
            draw.text((width / 2, y), line, font=font, fill=fill, anchor="mt")
            y += size + gap

    centred(TITLE, 50, (255, 255, 255))
    centred(content.office, 30, (255, 255, 255))
    y = 235
    line1, line2 = _heading_lines(content)
    centred(line1, 44, INK)
    if line2:
        centred(line2, 30, INK)
    y += 10
    centred("Hotline (telepon)", 30, INK, 4)
    centred(content.hotline, 72, BRAND)
    centred("WhatsApp", 30, INK, 4)
    centred(content.whatsapp, 56, (30, 107, 53))
    centred("Darurat: " + _emergency_text(content), 32, ACCENT)
    if content.contact_line:
        centred("Narahubung desa: " + content.contact_line, 28, INK)
    y += 6
    centred(PROMISE, 34, BRAND)
    centred("Yang bisa dilaporkan: " + WHAT_TO_REPORT, 25, INK, 5)
    centred("Yang bisa melapor: " + WHO_REPORTS, 25, INK, 5)

    qr_side = max(220, min(330, height - y - 90))
    _png_qr(draw, content.link, (width - qr_side) // 2, y + 6, qr_side)
    y += qr_side + 14
    centred("Pindai untuk melapor lewat internet", 28, INK, 4)
    centred(content.link, 22, INK)
    if training.active():
        draw.rectangle((0, 0, width, 34), fill=ACCENT)
        draw.text((width / 2, 6), training.MARK, font=_font(22), fill=(255, 255, 255), anchor="mt")

    out = io.BytesIO()
    # Level 3 of 9: nearly the smallest files of a flat-colour image at a fraction of the time.
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()


@lru_cache(maxsize=8)
def render_cached(content: PamphletContent, fmt: str) -> bytes:
    """For the public media kit: the same content renders to the same bytes, so keep a few."""
    return render_png(content) if fmt == "png" else render_pdf([content], fmt)


# The whole region ------------------------------------------------------------


@dataclass
class BatchOutput:
    combined_pdf: bytes
    archive: bytes
    village_count: int


def render_batch(contents: list[PamphletContent]) -> BatchOutput:
    """The combined A4 PDF, and a ZIP of each desa's A4/A5 PDF and PNG plus the combined A5 PDF."""
    combined = render_pdf(contents, "a4")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("semua-desa-A4.pdf", combined)
        zf.writestr("semua-desa-A5.pdf", render_pdf(contents, "a5"))
        for content in contents:
            zf.writestr(f"A4/{content.file_stem}.pdf", render_pdf([content], "a4"))
            zf.writestr(f"A5/{content.file_stem}.pdf", render_pdf([content], "a5"))
            # PNGs are already compressed; storing them saves time for nothing lost.
            zf.writestr(zipfile.ZipInfo(f"PNG/{content.file_stem}.png"), render_png(content),
                        compress_type=zipfile.ZIP_STORED)
    return BatchOutput(combined_pdf=combined, archive=archive.getvalue(), village_count=len(contents))
