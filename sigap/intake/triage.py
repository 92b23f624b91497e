"""Triage: risk level, case type and response deadline. Plain rules, all in this module.

Each rule is a named predicate over ``TriageFacts`` with the risk it raises the
report to and the reason shown to staff. The report's risk is the highest level
any rule reaches; with none it is rendah. The reasons (rule codes) are stored on
the report, and ``REASON_LABELS`` turns them into Indonesian text.

Ages are the victims' ages **at the incident** (``sigap.intake.ages``): a girl
abused at 15 who reports at 18 is a child victim for every rule here. Case type
(jenis kasus) is per victim (``ages.case_type_for``): AMPK for a child, KtP for
an adult woman, ``Lainnya`` for an adult man; the report's single type is the
first of AMPK, KtP, Lainnya any victim has.

Response deadlines: tinggi ``SIGAP_RESPONSE_HOURS_TINGGI`` (1) hours, sedang
``SIGAP_RESPONSE_HOURS_SEDANG`` (6) hours, rendah
``SIGAP_RESPONSE_WORKING_DAYS_RENDAH`` (3) working days: Monday to Friday in
Asia/Jakarta, except the public holidays and cuti bersama listed in
``SIGAP_HOLIDAYS`` (ISO dates; the office updates the list each year).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sigap.intake.ages import case_type_for, is_child_age, report_case_type
from sigap.intake.codes import RISK_ORDER, CaseType, Risk, ViolenceType


@dataclass(frozen=True)
class VictimFacts:
    """One victim as the rules see them: ``age`` at the incident (None: unknown, treated as a child)."""

    age: int | None
    sex: str
    disability: bool = False

    @property
    def is_child(self) -> bool:
        return is_child_age(self.age)

    @property
    def case_type(self) -> str:
        return case_type_for(self.is_child, self.sex)


@dataclass(frozen=True)
class PerpetratorFacts:
    lives_with_victim: bool = False
    holds_office: bool = False
    is_child: bool | None = None


@dataclass(frozen=True)
class TriageFacts:
    """Everything the rules look at; built from a ReportInput or a saved Report."""

    victims: tuple[VictimFacts, ...]
    violence_types: frozenset[str]
    perpetrators: tuple[PerpetratorFacts, ...] = ()
    immediate_danger: bool = False
    injury_needs_care: bool = False
    threat_to_life: bool = False
    self_harm_risk: bool = False
    repeated_violence: bool = False

    @property
    def has_child_victim(self) -> bool:
        return any(v.is_child for v in self.victims)

    @property
    def sexual(self) -> bool:
        return ViolenceType.SEKSUAL in self.violence_types


@dataclass(frozen=True)
class Rule:
    code: str
    risk: str
    label: str | Promise
    applies: Callable[[TriageFacts], bool]


RULES: tuple[Rule, ...] = (
    Rule("immediate_danger", Risk.TINGGI, _("Korban dalam bahaya segera"), lambda f: f.immediate_danger),
    Rule(
        "child_sexual_violence",
        Risk.TINGGI,
        _("Anak korban kekerasan seksual"),
        lambda f: f.sexual and f.has_child_victim,
    ),
    Rule("threat_to_life", Risk.TINGGI, _("Ancaman terhadap nyawa"), lambda f: f.threat_to_life),
    Rule("self_harm", Risk.TINGGI, _("Risiko menyakiti diri atau bunuh diri"), lambda f: f.self_harm_risk),
    Rule("injury_needs_care", Risk.TINGGI, _("Luka yang perlu perawatan medis"), lambda f: f.injury_needs_care),
    Rule(
        "trafficking",
        Risk.TINGGI,
        _("Dugaan perdagangan orang (TPPO)"),
        lambda f: ViolenceType.TRAFFICKING in f.violence_types,
    ),
    Rule(
        "perpetrator_lives_with_victim",
        Risk.SEDANG,
        _("Terlapor tinggal serumah dengan korban"),
        lambda f: any(p.lives_with_victim for p in f.perpetrators),
    ),
    Rule("repeated_violence", Risk.SEDANG, _("Kekerasan berulang"), lambda f: f.repeated_violence),
    Rule("disability", Risk.SEDANG, _("Korban penyandang disabilitas"), lambda f: any(v.disability for v in f.victims)),
    Rule("child_victim", Risk.SEDANG, _("Korban anak"), lambda f: f.has_child_victim),
    Rule("sexual_violence", Risk.SEDANG, _("Kekerasan seksual"), lambda f: f.sexual),
    Rule(
        "perpetrator_holds_office",
        Risk.SEDANG,
        _("Terlapor memegang jabatan publik atau desa"),
        lambda f: any(p.holds_office for p in f.perpetrators),
    ),
)

REASON_LABELS: dict[str, str | Promise] = {rule.code: rule.label for rule in RULES}
REASON_LABELS["override"] = _("Diubah oleh petugas")


@dataclass(frozen=True)
class TriageResult:
    risk: str
    reasons: list[str] = field(default_factory=list)
    case_type: str = CaseType.KTP
    victim_case_types: tuple[str, ...] = ()

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS.get(code, code)) for code in self.reasons]


def assess(facts: TriageFacts) -> TriageResult:
    """Apply every rule; the risk is the highest any rule reaches, reasons in rule order."""
    fired = [rule for rule in RULES if rule.applies(facts)]
    risk = max((rule.risk for rule in fired), key=lambda r: RISK_ORDER[Risk(r)], default=Risk.RENDAH)
    victim_types = tuple(v.case_type for v in facts.victims)
    return TriageResult(
        risk=str(risk),
        reasons=[rule.code for rule in fired],
        case_type=report_case_type(victim_types),
        victim_case_types=victim_types,
    )


def reason_labels(codes: list[str]) -> list[str]:
    """Indonesian text for stored reason codes (e.g. ``report.risk_reasons``)."""
    return [str(REASON_LABELS.get(code, code)) for code in codes]


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday and not a listed public holiday (``SIGAP_HOLIDAYS``)."""
    return day.weekday() < 5 and day not in settings.SIGAP_HOLIDAYS


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """``days`` working days after ``start``, same time of day, Asia/Jakarta; weekends and holidays skipped."""
    local = timezone.localtime(start)
    result = local
    added = 0
    while added < days:
        result += datetime.timedelta(days=1)
        if is_working_day(result.date()):
            added += 1
    return result


def response_due(risk: str, start: datetime.datetime) -> datetime.datetime:
    """When the first response is due for a report received at ``start``."""
    if risk == Risk.TINGGI:
        return start + datetime.timedelta(hours=settings.SIGAP_RESPONSE_HOURS_TINGGI)
    if risk == Risk.SEDANG:
        return start + datetime.timedelta(hours=settings.SIGAP_RESPONSE_HOURS_SEDANG)
    return add_working_days(start, settings.SIGAP_RESPONSE_WORKING_DAYS_RENDAH)
