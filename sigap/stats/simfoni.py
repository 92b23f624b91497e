"""The SIMFONI-PPA export: one row per victim, in SIMFONI-PPA's categories.

So the data officer enters each case into the ministry's system from a sheet
instead of typing it twice. De-identified by construction: the rows are built
from plain code columns only (registration number, dates, kecamatan and
categories); no sealed field is ever read, so no name, NIK, phone number,
address, date of birth or free text can reach the file. The desa is left out
too: with an age group and a sex it can narrow a child's case to a few homes.

Only reports within this unit's authority are exported (a report to be
transferred is recorded by the unit that takes it over).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sigap.intake.codes import (
    AgeGroup,
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
)
from sigap.regions.models import Region
from sigap.stats import dimensions as d
from sigap.stats.exports import Sheet
from sigap.stats.forms import Period, month_bounds
from sigap.stats.models import CountedReport, TallyState

CHUNK = 500
# The service every report receives: the complaint was taken (Pengaduan).
COMPLAINT_SERVICE = "pengaduan"


def report_ids(period: Period) -> list[int]:
    """The ids of the reports received in the period (and kecamatan), oldest first.

    Found through the tally's indexed ``CountedReport``, plus the reports newer
    than its last run; the final filter on ``received_at`` is on those ids only.
    """
    start, _end = month_bounds(period.start)
    _start, end = month_bounds(period.end)
    counted = CountedReport.objects.filter(received_at__gte=start, received_at__lt=end)
    newer = Report.objects.filter(
        pk__gt=TallyState.objects.filter(pk=1).values_list("last_report_id", flat=True).first() or 0,
        received_at__gte=start, received_at__lt=end,
    )
    if period.kecamatan:
        counted = counted.filter(kecamatan_code=period.kecamatan)
        newer = newer.filter(kecamatan_code=period.kecamatan)
    candidates = set(counted.values_list("report_id", flat=True)) | set(newer.values_list("pk", flat=True))
    found: list[tuple[datetime.datetime, int]] = []
    ids = sorted(candidates)
    for i in range(0, len(ids), CHUNK):
        query = Report.objects.filter(pk__in=ids[i : i + CHUNK], received_at__gte=start, received_at__lt=end,
                                      authority=Authority.OWN)
        if period.kecamatan:
            query = query.filter(kecamatan_code=period.kecamatan)
        found.extend((received, pk) for pk, received in query.values_list("pk", "received_at"))
    return [pk for _received, pk in sorted(found)]


@dataclass
class ReportData:
    pk: int
    registration_number: str
    received_at: datetime.datetime
    kecamatan_code: str
    desa_id: str | None
    channel: str
    risk: str
    status: str
    case_type: str
    victims: list[Any] = field(default_factory=list)
    violence: set[str] = field(default_factory=set)
    sexual_forms: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    place_unknown: bool = False
    first_event: datetime.datetime | None = None
    relations: list[str] = field(default_factory=list)
    services: set[str] = field(default_factory=set)


def load(ids: list[int]) -> list[ReportData]:
    """Plain columns of the reports and what hangs off them; sealed columns are never selected."""
    service_model = None
    if d.cases_installed():
        from django.apps import apps

        service_model = apps.get_model("cases", "ServiceRecord")
    out: list[ReportData] = []
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        reports = {
            row[0]: ReportData(*row)
            for row in Report.objects.filter(pk__in=chunk).values_list(
                "pk", "registration_number", "received_at", "kecamatan_code", "desa_id", "channel", "risk",
                "status", "case_type",
            )
        }
        for victim in Victim.objects.filter(report_id__in=chunk).order_by("report_id", "position").values(
            "report_id", "position", "age_group", "sex", "is_child", "education", "occupation", "disability",
            "marital_status",
        ):
            reports[victim["report_id"]].victims.append(victim)
        for report_id, kind in ReportViolence.objects.filter(report_id__in=chunk).values_list(
            "report_id", "violence_type"
        ):
            reports[report_id].violence.add(kind)
        for report_id, form in ReportSexualForm.objects.filter(report_id__in=chunk).values_list("report_id", "form"):
            reports[report_id].sexual_forms.add(form)
        for report_id, place, when in ChronologyEvent.objects.filter(
            report_id__in=chunk, is_current=True
        ).values_list("report_id", "place", "when"):
            data = reports[report_id]
            if place:
                data.places.add(place)
            else:  # not given: "belum dicatat", listed as missing
                data.place_unknown = True
            if data.first_event is None or when < data.first_event:
                data.first_event = when
        for report_id, relation in Perpetrator.objects.filter(report_id__in=chunk).order_by(
            "report_id", "position"
        ).values_list("report_id", "relation"):
            reports[report_id].relations.append(relation)
        if service_model is not None:
            for report_id, kind in service_model.objects.filter(
                case__case_reports__report_id__in=chunk
            ).exclude(simfoni_type="").values_list("case__case_reports__report_id", "simfoni_type"):
                reports[report_id].services.add(kind)
        out.extend(reports[pk] for pk in chunk if pk in reports)
    return out


def _join(codes: set[str] | list[str], choices: Any) -> str:
    labels = dict(choices.choices)
    ordered = [c for c in choices.values if c in codes] + sorted(c for c in set(codes) if c not in labels)
    return "; ".join(str(labels.get(c, c)) for c in ordered)


def _services(codes: set[str]) -> str:
    if d.cases_installed():
        from sigap.cases.codes import SimfoniService

        return _join(codes | {COMPLAINT_SERVICE}, SimfoniService)
    return _("Pengaduan")


def _date(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def headers() -> list[str]:
    return [
        _("No. registrasi"), _("Korban ke-"), _("Tanggal pengaduan"), _("Tanggal kejadian"), _("Kecamatan"),
        _("Jenis kelamin"), _("Usia"), _("Anak"), _("Pendidikan"), _("Pekerjaan"), _("Disabilitas"),
        _("Status perkawinan"), _("Jenis kasus"), _("Jenis kekerasan"), _("Bentuk kekerasan seksual"),
        _("Tempat kejadian"), _("Hubungan pelaku dengan korban"), _("Jumlah terlapor"), _("Jenis layanan"),
        _("Saluran pengaduan"), _("Risiko"), _("Status"),
    ]


def rows(reports: list[ReportData]) -> list[list[Any]]:
    kecamatan = dict(Region.objects.filter(code__in={r.kecamatan_code for r in reports}).values_list("code", "name"))
    sexes, ages = dict(Sex.choices), dict(AgeGroup.choices)
    education, occupation = dict(Education.choices), dict(Occupation.choices)
    marital, case_types = dict(MaritalStatus.choices), dict(CaseType.choices)
    channels, risks, statuses = dict(Channel.choices), dict(Risk.choices), dict(ReportStatus.choices)
    yes, no = _("Ya"), _("Tidak")
    out: list[list[Any]] = []
    for report in reports:
        shared = {
            "violence": _join(report.violence, ViolenceType),
            "forms": _join(report.sexual_forms, SexualViolenceForm),
            "places": _join(report.places, Place),
            "relations": _join(report.relations or ["tidak_diketahui"], PerpetratorRelation),
            "services": _services(report.services),
        }
        for victim in report.victims:
            out.append([
                report.registration_number,
                victim["position"] + 1,
                _date(report.received_at),
                _date(report.first_event),
                kecamatan.get(report.kecamatan_code, report.kecamatan_code),
                str(sexes.get(victim["sex"], victim["sex"])),
                str(ages.get(victim["age_group"], victim["age_group"])),
                yes if victim["is_child"] else no,
                str(education.get(victim["education"], "")),
                str(occupation.get(victim["occupation"], "")),
                yes if victim["disability"] else no,
                str(marital.get(victim["marital_status"], "")),
                str(case_types.get(report.case_type, report.case_type)),
                shared["violence"],
                shared["forms"],
                shared["places"],
                shared["relations"],
                len(report.relations),
                shared["services"],
                str(channels.get(report.channel, report.channel)),
                str(risks.get(report.risk, report.risk)),
                str(statuses.get(report.status, report.status)),
            ])
    return out


def sheet(period: Period) -> Sheet:
    """The export, always in Indonesian (SIMFONI-PPA's own terms)."""
    with translation.override("id"):
        data = load(report_ids(period))
        return Sheet(_("SIMFONI-PPA %(start)s sd %(end)s") % {"start": period.start, "end": period.end},
                     headers(), rows(data))


@dataclass
class Gap:
    registration_number: str
    received_at: datetime.datetime
    missing: list[str]


def gaps(reports: list[ReportData]) -> list[Gap]:
    """Reports missing something SIMFONI-PPA asks for, with what is missing."""
    out: list[Gap] = []
    for report in reports:
        missing: list[str] = []
        if not report.violence:
            missing.append(_("jenis kekerasan"))
        if "seksual" in report.violence and not report.sexual_forms:
            missing.append(_("bentuk kekerasan seksual"))
        if not report.places:
            missing.append(_("tempat dan tanggal kejadian"))
        elif report.place_unknown:
            missing.append(_("tempat kejadian (belum dicatat)"))
        if not report.relations:
            missing.append(_("terlapor dan hubungannya dengan korban"))
        if not report.kecamatan_code:
            missing.append(_("kecamatan"))
        if not report.victims:
            missing.append(_("korban"))
        for victim in report.victims:
            number = victim["position"] + 1
            if not victim["education"]:
                missing.append(_("pendidikan korban %(n)d") % {"n": number})
            if not victim["occupation"]:
                missing.append(_("pekerjaan korban %(n)d") % {"n": number})
        if missing:
            out.append(Gap(report.registration_number, report.received_at, missing))
    return out


def quality(period: Period) -> list[Gap]:
    return gaps(load(report_ids(period)))


def quality_sheet(found: list[Gap]) -> Sheet:
    return Sheet(_("Data belum lengkap"), [_("No. registrasi"), _("Tanggal pengaduan"), _("Yang belum diisi")],
                 [[g.registration_number, _date(g.received_at), "; ".join(g.missing)] for g in found])
