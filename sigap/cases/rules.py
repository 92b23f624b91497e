"""The rules of law a case's facts decide: whether it may be mediated, whether the police duty applies.

One place for each decision (docs/CASES.md, "Mediation and the police duty"):

* ``mediation_refusal(case)`` says why a case may not be mediated (or None).
  Every point that could lead to a mediation asks it: adding a mediasi item to a
  plan, submitting and approving a plan holding one, recording a session, and
  the re-evaluation after an amendment (``actions.reevaluate_case_rules``).
* ``police_duty_applies(facts)``: sexual violence, reported to the police
  within 3x24 hours of the victim's report (UU TPKS Pasal 41 ayat 2-3).

The facts are read from plain columns of the case's reports (violence types,
sexual-violence forms, the victims' child status at the incident, the
perpetrators' child flag); nothing sealed is decrypted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from sigap.intake.codes import ViolenceType

# Violence against a child that the law makes an ordinary (not a complaint)
# offence: UU 35/2014 Pasal 76A-76J with Pasal 77-88 (physical and psychical
# violence, sexual violence, exploitation, trafficking, neglect). Only what is
# recorded as "lainnya" (e.g. a dispute over custody or maintenance of the
# child) leaves room for mediation.
CHILD_ORDINARY_OFFENCES = frozenset({
    ViolenceType.FISIK, ViolenceType.PSIKIS, ViolenceType.SEKSUAL, ViolenceType.EKSPLOITASI,
    ViolenceType.TRAFFICKING, ViolenceType.PENELANTARAN,
})


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about a case, from its reports' plain columns."""

    sexual: bool = False
    trafficking: bool = False
    child_exploitation: bool = False
    child_ordinary_offence: bool = False
    child_victim: bool = False
    child_perpetrator: bool = False


def facts_for_reports(report_ids: Any) -> CaseFacts:
    """The facts of the reports with these ids (a list or a subquery of ids).

    Violence types are per report, so a report's types apply to each of its
    victims: a report with a child victim and physical violence is violence
    against a child.
    """
    from sigap.intake.models import Perpetrator, ReportSexualForm, ReportViolence, Victim

    types_by_report: dict[int, set[str]] = {}
    for report_id, kind in ReportViolence.objects.filter(report_id__in=report_ids).values_list(
        "report_id", "violence_type"
    ):
        types_by_report.setdefault(report_id, set()).add(kind)
    all_types = set().union(*types_by_report.values()) if types_by_report else set()
    # A sexual-violence form recorded without the type still makes it sexual violence.
    sexual = ViolenceType.SEKSUAL in all_types or ReportSexualForm.objects.filter(report_id__in=report_ids).exists()
    child_reports = set(
        Victim.objects.filter(report_id__in=report_ids, is_child=True).values_list("report_id", flat=True)
    )
    child_types: set[str] = set()
    for report_id in child_reports:
        child_types |= types_by_report.get(report_id, set())
    if sexual and child_reports and ReportSexualForm.objects.filter(report_id__in=child_reports).exists():
        child_types.add(ViolenceType.SEKSUAL)
    return CaseFacts(
        sexual=sexual,
        trafficking=ViolenceType.TRAFFICKING in all_types,
        child_exploitation=ViolenceType.EKSPLOITASI in child_types,
        child_ordinary_offence=bool(child_types & CHILD_ORDINARY_OFFENCES),
        child_victim=bool(child_reports),
        child_perpetrator=Perpetrator.objects.filter(report_id__in=report_ids, is_child=True).exists(),
    )


def case_facts(case: Any) -> CaseFacts:
    from sigap.cases.models import CaseReport

    return facts_for_reports(CaseReport.objects.filter(case=case).values("report_id"))


def mediation_refusal_for(facts: CaseFacts) -> str | None:
    """Why a case with these facts may not be mediated, or None. Every ground that applies is named."""
    grounds: list[str] = []
    if facts.sexual:
        grounds.append(_("kekerasan seksual tidak dapat diselesaikan di luar proses peradilan (UU TPKS Pasal 23)"))
    if facts.trafficking:
        grounds.append(_("tindak pidana perdagangan orang (UU 21/2007) bukan delik aduan"))
    if facts.child_exploitation:
        grounds.append(_("eksploitasi terhadap anak (UU 35/2014 Pasal 76I dan 88) bukan delik aduan"))
    if facts.child_ordinary_offence and not facts.child_exploitation:
        grounds.append(_("kekerasan terhadap anak (UU 35/2014 Pasal 76A-76J) bukan delik aduan"))
    if not grounds:
        return None
    message = _("Mediasi tidak boleh dilakukan: %(grounds)s.") % {"grounds": "; ".join(grounds)}
    if facts.child_perpetrator:
        message += " " + diversion_note()
    return message


def diversion_note() -> str:
    """Shown wherever a perpetrator is a child: the SPPA route instead of a UPTD mediation."""
    return _(
        "Terlapor anak: penyelesaian di luar pengadilan hanya melalui diversi menurut UU 11/2012 (SPPA), "
        "oleh penyidik, penuntut umum atau hakim bersama Bapas; catat sebagai rujukan ke kepolisian dan "
        "pendampingan korban, bukan sebagai sesi mediasi UPTD PPA."
    )


def mediation_refusal(case: Any) -> str | None:
    """Why this case may not be mediated, or None: the one decision every mediation point asks."""
    return mediation_refusal_for(case_facts(case))


def police_duty_applies(facts: CaseFacts) -> bool:
    """UU TPKS Pasal 41: sexual violence is reported to the police within 3x24 hours of the victim's report."""
    return facts.sexual
