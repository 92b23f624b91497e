"""Age and child status at the incident, and the case type that follows from them.

The one place these rules live (docs/CASES.md, "Rules of law"). Intake calls it
when a report is filed; whoever changes a victim's birth date or age, or the
chronology, calls ``recompute_report(report)`` in the same transaction (the
amendment work of the cases app does). Perpetrators' ages at the incident
(optional at intake) are computed the same way; a known age decides whether
the perpetrator was a child.

* **Reference date**: the day of the earliest current chronology event, in
  Asia/Jakarta. An event whose date is known only to the month or the year
  (``ChronologyEvent.precision``) counts from its earliest possible day (the 1st
  of the month, 1 January). With no dated event the report's date is used and
  the victim is flagged ``incident_date_unknown`` ("tanggal kejadian belum
  diketahui").
* **Age at the incident**: whole years on the reference date. From the date of
  birth when known; from an age stated at the report otherwise, counting from
  the middle of the birth dates that age allows (the likeliest age; it is always
  one the victim can have had). A birthday on the reference day counts (turning
  18 that day makes an adult); someone born on 29 February turns a year older on
  1 March in other years.
* **Child** (anak): under 18 at the incident (UU 35/2014 Pasal 1 angka 1). A
  victim whose age is not known at all is treated as a child until it is
  (the child's best interest, UU 23/2002 Pasal 2 huruf b), with no age group.
* **Case type** per victim: a child is AMPK whatever the sex; an adult woman
  KtP; an adult man ``Lainnya`` ("Korban dewasa laki-laki"), never KtP; an
  adult of unknown sex has none yet (``""``, "belum dapat ditentukan"). A report
  has every type of its victims; its single ``case_type`` is the first of
  ``CASE_TYPE_PRECEDENCE`` present.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.intake.codes import CASE_TYPE_PRECEDENCE, CaseType, DatePrecision, Sex, age_group

ADULT_AGE = 18


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Whole years from ``birth`` to ``day`` (negative when ``day`` is before ``birth``)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier; 29 February becomes 28 February in other years."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def local_day(moment: datetime.datetime | datetime.date) -> datetime.date:
    """The Asia/Jakarta calendar day of a moment (a naive time is already local)."""
    if isinstance(moment, datetime.datetime):
        if timezone.is_aware(moment):
            return timezone.localtime(moment).date()
        return moment.date()
    return moment


def earliest_day(when: datetime.datetime | datetime.date, precision: str = DatePrecision.HARI) -> datetime.date:
    """The earliest day an event dated ``when`` with ``precision`` can have happened."""
    day = local_day(when)
    if precision == DatePrecision.TAHUN:
        return day.replace(month=1, day=1)
    if precision == DatePrecision.BULAN:
        return day.replace(day=1)
    return day


def incident_reference(
    events: Iterable[tuple[datetime.datetime | datetime.date | None, str]], report_day: datetime.date
) -> tuple[datetime.date, bool]:
    """``(reference date, date unknown)`` from ``(when, precision)`` pairs of the current events.

    An event whose date nobody knows (``when`` None) does not count; with no dated event the report's
    day is the reference and the date is flagged unknown. Dated and undated together: the earliest dated.
    """
    days = [earliest_day(when, precision or DatePrecision.HARI) for when, precision in events if when is not None]
    if not days:
        return report_day, True
    return min(days), False


def age_at(
    birth_date: datetime.date | None, stated_age: int | None, report_day: datetime.date, day: datetime.date
) -> int | None:
    """Age in whole years on ``day``; ``stated_age`` is the age stated on ``report_day``. None: unknown."""
    if birth_date is not None:
        return max(0, age_on(birth_date, day))
    if stated_age is not None:
        return max(0, age_on(likely_birth(stated_age, report_day), day))
    return None


def likely_birth(stated_age: int, report_day: datetime.date) -> datetime.date:
    """The middle of the birth dates that make someone ``stated_age`` on ``report_day``."""
    latest = years_before(report_day, stated_age)
    earliest = years_before(report_day, stated_age + 1) + datetime.timedelta(days=1)
    return earliest + (latest - earliest) / 2


def is_child_age(age: int | None) -> bool:
    """Under 18; an unknown age counts as a child until it is known."""
    return age is None or age < ADULT_AGE


def age_group_for(age: int | None) -> str:
    """The SIMFONI-PPA age group, or ``""`` when the age is not known."""
    return "" if age is None else str(age_group(age))


def case_type_for(is_child: bool, sex: str) -> str:
    """The case type of one victim: AMPK, KtP, Lainnya, or ``""`` (adult of unknown sex)."""
    if is_child:
        return CaseType.AMPK
    if sex == Sex.P:
        return CaseType.KTP
    if sex == Sex.L:
        return CaseType.LAINNYA
    return ""


def report_case_type(victim_types: Iterable[str]) -> str:
    """The report's single case type: the first of ``CASE_TYPE_PRECEDENCE`` any victim has."""
    present = set(victim_types)
    for case_type in CASE_TYPE_PRECEDENCE:
        if case_type in present:
            return case_type
    return ""


def case_types_of(victim_types: Iterable[str]) -> list[str]:
    """Every case type the victims have, in precedence order (what the report shows)."""
    present = set(victim_types)
    return [str(t) for t in CASE_TYPE_PRECEDENCE if t in present]


# The Victim columns this module owns.
AGE_FIELDS = (
    "age_at_incident", "age_group", "is_child", "case_type", "incident_reference_date", "incident_date_unknown",
)


