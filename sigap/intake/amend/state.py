"""What every part of an amendment shares: the fields, who sees their values, parsing, the state of one call."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sigap.intake.models import (
    ChronologyEvent,
    Perpetrator,
    Report,
    ReportAmendment,
    Victim,
)
from sigap.intake.validation import (
    EARLIEST_YEAR,
    MAX_AGE,
    VictimInput,
    age_on,
)

VICTIM_FIELDS = ("name", "birth_date", "age", "sex", "nik", "address", "desa", "education", "occupation",
                 "marital_status", "disability")


# A victim's lists of codes: the types of disability (UU 8/2016 Pasal 4), the accommodations it needs
# (UU TPKS Pasal 66 ayat 2) and a child victim's AMPK groups (UU 35/2014 Pasal 59 ayat 2).
VICTIM_LIST_FIELDS = ("disability_types", "accommodations", "ampk_groups")


PERPETRATOR_FIELDS = ("name", "relation", "sex", "lives_with_victim", "holds_office", "is_child", "birth_date",
                      "age", "education", "occupation")


EVENT_FIELDS = ("desa", "place")


REPORTER_IDENTITY_FIELDS = ("name", "phone", "nik", "address")


REPORTER_FIELDS = (*REPORTER_IDENTITY_FIELDS, "relation")


REPORT_TEXT_FIELDS = ("victim_condition", "needs")


CONSENT_FIELDS = ("consent_process", "consent_refer", "consent_police", "consent_statistics")


# The danger flags the report form asks: they feed triage (``triage.assess``).
DANGER_FIELDS = ("immediate_danger", "injury_needs_care", "threat_to_life", "self_harm_risk", "repeated_violence")


# How to reach the reporter or the victim safely. ``safe_times`` is sealed and need-to-know like a
# victim's address (``access.sees_victim_details``); the channel and "never call back" are plain.
SAFE_CONTACT_FIELDS = ("safe_times", "safe_channel", "never_call_back")


MAX_PEOPLE = 20  # as many victims or perpetrators as a filed report may hold


# Who may see the old and new value of an amendment (``visibility``).
PLAIN = "plain"  # whoever may open the report or the case


VICTIM_DETAIL = "victim_detail"  # a victim's NIK and address: need to know (``access.sees_victim_details``)


IDENTITY = "identity"  # the reporter's identity: only through the vault's reveal


_VICTIM_DETAIL_FIELD = re.compile(r"^victims\.\d+\.(nik|address)$")


def visibility(field: str) -> str:
    """How sensitive the values of an amendment of ``field`` are."""
    if field.startswith("reporter.") and field.split(".", 1)[1] in REPORTER_IDENTITY_FIELDS:
        return IDENTITY
    if _VICTIM_DETAIL_FIELD.match(field) or field == "safe_times":
        return VICTIM_DETAIL
    return PLAIN


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list | set | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _labels(choices: Any, codes: Any) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(c, c)) for c in sorted(codes)]


def _choice_label(choices: Any, code: str) -> str:
    return str(dict(choices.choices).get(code, code)) if code else "—"


def text_problem(value: Any, limit: int) -> str | None:
    """Why a free text cannot be stored: not text, too long, or control characters (NUL, lone surrogates)."""
    if value is None:
        return None
    if not isinstance(value, str):
        return _("Isian tidak sah.")
    if len(value) > limit:
        return _("Teks terlalu panjang.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("Isian mengandung karakter yang tidak sah.")
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        return _("Isian mengandung karakter yang tidak sah.")
    return None


def _parse_age(value: Any) -> tuple[str | None, str | None]:
    """(stated age as stored, error). ASCII digits only: another script's digits are refused, not guessed."""
    text = str(value).strip() if value not in (None, "") else ""
    if not text:
        return None, None
    if not (text.isascii() and text.isdigit()) or len(text) > 3 or int(text) > MAX_AGE:
        return None, _("Usia harus angka 0 sampai %(max)d.") % {"max": MAX_AGE}
    return str(int(text)), None


def _parse_birth(value: Any, today: datetime.date) -> tuple[datetime.date | None, str | None]:
    if isinstance(value, str):
        if not value.strip():
            return None, None
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None, _("Tulis tanggal sebagai TTTT-BB-HH.")
    if value is not None and not isinstance(value, datetime.date):
        return None, _("Tulis tanggal sebagai TTTT-BB-HH.")
    if value is not None and (value > today or value.year < EARLIEST_YEAR or age_on(value, today) > MAX_AGE):
        return None, _("Tanggal lahir tidak masuk akal.")
    return value, None


def _desa_exists(code: Any) -> bool:
    from sigap.regions.models import Region

    return isinstance(code, str) and Region.objects.desa().filter(code=code).exists()


def _desa_name(code: str | None) -> str:
    from sigap.regions.models import Region

    if not code:
        return "—"
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or code


class _Amending:
    """The state of one ``amend_report`` call: the locked report, its rows, the notes and the errors."""

    def __init__(self, report: Report, *, by: Any, reason: str, now: datetime.datetime) -> None:
        self.report = report
        self.by = by
        self.reason = reason
        self.now = now
        self.today = timezone.localdate(now)
        self.errors: dict[str, str] = {}
        self.amendments: list[ReportAmendment] = []
        self.victims = {v.position: v for v in Victim.objects.filter(report=report)}
        self.perpetrators = {p.position: p for p in Perpetrator.objects.filter(report=report)}
        self.events = {e.position: e for e in ChronologyEvent.objects.current().filter(report=report)}
        self.dirty_victims: set[int] = set()
        self.dirty_perpetrators: set[int] = set()
        self.removed_victims: list[Victim] = []
        self.removed_perpetrators: list[Perpetrator] = []
        self.added_victims: list[tuple[Victim, VictimInput]] = []
        self.event_changes: dict[int, dict[str, str]] = {}
        self.child_claims: dict[int, bool | None] = {}  # perpetrator position -> is_child asked for
        self.was_child = {v.pk: v.is_child for v in self.victims.values()}
        # victim pk -> field (VICTIM_LIST_FIELDS) -> the codes asked for, when they differ from the stored ones
        self.victim_lists: dict[int, dict[str, set[str]]] = {}
        self.disability_claims: dict[int, bool] = {}  # victim pk -> "disabilitas" as asked in this call

    def note(self, field: str, label: str, old: Any, new: Any, *, old_identity: str | None = None,
             new_identity: str | None = None) -> None:
        self.amendments.append(ReportAmendment(
            report=self.report, field=field[:64], label=label[:120], old_value=_show(old), new_value=_show(new),
            old_identity=old_identity, new_identity=new_identity, reason=self.reason, by=self.by, at=self.now))

    def next_position(self, kind: str, rows: dict[int, Any]) -> int:
        """A position never used by this report's ``kind`` (victims, perpetrators), so history stays unambiguous."""
        used = set(rows)
        for field in ReportAmendment.objects.filter(report=self.report, field__startswith=f"{kind}.").values_list(
            "field", flat=True
        ):
            part = field.split(".")[1]
            if part.isdigit():
                used.add(int(part))
        return max(used, default=-1) + 1


def _field_label(name: str) -> str:
    return str(getattr(Report._meta.get_field(name), "verbose_name", name))
