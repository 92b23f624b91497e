"""Referral letters: only what the receiving partner needs, and the PDF made from it.

``LETTER_SECTIONS`` decides, per kind of partner, which parts of the case go
into the letter. The letter is built once, when the referral is sent, and
sealed on the referral; the partner's screen and the PDF both show exactly that
and nothing else. A letter never holds a NIK, an address, a phone number or
anything about the reporter: the partner reaches the victim through the office.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from sigap.intake.ages import age_text
from sigap.intake.codes import PerpetratorRelation, Place, Sex, SexualViolenceForm, ViolenceType
from sigap.lib import training
from sigap.network.models import PartnerType, Service

VICTIMS = "victims"
VIOLENCE = "violence"
CHRONOLOGY = "chronology"
PERPETRATORS = "perpetrators"
CONDITION = "condition"
NEEDS = "needs"

LETTER_SECTIONS: dict[str, tuple[str, ...]] = {
    # Investigators need the events and who is alleged to have done them.
    PartnerType.POLICE_UPPA: (VICTIMS, VIOLENCE, CHRONOLOGY, PERPETRATORS, CONDITION),
    # Clinicians need the violence and the condition, not the story.
    PartnerType.HOSPITAL: (VICTIMS, VIOLENCE, CONDITION),
    PartnerType.PUSKESMAS: (VICTIMS, VIOLENCE, CONDITION),
    # Lawyers need the events and the relation to the perpetrator.
    PartnerType.LEGAL_AID: (VICTIMS, VIOLENCE, CHRONOLOGY, PERPETRATORS, NEEDS),
    PartnerType.PSYCHOLOGIST: (VICTIMS, VIOLENCE, CONDITION, NEEDS),
    PartnerType.SOCIAL_SERVICES: (VICTIMS, NEEDS),
    PartnerType.SAFE_HOUSE: (VICTIMS, NEEDS),
    PartnerType.RELIGIOUS_LEADER: (VICTIMS, NEEDS),
    PartnerType.SCHOOL: (VICTIMS, NEEDS),
    PartnerType.OTHER: (VICTIMS, NEEDS),
}
# Only the police get perpetrators' names; everyone else gets the relation at most.
NAMES_PERPETRATORS = (PartnerType.POLICE_UPPA,)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _age(victim: Any, on: datetime.date) -> str:
    """The age at the incident (the law's age), and the age on the letter's date where it differs."""
    return age_text(victim, on)


def _section(title: str, lines: list[str]) -> dict[str, Any]:
    return {"title": title, "lines": lines or ["—"]}


def build_letter(case: Any, partner: Any, *, service: str, purpose: str, sent_at: datetime.datetime,
                 sender: Any) -> dict[str, Any]:
    """The letter's content as plain JSON-able data, in the office's language."""
    from sigap.intake.models import (
        ChronologyEvent,
        Perpetrator,
        Report,
        ReportSexualForm,
        ReportViolence,
        Victim,
    )

    with translation.override(settings.LANGUAGE_CODE):
        report_ids = list(case.case_reports.values_list("report_id", flat=True))
        wanted = LETTER_SECTIONS.get(partner.partner_type, (VICTIMS, NEEDS))
        today = timezone.localdate(sent_at)
        sections: list[dict[str, Any]] = []
        if VICTIMS in wanted:
            victims = (Victim.objects.filter(report_id__in=report_ids).select_related("report")
                       .order_by("report_id", "position"))
            sections.append(_section(_("Korban"), [
                f"{v.name or _('(nama tidak diketahui)')}, {_age(v, today)}, {_label(Sex, v.sex)}" for v in victims
            ]))
        if VIOLENCE in wanted:
            types = sorted(set(ReportViolence.objects.filter(report_id__in=report_ids)
                               .values_list("violence_type", flat=True)))
            forms = sorted(set(ReportSexualForm.objects.filter(report_id__in=report_ids)
                               .values_list("form", flat=True)))
            lines = [", ".join(_label(ViolenceType, t) for t in types)]
            if forms:
                lines.append(_("Bentuk kekerasan seksual: %(forms)s")
                             % {"forms": ", ".join(_label(SexualViolenceForm, f) for f in forms)})
            sections.append(_section(_("Jenis kekerasan"), lines))
        if CHRONOLOGY in wanted:
            events = ChronologyEvent.objects.current().filter(report_id__in=report_ids).select_related("desa")
            sections.append(_section(_("Kronologi"), [
                f"{formats.date_format(timezone.localtime(e.when), 'j F Y')}"
                f"{' (' + _('perkiraan') + ')' if e.approximate else ''}, {_label(Place, e.place)}, "
                f"{e.desa.name}: {e.description}"
                for e in events.order_by("when", "position")
            ]))
        if PERPETRATORS in wanted:
            named = partner.partner_type in NAMES_PERPETRATORS
            lines = []
            for p in Perpetrator.objects.filter(report_id__in=report_ids).order_by("report_id", "position"):
                parts = [p.name if named and p.name else _("Terlapor")]
                parts.append(_("hubungan dengan korban: %(r)s") % {"r": _label(PerpetratorRelation, p.relation)})
                if p.is_child:
                    parts.append(_("anak"))
                lines.append(", ".join(parts))
            sections.append(_section(_("Terlapor"), lines))
        reports = list(Report.objects.filter(pk__in=report_ids).order_by("received_at"))
        if CONDITION in wanted:
            sections.append(_section(_("Kondisi korban"), [r.victim_condition for r in reports if r.victim_condition]))
        if NEEDS in wanted:
            needs = [r.needs for r in reports if r.needs]
            latest = case.assessments.order_by("-at").first()
            if latest is not None and latest.needs:
                needs.append(latest.needs)
            sections.append(_section(_("Kebutuhan dan harapan korban"), needs))
        return {
            "office": settings.SIGAP_OFFICE_NAME,
            "hotline": settings.SIGAP_HOTLINE,
            "case_number": case.number,
            "date": formats.date_format(today, "j F Y"),
            "partner": partner.name,
            "partner_type": _label(PartnerType, partner.partner_type),
            "service": _label(Service, service),
            "purpose": purpose,
            "sender": sender.get_full_name() or sender.get_username(),
            "sections": sections,
        }


def dumps(letter: dict[str, Any]) -> str:
    return json.dumps(letter, ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> dict[str, Any]:
    return json.loads(text or "{}")


def _latin1(text: Any) -> str:
    """fpdf2's core fonts speak Latin-1: keep what fits, replace the rest visibly."""
    value = str(text)
    replacements = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                    "\u2026": "...", "\u00a0": " "}
    for old, new in replacements.items():
        value = value.replace(old, new)
    return value.encode("latin-1", "replace").decode("latin-1")


