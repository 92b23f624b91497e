"""The SIMFONI-PPA export: one row per victim, per victim–perpetrator pair and per perpetrator.

So the data officer enters each case into the ministry's system from a sheet
instead of typing it twice. The unit is the case and the victim
(``sigap.stats.units``): a case counts in the period of its home (earliest)
report, with every report linked to it, and each victim once, so two linked
reports about one victim give one row.

Three tables (the XLSX holds all three; a CSV holds one, ``lembar``):

* **Korban**: one row per victim of the period, with the victim's own case type
  (KtP / AMPK / Lainnya), a child victim's AMPK groups (UU 35/2014 Pasal 59 ayat 2;
  SIGAP's suggestion until staff choose) and age at the incident, the case's violence types,
  places and services, and the relation to each perpetrator;
* **Korban–Terlapor**: one row per victim–perpetrator pair;
* **Terlapor**: one row per perpetrator (sex, age or age group, education,
  occupation, relation).

Services are per victim: the complaint (Pengaduan), every SIMFONI service type
recorded on the case, and Penegakan hukum when the case was referred to the
police.

De-identified by construction and fast: the rows are built from plain code
columns only (registration numbers, dates, kecamatan, categories, ages at the
incident, which intake stores plain); no sealed field is read or decrypted, so
no name, NIK, phone number, address, date of birth or free text can reach the
file. The desa is left out too: with an age group and a sex it can narrow a
child's case to a few homes. Only cases within this unit's authority are
exported (a case to be transferred is recorded by the unit that takes it over).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sigap.intake.codes import (
    AgeGroup,
    AmpkGroup,
    Authority,
    CaseType,
    Channel,
    Education,
    MaritalStatus,
    Occupation,
    PerpetratorRelation,
    Place,
    ReportStatus,
    Risk,
    Sex,
    SexualViolenceForm,
    ViolenceType,
)
from sigap.intake.models import (
    ChronologyEvent,
    Perpetrator,
    Report,
    ReportSexualForm,
    ReportViolence,
    Victim,
    VictimAmpkGroup,
)
from sigap.lib.gcpause import gc_paused_during
from sigap.regions.models import Region
from sigap.stats import dimensions as d
from sigap.stats.exports import Sheet
from sigap.stats.forms import Period, month_bounds
from sigap.stats.models import CountedReport, TallyState
from sigap.stats.units import UnitMap, distinct_perpetrators, distinct_victims, unit_map

CHUNK = 2000
# The service every victim receives: the complaint was taken (Pengaduan).
COMPLAINT_SERVICE = "pengaduan"
# A referral to the police is law enforcement (Penegakan hukum) in SIMFONI-PPA.
POLICE_SERVICE = "penegakan_hukum"

VICTIM_FIELDS = ("report_id", "position", "nik_index", "name_index", "age_at_incident", "age_group", "is_child",
                 "case_type", "sex", "education", "occupation", "disability", "marital_status", "pk")
PERPETRATOR_FIELDS = ("report_id", "position", "relation", "sex", "is_child", "age_at_incident", "age_group",
                      "education", "occupation")

SHEETS = ("korban", "korban-terlapor", "terlapor")
NO_GROUPS: frozenset[str] = frozenset()
REPORT_COLUMNS = ("pk", "registration_number", "received_at", "kecamatan_code", "channel", "risk", "status")


def _bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    start, _end = month_bounds(period.start)
    _start, end = month_bounds(period.end)
    return start, end


def _own(query: Any, period: Period) -> Any:
    start, end = _bounds(period)
    query = query.filter(received_at__gte=start, received_at__lt=end, authority=Authority.OWN)
    return query.filter(kecamatan_code=period.kecamatan) if period.kecamatan else query


class Scope:
    """The reports to read: a subquery (a period's reports, found through an index) and a short list of ids.

    A period's thousands of reports are selected inside the database (``report_id
    IN (SELECT ...)``) rather than sent back as thousands of parameters; the list
    holds the few others (reports newer than the tally's last run, a case's
    reports outside the period).
    """

    def __init__(self, query: Any = None, ids: Iterable[int] = ()) -> None:
        self.query = query
        self.ids = sorted(set(ids))

    def of(self, queryset: Any, field: str = "report_id") -> Iterator[Any]:
        queryset = queryset.order_by()  # no model ordering: no sort, no join for it
        if self.query is not None:
            yield queryset.filter(**{f"{field}__in": self.query})
        for i in range(0, len(self.ids), CHUNK):
            yield queryset.filter(**{f"{field}__in": self.ids[i : i + CHUNK]})

    def rows(self, queryset: Any, *fields: str, field: str = "report_id",
             keep: Container[int] | None = None) -> list[tuple[Any, ...]]:
        """The rows; with ``keep``, only those whose first column is in it."""
        out: list[tuple[Any, ...]] = []
        for query in self.of(queryset, field):
            found = fetch(query.values_list(*fields))
            out.extend(found if keep is None else [row for row in found if row[0] in keep])
        return out


def fetch(queryset: Any) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the database driver returns them.

    The SQL is the ORM's own (portable); only Django's per-value converters are
    skipped, which cost more than the query for a period's tens of thousands of
    plain codes. What that leaves to the caller: booleans may come as 0/1, and a
    datetime may come naive in UTC (SQLite): ``aware()``.
    """
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=datetime.UTC)