@dataclass(frozen=True)
class AgeAtIncident:
    """What ``Victim`` stores about its age at the incident (plain columns) and the age now."""

    age: int | None
    age_group: str
    is_child: bool
    case_type: str
    reference_date: datetime.date
    date_unknown: bool

    def fields(self) -> dict[str, Any]:
        """The ``Victim`` column values."""
        return {
            "age_at_incident": self.age,
            "age_group": self.age_group,
            "is_child": self.is_child,
            "case_type": self.case_type,
            "incident_reference_date": self.reference_date,
            "incident_date_unknown": self.date_unknown,
        }


def at_incident(
    *,
    birth_date: datetime.date | None,
    stated_age: int | None,
    sex: str,
    report_day: datetime.date,
    reference_date: datetime.date,
    date_unknown: bool,
) -> AgeAtIncident:
    age = age_at(birth_date, stated_age, report_day, reference_date)
    child = is_child_age(age)
    return AgeAtIncident(
        age=age,
        age_group=age_group_for(age),
        is_child=child,
        case_type=case_type_for(child, sex),
        reference_date=reference_date,
        date_unknown=date_unknown,
    )


def perpetrator_fields(
    birth_date: datetime.date | None,
    stated_age: int | None,
    report_day: datetime.date,
    reference_date: datetime.date,
    is_child: bool | None,
) -> dict[str, Any]:
    """A perpetrator's plain age columns at the incident; ``is_child`` follows a known age."""
    age = age_at(birth_date, stated_age, report_day, reference_date)
    return {
        "age_at_incident": age,
        "age_group": age_group_for(age),
        "is_child": is_child if age is None else age < ADULT_AGE,
    }


def stated_age_value(text: Any) -> int | None:
    """A sealed ``Victim.stated_age`` as a number (None when empty or not a number)."""
    if text is None or text == "":
        return None
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def age_now(victim: Any, today: datetime.date | None = None) -> int | None:
    """A stored victim's age today (for display beside the age at the incident)."""
    today = today or timezone.localdate()
    report_day = local_day(victim.report.received_at)
    return age_at(victim.birth_date, stated_age_value(victim.stated_age), report_day, today)


def recompute_report(report: Any) -> str:
    """Recompute every victim's age columns and case type, and the report's case type, from stored data.

    Call inside the transaction that changed a birth date, a stated age, a sex or
    the chronology. Saves only what changed; returns the report's case type (the
    caller copies it to a case when it keeps one).
    """
    from sigap.intake.models import ChronologyEvent, Perpetrator, Report, Victim

    report_day = local_day(report.received_at)
    events = ChronologyEvent.objects.current().filter(report_id=report.pk).values_list("when", "precision")
    reference, unknown = incident_reference(list(events), report_day)
    victims = list(Victim.objects.filter(report_id=report.pk).order_by("position"))
    changed: list[Victim] = []
    for victim in victims:
        values = at_incident(
            birth_date=victim.birth_date,
            stated_age=stated_age_value(victim.stated_age),
            sex=victim.sex,
            report_day=report_day,
            reference_date=reference,
            date_unknown=unknown,
        ).fields()
        if any(getattr(victim, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(victim, name, value)
            changed.append(victim)
    if changed:
        Victim.objects.bulk_update(changed, list(AGE_FIELDS))
    for perpetrator in Perpetrator.objects.filter(report_id=report.pk):
        values = perpetrator_fields(perpetrator.birth_date, stated_age_value(perpetrator.stated_age),
                                    report_day, reference, perpetrator.is_child)
        if any(getattr(perpetrator, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(perpetrator, name, value)
            perpetrator.save(update_fields=list(values))
    case_type = report_case_type(v.case_type for v in victims)
    if report.case_type != case_type:
        Report.objects.filter(pk=report.pk).update(case_type=case_type)
        report.case_type = case_type
    return case_type


def case_type_label(case_type: str) -> str:
    """The Indonesian label of a case type; ``""`` is "belum dapat ditentukan"."""
    if not case_type:
        return str(_("Belum dapat ditentukan"))
    return str(dict(CaseType.choices).get(case_type, case_type))


def case_types_label(victim_types: Iterable[str]) -> str:
    """Every case type of a report's victims, as one line ("AMPK, Korban dewasa laki-laki")."""
    types = list(victim_types)
    labels = [case_type_label(t) for t in case_types_of(types)]
    if any(not t for t in types):
        labels.append(case_type_label(""))
    return ", ".join(labels) or case_type_label("")


def age_text(victim: Any, today: datetime.date | None = None) -> str:
    """How a report shows a victim's age: at the incident, and now where it differs.

    "16 tahun saat kejadian, 18 sekarang"; "sekitar 30 tahun" for an age stated
    without a birth date; "tanggal kejadian belum diketahui" when the reference
    was the report date.
    """
    then = victim.age_at_incident
    if then is None:
        text = str(_("usia tidak diketahui (diperlakukan sebagai anak)"))
    else:
        now = age_now(victim, today)
        if now is not None and now != then:
            text = str(_("%(then)s tahun saat kejadian, %(now)s sekarang") % {"then": then, "now": now})
        else:
            text = str(_("%(n)s tahun") % {"n": then})
        if victim.birth_date is None:
            text = str(_("sekitar %(age)s") % {"age": text})
    if victim.incident_date_unknown:
        text += " · " + str(_("tanggal kejadian belum diketahui"))
    return text
