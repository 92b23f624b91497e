"""The dimensions the tally counts and the dashboards show, with their labels.

One place for the codes stored in ``MonthlyCount.dimension`` and for how each
stored value is shown. Values are codes from ``sigap.intake.codes`` (and
``sigap.cases.codes`` when case management is installed), region codes or
staff ids; never free text, except a report's ``source``, the campaign code of
the pamphlet link it came through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sigap.intake.codes import (
    AgeGroup,
    AmpkGroup,
    CaseType,
    Channel,
    Education,
    HeardFrom,
    Occupation,
    PerpetratorRelation,
    Place,
    ReportStatus,
    Risk,
    Sex,
    ViolenceType,
)

# Dimensions counted in a report's (month, kecamatan) cell. The unit (``units.py``):
# per report ("laporan"): REPORTS, CHANNEL, STATUS, SOURCE, RESPONSE, RESPONSE_TIME;
# per victim (``n`` = cases with such a victim, ``victims`` = such victims): CASE_TYPE
# (each victim's own: KtP, AMPK, Lainnya), AGE (at the incident), SEX, AGE_SEX, EDUCATION,
# OCCUPATION, DISABILITY, AMPK_GROUP (child victims of case type AMPK only: each of the victim's
# groups of UU 35/2014 Pasal 59 ayat 2, chosen or suggested, "" = none recorded); per case ("kasus", counted once through its home report,
# ``victims`` = its distinct victims): every other one.
# Case and victim counts hold only the cases within this unit's authority (the home
# report's ``authority`` is Authority.OWN); AUTHORITY counts every case by its
# authority, so the others are shown apart, labelled. Per-report counts hold every
# report received (the office took them all).
REPORTS = "reports"
TOTAL = "total"
CHANNEL = "channel"
RISK = "risk"
STATUS = "status"
CASE_TYPE = "case_type"
DESA = "desa"
SOURCE = "source"
HEARD_FROM = "heard_from"
AUTHORITY = "authority"
VIOLENCE = "violence"
RELATION = "relation"
PLACE = "place"
AGE_SEX = "age_sex"
AGE = "age"
SEX = "sex"
EDUCATION = "education"
OCCUPATION = "occupation"
DISABILITY = "disability"
AMPK_GROUP = "ampk_group"
STAGE = "stage"
RESPONSE = "response"  # value "<risk>|<outcome>"
RESPONSE_TIME = "response_time"  # value "<risk>|<bucket minutes>"

REPORT_DIMENSIONS = (
    REPORTS, TOTAL, AUTHORITY, CHANNEL, RISK, STATUS, CASE_TYPE, DESA, SOURCE, HEARD_FROM, VIOLENCE, RELATION,
    PLACE, AGE_SEX, AGE, SEX, EDUCATION, OCCUPATION, DISABILITY, AMPK_GROUP, STAGE, RESPONSE, RESPONSE_TIME,
)

# Outreach, per activity month and kecamatan; value: desa code ("" = kecamatan-wide).
OUTREACH_ACTIVITIES = "outreach_activities"
OUTREACH_PAMPHLETS = "outreach_pamphlets"
OUTREACH_AUDIENCE = "outreach_audience"
OUTREACH_DIMENSIONS = (OUTREACH_ACTIVITIES, OUTREACH_PAMPHLETS, OUTREACH_AUDIENCE)

# The contact log (``sigap.stats.contacts``), per contact month and kecamatan (the contact's own,
# else its report's). Additive: contacts per outcome and per "dari mana tahu" (value: the code),
# contacts tied to a report (value ""). Not additive over months, so stored as what makes them
# countable for any run of months: CONTACT_REPORTS, value "<previous month>", counts each
# (report, month with a contact of it); CONTACT_REPEAT, value "<previous month>|<next month>",
# counts each contact of a caller number followed by another ("" = none before).
CONTACT_OUTCOME = "contact_outcome"
CONTACT_HEARD_FROM = "contact_heard_from"
CONTACT_WITH_REPORT = "contact_with_report"
CONTACT_REPORTS = "contact_reports"
CONTACT_REPEAT = "contact_repeat"
CONTACT_DIMENSIONS = (CONTACT_OUTCOME, CONTACT_HEARD_FROM, CONTACT_WITH_REPORT, CONTACT_REPORTS, CONTACT_REPEAT)

# The present (month NOW): open cases per case worker and those with overdue work;
# value: the worker's user id ("" = not assigned yet).
WORKER_OPEN = "worker_open"
WORKER_OVERDUE = "worker_overdue"
CURRENT_DIMENSIONS = (WORKER_OPEN, WORKER_OVERDUE)

# Response outcomes of a report against its deadline (``response_due_at``).
ON_TIME = "on_time"
LATE = "late"
OVERDUE = "overdue"  # no response yet, deadline passed, report still open
WAITING = "waiting"  # no response yet, deadline not reached
NOT_MEASURED = "not_measured"  # closed without a recorded response
RESPONSE_OUTCOMES = (ON_TIME, LATE, OVERDUE, WAITING, NOT_MEASURED)
OUTCOME_LABELS: dict[str, str | Promise] = {
    ON_TIME: _("Tepat waktu"),
    LATE: _("Terlambat"),
    OVERDUE: _("Lewat batas, belum direspons"),
    WAITING: _("Belum direspons, masih dalam batas"),
    NOT_MEASURED: _("Selesai tanpa respons tercatat"),
}

NO_CASE = ""  # the stage of a report that has not become a case
UNKNOWN = ""


def response_bucket(minutes: int) -> int:
    """The response time a report is counted under, in minutes (its bucket's start).

    Whole minutes in the first hour, 5 minutes up to 6 hours, 30 minutes up to
    3 days, 6 hours up to 30 days, then one bucket. The median shown is the
    bucket of the (lower) median, so it is exact to that resolution while the
    histogram stays small whatever the number of reports.
    """
    minutes = max(0, minutes)
    if minutes < 60:
        return minutes
    if minutes < 6 * 60:
        return minutes - minutes % 5
    if minutes < 72 * 60:
        return minutes - minutes % 30
    if minutes < 30 * 24 * 60:
        return minutes - minutes % 360
    return 30 * 24 * 60


def cases_installed() -> bool:
    return apps.is_installed("sigap.cases")


def _stage_labels() -> dict[str, str | Promise]:
    labels: dict[str, str | Promise] = {NO_CASE: _("Belum menjadi kasus")}
    if cases_installed():
        from sigap.cases.codes import Stage

        labels.update(dict(Stage.choices))
    return labels


def stage_values() -> list[str]:
    return [v for v in _stage_labels() if v != NO_CASE] + [NO_CASE]


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str | Promise
    values: Callable[[], list[str]] | None  # every value in display order (None: as counted)
    labels: Callable[[], dict[str, str | Promise]]
    victim_level: bool = False  # counts victims (the chart shows victims, not cases)
    per_report: bool = False  # counts reports ("laporan"), not cases


def _choices(choices: Any) -> tuple[Callable[[], list[str]], Callable[[], dict[str, str | Promise]]]:
    return (lambda: list(choices.values)), (lambda: dict(choices.choices))


def _with_unknown(
    pair: tuple[Callable[[], list[str]], Callable[[], dict[str, str | Promise]]], label: str | Promise
) -> tuple[Callable[[], list[str]], Callable[[], dict[str, str | Promise]]]:
    values, labels = pair
    return (lambda: [*values(), UNKNOWN]), (lambda: {**labels(), UNKNOWN: label})


def _age_sex_values() -> list[str]:
    return [f"{a}|{s}" for a in AgeGroup.values for s in Sex.values]


def _age_sex_labels() -> dict[str, str | Promise]:
    sexes = dict(Sex.choices)
    return {f"{a}|{s}": f"{a} · {sexes[s]}" for a in AgeGroup.values for s in Sex.values}


def _disability() -> tuple[Callable[[], list[str]], Callable[[], dict[str, str | Promise]]]:
    return (lambda: ["ya", "tidak"]), (lambda: {"ya": _("Dengan disabilitas"), "tidak": _("Tanpa disabilitas")})


NOT_RECORDED = _("Belum dicatat")

# The breakdowns of the dashboard, in page order (month, kecamatan and desa are
# drawn by the dashboard itself; response times have their own table).
BREAKDOWNS: list[Dimension] = [
    Dimension(VIOLENCE, _("Jenis kekerasan"), *_choices(ViolenceType)),
    Dimension(AGE, _("Kelompok usia korban saat kejadian"), *_with_unknown(_choices(AgeGroup), _("Usia belum diketahui")),
              victim_level=True),
    Dimension(SEX, _("Jenis kelamin korban"), *_choices(Sex), victim_level=True),
    Dimension(RELATION, _("Hubungan pelaku dengan korban"), *_choices(PerpetratorRelation)),
    Dimension(PLACE, _("Tempat kejadian"), *_with_unknown(_choices(Place), NOT_RECORDED)),
    Dimension(CHANNEL, _("Saluran pengaduan"), *_choices(Channel), per_report=True),
    Dimension(RISK, _("Tingkat risiko"), *_choices(Risk)),
    Dimension(STAGE, _("Tahap penanganan"), stage_values, _stage_labels),
    Dimension(STATUS, _("Status laporan"), *_choices(ReportStatus), per_report=True),
    Dimension(CASE_TYPE, _("Jenis kasus korban"), *_with_unknown(_choices(CaseType), _("Belum dapat ditentukan")),
              victim_level=True),
    Dimension(EDUCATION, _("Pendidikan korban"), *_with_unknown(_choices(Education), NOT_RECORDED),
              victim_level=True),
    Dimension(OCCUPATION, _("Pekerjaan korban"), *_with_unknown(_choices(Occupation), NOT_RECORDED),
              victim_level=True),
    Dimension(DISABILITY, _("Disabilitas korban"), *_disability(), victim_level=True),
    Dimension(AMPK_GROUP, _("Korban AMPK per kelompok (UU 35/2014 Pasal 59 ayat 2)"),
              *_with_unknown(_choices(AmpkGroup), _("Kelompok belum dicatat")), victim_level=True),
    Dimension(HEARD_FROM, _("Dari mana tahu layanan ini (laporan)"),
              *_with_unknown(_choices(HeardFrom), _("Tidak ditanyakan")), per_report=True),
    Dimension(SOURCE, _("Sumber informasi (kode kampanye)"), None, lambda: {UNKNOWN: _("Tidak disebut")},
              per_report=True),
]
BY_KEY = {d.key: d for d in BREAKDOWNS}
AGE_SEX_VALUES = _age_sex_values
AGE_SEX_LABELS = _age_sex_labels