def period_scope(period: Period) -> tuple[Scope, list[tuple[Any, ...]]]:
    """The reports received in the period (and kecamatan) within this unit's authority, and their columns.

    Found through the tally's indexed ``CountedReport.received_at``, plus the
    reports newer than its last run (an index range on the primary key).
    """
    start, end = _bounds(period)
    counted = CountedReport.objects.filter(received_at__gte=start, received_at__lt=end)
    if period.kecamatan:
        counted = counted.filter(kecamatan_code=period.kecamatan)
    own = _own(Report.objects.filter(pk__in=counted.values("report_id")), period).order_by()
    rows = _report_rows(fetch(own.values_list(*REPORT_COLUMNS)))
    seen = {row[0] for row in rows}
    last = TallyState.objects.filter(pk=1).values_list("last_report_id", flat=True).first() or 0
    newer = [row for row in _report_rows(fetch(_own(Report.objects.filter(pk__gt=last), period).order_by()
                                               .values_list(*REPORT_COLUMNS)))
             if row[0] not in seen]
    # The other tables are read through the tally's rows alone (no lookup of each report's wide row to
    # check it again): a superset of ``rows`` when the tally lags a change, narrowed by ``_load``.
    return Scope(counted.values("report_id"), [row[0] for row in newer]), rows + newer