def render_pdf(letter: dict[str, Any]) -> bytes:
    """An A4 referral letter from the letter data: header, addressee, request, the sections, signature."""
    from fpdf import FPDF

    with translation.override(settings.LANGUAGE_CODE):
        pdf = FPDF(orientation="P", unit="mm", format=(210, 297))
        pdf.set_title(_latin1(_("Surat rujukan %(number)s") % {"number": letter.get("case_number", "")}))
        pdf.set_creator("SIGAP")
        pdf.set_margins(20, 20, 20)
        pdf.set_auto_page_break(True, margin=20)
        pdf.add_page()
        width = pdf.w - pdf.l_margin - pdf.r_margin

        def line(text: str, size: float = 11, style: str = "", height: float = 6) -> None:
            pdf.set_font("Helvetica", style, size)
            pdf.multi_cell(width, height, _latin1(text), new_x="LMARGIN", new_y="NEXT")

        line(letter.get("office", ""), 14, "B", 7)
        line(_("Layanan pengaduan: %(hotline)s") % {"hotline": letter.get("hotline", "")}, 10)
        pdf.ln(2)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(4)
        line(_("SURAT RUJUKAN"), 13, "B", 7)
        line(_("Nomor kasus: %(number)s") % {"number": letter.get("case_number", "")}, 10)
        line(_("Tanggal: %(date)s") % {"date": letter.get("date", "")}, 10)
        pdf.ln(3)
        line(_("Kepada Yth. %(partner)s (%(kind)s)") % {"partner": letter.get("partner", ""),
                                                         "kind": letter.get("partner_type", "")})
        pdf.ln(2)
        line(_("Dengan hormat, kami merujuk korban berikut untuk mendapatkan layanan: %(service)s.")
             % {"service": letter.get("service", "")})
        if letter.get("purpose"):
            line(_("Keperluan: %(purpose)s") % {"purpose": letter["purpose"]})
        for section in letter.get("sections", []):
            pdf.ln(2)
            line(section.get("title", ""), 11, "B")
            for text in section.get("lines", []):
                line(f"- {text}")
        pdf.ln(4)
        line(_("Informasi dalam surat ini bersifat rahasia (UU 12/2022 Pasal 69 dan 71; UU 35/2014 Pasal 64) "
               "dan hanya digunakan untuk layanan yang diminta. Mohon hubungi kami melalui nomor layanan di atas, "
               "bukan menghubungi korban atau keluarganya tanpa koordinasi."), 9)
        pdf.ln(6)
        line(_("Hormat kami,"))
        pdf.ln(10)
        line(letter.get("sender", ""), 11, "B")
        line(letter.get("office", ""), 10)
        training.stamp_pdf(pdf)
        return bytes(pdf.output())
