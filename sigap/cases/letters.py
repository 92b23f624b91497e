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
from sigap.intake.codes import (
    PerpetratorRelation,
    Sex,
    SexualViolenceForm,
    ViolenceType,
    place_label,
)
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
    # The justice chain: prosecutor and court need what the police need; LPSK needs the events
    # to decide on protection; Bapas works with the (child) perpetrator; Dukcapil issues documents.
    PartnerType.PROSECUTOR: (VICTIMS, VIOLENCE, CHRONOLOGY, PERPETRATORS, CONDITION),
    PartnerType.COURT: (VICTIMS, VIOLENCE, CHRONOLOGY, PERPETRATORS, CONDITION),
    PartnerType.LPSK: (VICTIMS, VIOLENCE, CHRONOLOGY, PERPETRATORS, NEEDS),
    PartnerType.BAPAS: (VICTIMS, VIOLENCE, PERPETRATORS, NEEDS),
    PartnerType.DUKCAPIL: (VICTIMS, NEEDS),
    # Another UPTD PPA takes the case over: everything but identifiers.
    PartnerType.UPTD_REGENCY: (VICTIMS, VIOLENCE, CHRONOLOGY, PERPETRATORS, CONDITION, NEEDS),
    PartnerType.UPTD_PROVINCE: (VICTIMS, VIOLENCE, CHRONOLOGY, PERPETRATORS, CONDITION, NEEDS),
    PartnerType.SAPA129: (VICTIMS, VIOLENCE, CHRONOLOGY, PERPETRATORS, CONDITION, NEEDS),
    PartnerType.OTHER: (VICTIMS, NEEDS),
}
# Only the justice chain gets perpetrators' names; everyone else gets the relation at most.
NAMES_PERPETRATORS = (PartnerType.POLICE_UPPA, PartnerType.PROSECUTOR, PartnerType.COURT, PartnerType.BAPAS)
# A child victim's name never goes to these (UU 11/2012 Pasal 19, UU 35/2014 Pasal 64):
# the letter says "anak" with age and sex, and the partner reaches the child through the office.
NO_CHILD_NAMES = (PartnerType.SCHOOL, PartnerType.RELIGIOUS_LEADER)
CHILD_AGE_GROUPS = ("0-5", "6-12", "13-17")


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _age(victim: Any, on: datetime.date) -> str:
    """The age at the incident (the law's age), and the age on the letter's date where it differs."""
    return age_text(victim, on)


def _victim_name(victim: Any, hide_child: bool) -> str:
    # Treated as a child when recorded as one or in a child's age group (0-17).
    if hide_child and (victim.is_child or victim.age_group in CHILD_AGE_GROUPS):
        return str(_("Anak (nama dirahasiakan)"))
    return str(victim.name or _("(nama tidak diketahui)"))


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
            hide_child = partner.partner_type in NO_CHILD_NAMES
            sections.append(_section(_("Korban"), [
                f"{_victim_name(v, hide_child)}, {_age(v, today)}, {_label(Sex, v.sex)}" for v in victims
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
                f"{e.date_text()}"
                f"{' (' + _('perkiraan') + ')' if e.approximate else ''}, {place_label(e.place)}, "
                f"{e.desa.name if e.desa else _('desa tidak diketahui')}: {e.description}"
                for e in events.in_order()
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
        from sigap.letters.models import LetterType
        from sigap.letters.numbering import next_number

        return {
            # Taken in send_referral's transaction: a refused referral uses no number.
            "nomor": next_number(LetterType.RUJUKAN, on=today).text,
            "office": settings.SIGAP_OFFICE_NAME,
            "hotline": settings.SIGAP_HOTLINE,
            "case_number": case.number,
            "date": formats.date_format(today, "DATE_FORMAT"),
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


def render_pdf(letter: dict[str, Any]) -> bytes:
    """The referral letter in official form (``sigap.letters.official``): kop surat, nomor, sifat Rahasia,
    perihal, the addressee, the request, the sections, and the Kepala UPTD's signature block."""
    from sigap.letters import official

    with translation.override(settings.LANGUAGE_CODE):
        blocks: list[dict[str, Any]] = [
            official.p(_("Dengan hormat, bersama ini kami merujuk korban berikut untuk mendapatkan layanan: "
                         "%(service)s.") % {"service": letter.get("service", "")}),
            official.kv([(_("Nomor kasus"), letter.get("case_number", ""))]),
        ]
        if letter.get("purpose"):
            blocks.append(official.kv([(_("Keperluan"), letter["purpose"])]))
        for section in letter.get("sections", []):
            blocks.append(official.h(section.get("title", "")))
            blocks.extend(official.li(text) for text in section.get("lines", []))
        blocks.append(official.p(_("Demikian surat rujukan ini kami sampaikan. Atas perhatian dan kerja sama "
                                   "Bapak/Ibu, kami ucapkan terima kasih.")))
        blocks.append(official.small(_(
            "Informasi dalam surat ini bersifat rahasia (UU 12/2022 Pasal 69 dan 71; UU 35/2014 Pasal 64) "
            "dan hanya digunakan untuk layanan yang diminta. Mohon hubungi kami melalui nomor layanan "
            "%(hotline)s, bukan menghubungi korban atau keluarganya tanpa koordinasi."
        ) % {"hotline": letter.get("hotline", settings.SIGAP_HOTLINE)}))
        body = official.compose(
            number=letter.get("nomor") or "-",
            on=timezone.localdate(),
            perihal=_("Rujukan layanan korban"),
            to=[_("Yth. Pimpinan %(partner)s") % {"partner": letter.get("partner", "")},
                f"({letter.get('partner_type', '')})", _("di Tempat")],
            blocks=blocks,
        )
        # The date the letter was made, not the date it is printed again.
        body["date"] = letter.get("date") or body["date"]
        return official.render_pdf(body)