def _report_rows(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [(pk, number, aware(received), *rest) for pk, number, received, *rest in rows]


def report_ids(period: Period) -> list[int]:
    """The ids of the reports received in the period (and kecamatan) within this unit's authority, oldest first."""
    _scope, rows = period_scope(period)
    return [row[0] for row in sorted(rows, key=lambda row: (row[2], row[0]))]


@dataclass
class CaseData:
    """One counted case (or a report not in a case): its home report's columns and its reports' facts."""

    pk: int
    registration_number: str
    received_at: datetime.datetime
    kecamatan_code: str
    channel: str
    risk: str
    status: str
    linked_numbers: list[str] = field(default_factory=list)
    victims: list[dict[str, Any]] = field(default_factory=list)
    perpetrators: list[dict[str, Any]] = field(default_factory=list)
    violence: set[str] = field(default_factory=set)
    sexual_forms: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    place_unknown: bool = False
    first_event: datetime.datetime | None = None
    services: set[str] = field(default_factory=set)
    police: bool = False

    @property
    def report_count(self) -> int:
        return 1 + len(self.linked_numbers)


@gc_paused_during
def load(ids: list[int]) -> list[CaseData]:
    """The cases whose home report is among ``ids``, with every report of each case (plain columns only)."""
    scope = Scope(ids=ids)
    return _load(scope, _report_rows(scope.rows(Report.objects.all(), *REPORT_COLUMNS, field="pk")), unit_map(ids))


@gc_paused_during
def load_period(period: Period) -> list[CaseData]:
    """The cases counted in the period: those whose home report was received in it, within this unit's authority."""
    scope, rows = period_scope(period)
    units = unit_map([row[0] for row in rows if row[0] not in scope.ids], query=scope.query)
    if scope.ids:
        more = unit_map(scope.ids)
        units.home_of.update(more.home_of)
        units.members.update(more.members)
        units.case_of.update(more.case_of)
    return _load(scope, rows, units)


def _position(row: dict[str, Any]) -> int:
    return int(row["position"])


def _load(scope: Scope, report_rows: list[tuple[Any, ...]], units: UnitMap) -> list[CaseData]:
    columns = {row[0]: row for row in report_rows}
    homes = sorted((pk for pk in columns if units.is_home(pk)), key=lambda pk: (columns[pk][2], pk))
    members = {pk: units.reports_of(pk) for pk in homes}
    # A case's reports outside the scope (received later, or in another kecamatan) are read by id.
    outside = Scope(ids={m for reports in members.values() for m in reports} - set(columns))
    numbers = {row[0]: row[1] for row in report_rows}
    numbers.update(outside.rows(Report.objects.all(), "pk", "registration_number", field="pk"))

    victims: dict[int, list[dict[str, Any]]] = defaultdict(list)
    perpetrators: dict[int, list[dict[str, Any]]] = defaultdict(list)
    violence: dict[int, set[str]] = defaultdict(set)
    forms: dict[int, set[str]] = defaultdict(set)
    places: dict[int, set[str]] = defaultdict(set)
    place_unknown: set[int] = set()
    first_event: dict[int, datetime.datetime] = {}
    ampk: dict[int, set[str]] = defaultdict(set)  # victim pk -> AMPK groups (read before the victims)
    for part in (scope, outside):
        # The scope's rows of reports not loaded (another authority, or moved since the tally's last run)
        # are left out: those a case needs come from ``outside``.
        keep = columns if part is scope else None
        for _report_id, victim_id, group in part.rows(VictimAmpkGroup.objects.all(), "victim__report_id",
                                                      "victim_id", "group", field="victim__report_id", keep=keep):
            ampk[victim_id].add(group)
        for row in part.rows(Victim.objects.all(), *VICTIM_FIELDS, keep=keep):
            victim = dict(zip(VICTIM_FIELDS, row, strict=True))
            victim["ampk_groups"] = ampk.get(row[-1], NO_GROUPS)  # VICTIM_FIELDS ends with the victim's pk
            victims[row[0]].append(victim)
        for row in part.rows(Perpetrator.objects.all(), *PERPETRATOR_FIELDS, keep=keep):
            perpetrators[row[0]].append(dict(zip(PERPETRATOR_FIELDS, row, strict=True)))
        for report_id, kind in part.rows(ReportViolence.objects.all(), "report_id", "violence_type", keep=keep):
            violence[report_id].add(kind)
        for report_id, form in part.rows(ReportSexualForm.objects.all(), "report_id", "form", keep=keep):
            forms[report_id].add(form)
        for report_id, place, when in part.rows(ChronologyEvent.objects.filter(is_current=True),
                                                "report_id", "place", "when", keep=keep):
            if place:
                places[report_id].add(place)
            else:  # not given: "belum dicatat", listed as missing
                place_unknown.add(report_id)
            # An event whose date nobody knows has none (the export leaves the date empty).
            if when is not None and (report_id not in first_event or when < first_event[report_id]):
                first_event[report_id] = when

    services: dict[int, set[str]] = defaultdict(set)
    police: set[int] = set()
    if d.cases_installed() and units.case_of:
        service_model = apps.get_model("cases", "ServiceRecord")
        case_model = apps.get_model("cases", "Case")
        referral_model = apps.get_model("cases", "Referral")
        case_report = apps.get_model("cases", "CaseReport")
        # The period's cases inside the database, like its reports; the few others by id.
        newer = set(scope.ids)
        listed = {units.case_of[pk] for pk in homes if pk in units.case_of and pk in newer}
        cases = Scope(case_report.objects.filter(report_id__in=scope.query).values("case_id")
                      if scope.query is not None else None,
                      listed if scope.query is not None else units.case_of.values())
        for case_id, kind in cases.rows(service_model.objects.exclude(simfoni_type="").distinct(),
                                        "case_id", "simfoni_type", field="case_id"):
            services[case_id].add(kind)
        police.update(pk for (pk,) in cases.rows(case_model.objects.filter(police_referred_at__isnull=False),
                                                 "pk", field="pk"))
        police.update(pk for (pk,) in cases.rows(referral_model.objects.filter(is_police=True), "case_id",
                                                 field="case_id"))

    out: list[CaseData] = []
    empty: set[str] = set()
    for pk in homes:
        data = CaseData(*columns[pk])
        order = members[pk]
        if len(order) == 1:  # most units: one report, nothing to merge (its rows are distinct already)
            data.victims = sorted(victims.get(pk, []), key=_position)
            data.perpetrators = sorted(perpetrators.get(pk, []), key=_position)
            data.violence = violence.get(pk, empty)
            data.sexual_forms = forms.get(pk, empty)
            data.places = places.get(pk, empty)
            data.place_unknown = pk in place_unknown
            data.first_event = first_event.get(pk)
        else:
            data.linked_numbers = [numbers[m] for m in order[1:] if m in numbers]
            data.victims = distinct_victims([v for m in order for v in victims.get(m, [])], order)
            data.perpetrators = distinct_perpetrators([p for m in order for p in perpetrators.get(m, [])], order)
            for m in order:
                data.violence = data.violence | violence.get(m, empty)
                data.sexual_forms = data.sexual_forms | forms.get(m, empty)
                data.places = data.places | places.get(m, empty)
                data.place_unknown |= m in place_unknown
                earliest = first_event.get(m)
                if earliest is not None and (data.first_event is None or earliest < data.first_event):
                    data.first_event = earliest
        data.first_event = aware(data.first_event)
        case_id = units.case_of.get(pk)
        if case_id is not None:
            data.services = set(services.get(case_id, set()))
            data.police = case_id in police
        out.append(data)
    return out


class Labels:
    """Every label of the export as plain text, looked up once per export (not once per cell)."""

    def __init__(self) -> None:
        def plain(choices: Any) -> dict[str, str]:
            return {str(k): str(v) for k, v in choices.choices}

        self.sex, self.age = plain(Sex), plain(AgeGroup)
        self.education, self.occupation = plain(Education), plain(Occupation)
        self.marital, self.case_type = plain(MaritalStatus), plain(CaseType)
        self.ampk = plain(AmpkGroup)
        self.channel, self.risk, self.status = plain(Channel), plain(Risk), plain(ReportStatus)
        self.violence, self.forms = plain(ViolenceType), plain(SexualViolenceForm)
        self.place, self.relation = plain(Place), plain(PerpetratorRelation)
        self.yes, self.no = _("Ya"), _("Tidak")
        self.services: dict[str, str] = {COMPLAINT_SERVICE: _("Pengaduan")}
        self.service_order: list[str] = [COMPLAINT_SERVICE]
        if d.cases_installed():
            from sigap.cases.codes import SimfoniService

            self.services = plain(SimfoniService)
            self.service_order = list(SimfoniService.values)
        self.order = {
            "violence": list(ViolenceType.values), "forms": list(SexualViolenceForm.values),
            "place": list(Place.values), "ampk": list(AmpkGroup.values),
        }
        self.perpetrator = _("Terlapor")
        self.tz = timezone.get_current_timezone()
        # A month's cases share a few hundred combinations of codes: each joined once.
        self._joined: dict[tuple[str, frozenset[str]], str] = {}

    def join(self, codes: set[str], kind: str) -> str:
        key = (kind, frozenset(codes))
        found = self._joined.get(key)
        if found is None:
            labels: dict[str, str] = getattr(self, kind)
            ordered = [c for c in self.order[kind] if c in codes] + sorted(c for c in codes if c not in labels)
            found = self._joined[key] = "; ".join(labels.get(c, c) for c in ordered)
        return found

    def service_list(self, data: CaseData) -> str:
        codes = data.services | {COMPLAINT_SERVICE}
        if data.police:
            codes.add(POLICE_SERVICE)
        key = ("services", frozenset(codes))
        found = self._joined.get(key)
        if found is None:
            ordered = [c for c in self.service_order if c in codes] + sorted(
                c for c in codes if c not in self.services)
            found = self._joined[key] = "; ".join(self.services.get(c, c) for c in ordered)
        return found

    def date(self, moment: datetime.datetime | None) -> str:
        return moment.astimezone(self.tz).date().isoformat() if moment else ""

    def flag(self, value: bool | None) -> str:
        return self.yes if value else self.no


def _date(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def _age(value: Any) -> Any:
    return value if value is not None else ""


def headers() -> list[str]:
    return [
        _("No. registrasi"), _("Laporan terkait"), _("Korban ke-"), _("Tanggal pengaduan"), _("Tanggal kejadian"),
        _("Kecamatan"), _("Jenis kelamin"), _("Usia saat kejadian"), _("Kelompok usia"), _("Anak"),
        _("Jenis kasus"), _("Kelompok AMPK"), _("Pendidikan"), _("Pekerjaan"), _("Disabilitas"), _("Status perkawinan"),
        _("Jenis kekerasan"), _("Bentuk kekerasan seksual"), _("Tempat kejadian"),
        _("Hubungan terlapor dengan korban"), _("Jumlah terlapor"), _("Jenis layanan"), _("Saluran pengaduan"),
        _("Risiko"), _("Status"),
    ]


def pair_headers() -> list[str]:
    return [
        _("No. registrasi"), _("Korban ke-"), _("Terlapor ke-"), _("Jenis kasus korban"),
        _("Usia korban saat kejadian"), _("Jenis kelamin korban"), _("Hubungan terlapor dengan korban"),
        _("Jenis kelamin terlapor"), _("Usia terlapor saat kejadian"), _("Kelompok usia terlapor"),
    ]


def perpetrator_headers() -> list[str]:
    return [
        _("No. registrasi"), _("Terlapor ke-"), _("Jenis kelamin"), _("Usia saat kejadian"), _("Kelompok usia"), _("Anak"),
        _("Pendidikan"), _("Pekerjaan"), _("Hubungan dengan korban"),
    ]


def _relations(data: CaseData, labels: Labels) -> str:
    if not data.perpetrators:
        return labels.relation[PerpetratorRelation.TIDAK_DIKETAHUI]
    return "; ".join(f"{labels.perpetrator} {n}: {labels.relation.get(p['relation'], p['relation'])}"
                     for n, p in enumerate(data.perpetrators, start=1))


def rows(cases: list[CaseData], labels: Labels | None = None) -> list[list[Any]]:
    labels = labels or Labels()
    kecamatan = dict(Region.objects.filter(code__in={c.kecamatan_code for c in cases}).values_list("code", "name"))
    out: list[list[Any]] = []
    for data in cases:
        shared = [
            labels.join(data.violence, "violence"), labels.join(data.sexual_forms, "forms"),
            labels.join(data.places, "place"), _relations(data, labels), len(data.perpetrators),
            labels.service_list(data), labels.channel.get(data.channel, data.channel),
            labels.risk.get(data.risk, data.risk), labels.status.get(data.status, data.status),
        ]
        head = [data.registration_number, "; ".join(data.linked_numbers)]
        dates = [labels.date(data.received_at), labels.date(data.first_event), kecamatan.get(data.kecamatan_code,
                                                                                  data.kecamatan_code)]
        for number, victim in enumerate(data.victims, start=1):
            out.append([
                *head, number, *dates,
                labels.sex.get(victim["sex"], victim["sex"]),
                _age(victim["age_at_incident"]),
                labels.age.get(victim["age_group"], victim["age_group"]),
                labels.flag(victim["is_child"]),
                labels.case_type.get(victim["case_type"], victim["case_type"]),
                labels.join(victim["ampk_groups"], "ampk") if victim["case_type"] == CaseType.AMPK else "",
                labels.education.get(victim["education"], ""),
                labels.occupation.get(victim["occupation"], ""),
                labels.flag(victim["disability"]),
                labels.marital.get(victim["marital_status"], ""),
                *shared,
            ])
    return out


def pair_rows(cases: list[CaseData], labels: Labels | None = None) -> list[list[Any]]:
    """One row per victim–perpetrator pair of each case."""
    labels = labels or Labels()
    out: list[list[Any]] = []
    for data in cases:
        for v_number, victim in enumerate(data.victims, start=1):
            for p_number, perpetrator in enumerate(data.perpetrators, start=1):
                out.append([
                    data.registration_number, v_number, p_number,
                    labels.case_type.get(victim["case_type"], victim["case_type"]),
                    _age(victim["age_at_incident"]),
                    labels.sex.get(victim["sex"], victim["sex"]),
                    labels.relation.get(perpetrator["relation"], perpetrator["relation"]),
                    labels.sex.get(perpetrator["sex"], perpetrator["sex"]),
                    _age(perpetrator["age_at_incident"]),
                    labels.age.get(perpetrator["age_group"], perpetrator["age_group"]),
                ])
    return out


def perpetrator_rows(cases: list[CaseData], labels: Labels | None = None) -> list[list[Any]]:
    labels = labels or Labels()
    out: list[list[Any]] = []
    for data in cases:
        for number, perpetrator in enumerate(data.perpetrators, start=1):
            child = perpetrator["is_child"]
            out.append([
                data.registration_number, number, labels.sex.get(perpetrator["sex"], perpetrator["sex"]),
                _age(perpetrator["age_at_incident"]),
                labels.age.get(perpetrator["age_group"], perpetrator["age_group"]),
                "" if child is None else labels.flag(child),
                labels.education.get(perpetrator["education"], ""),
                labels.occupation.get(perpetrator["occupation"], ""),
                labels.relation.get(perpetrator["relation"], perpetrator["relation"]),
            ])
    return out


def sheets(period: Period, which: tuple[str, ...] = SHEETS, data: list[CaseData] | None = None) -> list[Sheet]:
    """The export's tables, always in Indonesian (SIMFONI-PPA's own terms)."""
    with translation.override("id"):
        data = load_period(period) if data is None else data
        labels = Labels()
        span = {"start": period.start, "end": period.end}
        out: list[Sheet] = []
        if "korban" in which:
            out.append(Sheet(_("SIMFONI-PPA korban %(start)s sd %(end)s") % span, headers(), rows(data, labels)))
        if "korban-terlapor" in which:
            out.append(Sheet(_("Korban-terlapor %(start)s sd %(end)s") % span, pair_headers(),
                             pair_rows(data, labels)))
        if "terlapor" in which:
            out.append(Sheet(_("Terlapor %(start)s sd %(end)s") % span, perpetrator_headers(),
                             perpetrator_rows(data, labels)))
        return out


def sheet(period: Period) -> Sheet:
    """The victims' table alone."""
    return sheets(period, ("korban",))[0]


@dataclass
class Gap:
    registration_number: str
    received_at: datetime.datetime
    missing: list[str]
    victim: int | None = None  # the victim's number in its case; None: the case as a whole


def gaps(cases: list[CaseData]) -> list[Gap]:
    """What SIMFONI-PPA asks for and is missing: for the case, then for each victim by number."""
    out: list[Gap] = []
    for data in cases:
        missing: list[str] = []
        if not data.violence:
            missing.append(_("jenis kekerasan"))
        if ViolenceType.SEKSUAL in data.violence and not data.sexual_forms:
            missing.append(_("bentuk kekerasan seksual"))
        if not data.places:
            missing.append(_("tempat dan tanggal kejadian"))
        elif data.place_unknown:
            missing.append(_("tempat kejadian (belum dicatat)"))
        if data.places and data.first_event is None:
            missing.append(_("tanggal kejadian (tidak diketahui)"))
        if not data.perpetrators:
            missing.append(_("terlapor dan hubungannya dengan korban"))
        if not data.kecamatan_code:
            missing.append(_("kecamatan"))
        if not data.victims:
            missing.append(_("korban"))
        if missing:
            out.append(Gap(data.registration_number, data.received_at, missing))
        for number, victim in enumerate(data.victims, start=1):
            absent: list[str] = []
            if victim["age_at_incident"] is None or not victim["age_group"]:
                absent.append(_("usia saat kejadian korban %(n)d") % {"n": number})
            if not victim["case_type"]:
                absent.append(_("jenis kasus korban %(n)d") % {"n": number})
            elif victim["case_type"] == CaseType.AMPK and not victim["ampk_groups"]:
                absent.append(_("kelompok AMPK korban %(n)d") % {"n": number})
            if not victim["education"]:
                absent.append(_("pendidikan korban %(n)d") % {"n": number})
            if not victim["occupation"]:
                absent.append(_("pekerjaan korban %(n)d") % {"n": number})
            if absent:
                out.append(Gap(data.registration_number, data.received_at, absent, number))
    return out


def ampk_counts(cases: list[CaseData]) -> list[tuple[str, int]]:
    """Child (AMPK) victims per group of UU 35/2014 Pasal 59 ayat 2, in the law's order, then those with none.

    A victim counts once in each of its groups, so the rows may add up to more
    than the AMPK victims; the same count as the dashboard's (``tally.keys_of``).
    """
    found: dict[str, int] = defaultdict(int)
    for data in cases:
        for victim in data.victims:
            if victim["case_type"] == CaseType.AMPK:
                for group in victim["ampk_groups"] or {d.UNKNOWN}:
                    found[group] += 1
    labels = dict(AmpkGroup.choices)
    rows = [(str(labels[g]), found[g]) for g in AmpkGroup.values if found.get(g)]
    if found.get(d.UNKNOWN):
        rows.append((_("Kelompok belum dicatat"), found[d.UNKNOWN]))
    return rows


def quality(period: Period) -> list[Gap]:
    return gaps(load_period(period))


def quality_sheet(found: list[Gap]) -> Sheet:
    return Sheet(_("Data belum lengkap"),
                 [_("No. registrasi"), _("Tanggal pengaduan"), _("Korban ke-"), _("Yang belum diisi")],
                 [[g.registration_number, _date(g.received_at), g.victim or "", "; ".join(g.missing)]
                  for g in found])
