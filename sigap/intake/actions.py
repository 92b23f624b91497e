"""Every intake state change, each one transaction with its audit entries.

Views and the API parse input, check access, call one of these and respond.

* ``submit_report(data, *, by, ...)`` -> ``SubmittedReport`` (plaintext tracking
  code and PIN, returned this once)
* ``record_contact(data, *, by, ...)`` -> ``Contact``
* ``override_risk(report, risk, *, by, reason)``
* ``decide_authority(report, authority, *, by, reason)``: staff decide or change the kewenangan
* ``link_reports(a, b, *, by, reason)`` -> ``ReportLink``
* ``open_report(user, pk, request)``: the audited detail read
* ``track(code, pin)``: the public coarse-status lookup (counts wrong PINs)

Audit entries carry ids only; reasons typed by staff are sealed on the record
they explain (``RiskOverride.reason``, ``ReportLink.reason``), not in the log.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.accounts.roles import Perm, has_permission
from sigap.intake import tracking
from sigap.intake.access import (
    can_file_report,
    can_manage_reports,
    can_record_contact,
    files_as_volunteer,
    get_report_for,
    village_problems,
)
from sigap.intake.ages import (
    AgeAtIncident,
    at_incident,
    incident_reference,
    local_day,
    perpetrator_fields,
)
from sigap.intake.amend import text_problem
from sigap.intake.ampk import suggest_ampk_groups
from sigap.intake.authority import province_of, suggestion_for
from sigap.intake.authority import suggest as suggest_authority
from sigap.intake.codes import Authority, DatePrecision, HeardFrom, Risk
from sigap.intake.models import (
    AuthorityDecision,
    ChronologyEvent,
    Contact,
    IdempotencyRecord,
    Perpetrator,
    RegistrationCounter,
    Report,
    ReporterIdentity,
    ReportLink,
    ReportNote,
    ReportSexualForm,
    ReportViolence,
    RiskOverride,
    TrackingCode,
    Victim,
    VictimAccommodation,
    VictimAmpkGroup,
    VictimDisability,
)
from sigap.intake.signals import report_filed, report_note_added, send_on_commit
from sigap.intake.triage import PerpetratorFacts, TriageFacts, VictimFacts, assess, response_due
from sigap.intake.validation import (
    ContactInput,
    ReportInput,
    ReportInvalid,
    as_aware,
    canonical_nik,
    check_report,
)
from sigap.lib import training
from sigap.regions.models import Level, Region
from sigap.vault.audit import record
from sigap.vault.blind import NotNormalisable, name_index, nik_index, normalise_phone, phone_index

# --- submitting a report ----------------------------------------------------


@dataclass(frozen=True)
class Idempotency:
    """An ``Idempotency-Key`` and the digest of the request body it came with."""

    key: str
    request_digest: str

    @staticmethod
    def digest_of(payload: Any) -> str:
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
        return hashlib.sha256(text.encode("ascii")).hexdigest()


class IdempotencyConflict(Exception):
    """The key was used before with a different body (HTTP 409)."""


@dataclass(frozen=True)
class SubmittedReport:
    """What the submitter is told, once. ``replayed``: an idempotent retry, nothing new created."""

    report: Report
    registration_number: str
    tracking_code: str
    pin: str
    risk: str
    case_type: str
    # Each victim's case type, in the order submitted (answers stored before it existed lack it).
    victim_case_types: tuple[str, ...] = ()
    replayed: bool = False

    def as_response(self) -> dict[str, Any]:
        return {
            "registration_number": self.registration_number,
            "tracking_code": self.tracking_code,
            "pin": self.pin,
            "risk": self.risk,
            "case_type": self.case_type,
            "victim_case_types": list(self.victim_case_types),
        }


def _dated_events(data: ReportInput) -> list[tuple[datetime.datetime, str]]:
    """``(when, precision)`` of the events whose date is known; none: ages count from the report date."""
    return [(as_aware(e.when), e.precision) for e in data.chronology if e.when is not None]


def victim_ages(data: ReportInput, report_day: datetime.date) -> list[AgeAtIncident]:
    """Each victim's age, child status and case type at the incident (``sigap.intake.ages``)."""
    reference, unknown = incident_reference(_dated_events(data), report_day)
    return [
        at_incident(
            birth_date=v.birth_date, stated_age=v.age, sex=v.sex, report_day=report_day,
            reference_date=reference, date_unknown=unknown,
        )
        for v in data.victims
    ]


def perpetrator_ages(data: ReportInput, report_day: datetime.date) -> list[dict[str, Any]]:
    """Each perpetrator's plain age columns at the incident (``ages.perpetrator_fields``)."""
    reference, _unknown = incident_reference(_dated_events(data), report_day)
    return [perpetrator_fields(p.birth_date, p.age, report_day, reference, p.is_child) for p in data.perpetrators]


def triage_facts(data: ReportInput, today: datetime.date) -> TriageFacts:
    """The triage facts of a report received on ``today``; victims' ages are at the incident."""
    ages = victim_ages(data, today)
    return TriageFacts(
        victims=tuple(
            VictimFacts(age.age, v.sex, v.has_disability) for v, age in zip(data.victims, ages, strict=True)
        ),
        violence_types=frozenset(str(t) for t in data.violence_types),
        perpetrators=tuple(
            PerpetratorFacts(p.lives_with_victim, p.holds_office, fields["is_child"])
            for p, fields in zip(data.perpetrators, perpetrator_ages(data, today), strict=True)
        ),
        immediate_danger=data.immediate_danger,
        injury_needs_care=data.injury_needs_care,
        threat_to_life=data.threat_to_life,
        self_harm_risk=data.self_harm_risk,
        repeated_violence=data.repeated_violence,
    )


def _replay(by: Any, idempotency: Idempotency) -> SubmittedReport | None:
    owner = {"user": by} if by is not None else {"user__isnull": True}
    existing = IdempotencyRecord.objects.filter(key=idempotency.key, **owner).select_related("report").first()
    if existing is None:
        return None
    if existing.request_digest != idempotency.request_digest:
        raise IdempotencyConflict
    body = json.loads(existing.response or "{}")
    assert existing.report is not None
    body["victim_case_types"] = tuple(body.get("victim_case_types", ()))
    return SubmittedReport(report=existing.report, replayed=True, **body)


def _next_number(region_code: str, year: int) -> int:
    # get_or_create under select_for_update: on PostgreSQL a concurrent first
    # insert of the year's row fails on the unique constraint and the retried
    # get then waits for and locks the committed row.
    counter, _created = RegistrationCounter.objects.select_for_update().get_or_create(
        region_code=region_code, year=year
    )
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value


def _authority(data: ReportInput) -> tuple[str, str | None]:
    """SIGAP's suggested kewenangan from where the victims live and the incidents happened
    (``sigap.intake.authority``); "belum" (staff decide) when a desa is not known."""
    suggestion = suggest_authority([v.desa for v in data.victims], [e.desa for e in data.chronology])
    return suggestion.authority, suggestion.transfer_to


def place_unknown(data: ReportInput) -> bool:
    """True when the person did not know a victim's desa or where something happened."""
    return any(not v.desa for v in data.victims) or any(not e.desa for e in data.chronology)


def unknown_needs_reason(by: Any) -> bool:
    """Staff and partner systems give a reason for an unknown desa; the public and volunteers need not."""
    return by is not None and not files_as_volunteer(by)


def submit_report(
    data: ReportInput,
    *,
    by: Any,
    channel: str | None = None,
    request: HttpRequest | None = None,
    source: str = "",
    idempotency: Idempotency | None = None,
    contact: Contact | None = None,
    now: datetime.datetime | None = None,
) -> SubmittedReport:
    """Record a report in one transaction and return its numbers, tracking code and PIN.

    ``by``: the signed-in submitter (None for the public web form). ``channel``
    overrides ``data.channel`` (the public form forces ``web``). Raises
    ``ReportInvalid`` (nothing saved), ``PermissionDenied``, ``IdempotencyConflict``.
    """
    if by is not None and not can_file_report(by):
        raise PermissionDenied
    if idempotency is not None:
        # by=None (the public form): the key is a one-time form token.
        replay = _replay(by, idempotency)
        if replay is not None:
            return replay
    now = now or timezone.now()
    errors = check_report(data, now=now, unknown_needs_reason=unknown_needs_reason(by))
    if data.received_at is not None and not has_permission(by, Perm.FILE_REPORT):
        # Only staff enter a paper form late; the public and volunteers report as it happens.
        errors["received_at"] = _("Hanya petugas yang dapat mencatat waktu diterima formulir kertas.")
    # A village volunteer reports only for their own desa (the form checks it too).
    for path, message in village_problems(by, [victim.desa for victim in data.victims]).items():
        errors.setdefault(path, message)
    if errors:
        raise ReportInvalid(errors)
    try:
        return _create(data, by=by, channel=channel, request=request, source=source,
                       idempotency=idempotency, contact=contact, now=now)
    except IntegrityError:
        # A concurrent request with the same Idempotency-Key won the race.
        if idempotency is not None:
            replay = _replay(by, idempotency)
            if replay is not None:
                return replay
        raise


def _create(
    data: ReportInput,
    *,
    by: Any,
    channel: str | None,
    request: HttpRequest | None,
    source: str,
    idempotency: Idempotency | None,
    contact: Contact | None,
    now: datetime.datetime,
) -> SubmittedReport:
    local_now = timezone.localtime(now)
    # A paper form entered late counts from when the unit received it (validated bounds).
    received_at = as_aware(data.received_at) if data.received_at is not None else now
    # The report's date (ages stated at the report; the reference when no incident date is known) is the
    # day it was received, as ages.recompute_report reads it later.
    today = local_day(received_at)
    ages = victim_ages(data, today)
    result = assess(triage_facts(data, today))
    authority, transfer_to = _authority(data)
    code, pin = tracking.new_code(), tracking.new_pin()
    canonical_code = tracking.normalise_code(code)
    assert canonical_code is not None
    region_code = settings.SIGAP_REGION.replace(".", "")
    first_desa = next((v.desa for v in data.victims if v.desa), None)

    with transaction.atomic():
        claim = None
        if idempotency is not None:
            # Claim the key first: a concurrent twin blocks here (PostgreSQL) or
            # waits for the write lock (SQLite) and then fails on the unique key.
            claim = IdempotencyRecord.objects.create(
                user=by, key=idempotency.key, request_digest=idempotency.request_digest, created_at=now
            )
        sequence = _next_number(region_code, local_now.year)
        registration_number = f"{training.number_prefix()}{region_code}-{local_now.year}-{sequence:06d}"

        reporter = data.reporter
        identity = None
        if not reporter.declined_identity:
            phone = normalise_phone(reporter.phone) if reporter.phone else None
            nik = canonical_nik(reporter.nik) if reporter.nik else None
            identity = ReporterIdentity.objects.create(
                name=reporter.name,
                nik=nik,
                nik_index=(nik_index(nik) or "") if nik else "",
                phone=phone,
                phone_index=(phone_index(phone) or "") if phone else "",
                address=reporter.address,
                created_at=now,
            )
        report = Report.objects.create(
            registration_number=registration_number,
            region_code=region_code,
            year=local_now.year,
            sequence=sequence,
            channel=channel or data.channel,
            source=source or data.source,
            # A report through a pamphlet's QR link (campaign code) learned of the hotline there.
            heard_from=data.heard_from or (HeardFrom.PAMFLET if (source or data.source) else ""),
            received_at=received_at,
            late_entry=data.received_at is not None,
            late_entry_reason=data.late_entry_reason if data.received_at is not None else None,
            created_at=now,
            submitted_by=by,
            reporter=identity,
            reporter_relation=reporter.relation or "",
            reporter_declined_identity=reporter.declined_identity,
            reporter_declined_reason=reporter.declined_reason if reporter.declined_identity else None,
            needs_follow_up=reporter.declined_identity,
            desa_id=first_desa,
            kecamatan_code=first_desa.rsplit(".", 1)[0] if first_desa else "",
            place_unknown=place_unknown(data),
            authority=authority,
            authority_suggested=authority,
            transfer_to_id=transfer_to,
            risk=result.risk,
            risk_computed=result.risk,
            risk_reasons=result.reasons,
            case_type=result.case_type,
            response_due_at=response_due(result.risk, received_at),
            immediate_danger=data.immediate_danger,
            injury_needs_care=data.injury_needs_care,
            threat_to_life=data.threat_to_life,
            self_harm_risk=data.self_harm_risk,
            repeated_violence=data.repeated_violence,
            victim_condition=data.victim_condition,
            needs=data.needs,
            safe_times=data.safe_contact.safe_times,
            safe_channel=data.safe_contact.safe_channel or "",
            never_call_back=data.safe_contact.never_call_back,
            consent_process=data.consent.process,
            consent_refer=data.consent.refer,
            consent_police=data.consent.police,
            consent_statistics=data.consent.statistics,
        )
        victims = []
        for position, (v, age) in enumerate(zip(data.victims, ages, strict=True)):
            nik = canonical_nik(v.nik) if v.nik else None
            victims.append(
                Victim(
                    report=report,
                    position=position,
                    name=v.name,
                    name_index=name_index(v.name) if v.name else "",
                    birth_date=v.birth_date,
                    stated_age=str(v.age) if v.age is not None else None,
                    sex=v.sex,
                    nik=nik,
                    nik_index=(nik_index(nik) or "") if nik else "",
                    address=v.address,
                    desa_id=v.desa,
                    kecamatan_code=v.desa.rsplit(".", 1)[0] if v.desa else "",
                    desa_unknown_reason=v.desa_unknown_reason if not v.desa else None,
                    education=v.education or "",
                    occupation=v.occupation or "",
                    disability=v.has_disability,
                    marital_status=v.marital_status or "",
                    **age.fields(),
                )
            )
        Victim.objects.bulk_create(victims)
        _victim_categories(data, victims, ages)
        Perpetrator.objects.bulk_create(
            Perpetrator(
                report=report,
                position=position,
                name=p.name,
                relation=p.relation,
                sex=p.sex or "",
                lives_with_victim=p.lives_with_victim,
                holds_office=p.holds_office,
                birth_date=p.birth_date,
                stated_age=str(p.age) if p.age is not None else None,
                education=p.education or "",
                occupation=p.occupation or "",
                **fields,
            )
            for position, (p, fields) in enumerate(zip(data.perpetrators, perpetrator_ages(data, today), strict=True))
        )
        ChronologyEvent.objects.bulk_create(
            ChronologyEvent(
                report=report,
                position=position,
                # No date known: stored as none, never a stand-in date.
                when=as_aware(e.when) if e.when is not None else None,
                approximate=e.when is not None and (e.approximate or e.precision != DatePrecision.HARI),
                precision=e.precision if e.when is not None else DatePrecision.HARI,
                time_known=e.time_known and e.when is not None,
                place=e.place or "",
                desa_id=e.desa,
                desa_unknown_reason=e.desa_unknown_reason if not e.desa else None,
                description=e.description,
                recorded_by=by,
                recorded_at=now,
            )
            for position, e in enumerate(data.chronology)
        )
        ReportViolence.objects.bulk_create(ReportViolence(report=report, violence_type=t) for t in data.violence_types)
        ReportSexualForm.objects.bulk_create(ReportSexualForm(report=report, form=f) for f in data.sexual_violence_forms)
        TrackingCode.objects.create(
            report=report,
            code_digest=tracking.code_digest(canonical_code),
            pin_digest=tracking.pin_digest(canonical_code, pin),
            created_at=now,
        )
        if contact is not None:
            Contact.objects.filter(pk=contact.pk).update(report=report)
            if not report.heard_from and contact.heard_from:
                # Asked once on the phone: the report carries the contact's answer.
                report.heard_from = contact.heard_from
                report.save(update_fields=["heard_from"])
        record("intake.report_created", actor=by, obj=report, request=request)
        send_on_commit(report_filed, sender=Report, report=report)
        if identity is not None:
            record("intake.reporter_identity_created", actor=by, obj=identity, request=request)

        submitted = SubmittedReport(
            report=report,
            registration_number=registration_number,
            tracking_code=code,
            pin=pin,
            risk=str(result.risk),
            case_type=str(result.case_type),
            victim_case_types=tuple(str(t) for t in result.victim_case_types),
        )
        if claim is not None:
            claim.response = json.dumps(submitted.as_response())
            claim.status_code = 201
            claim.report = report
            claim.save(update_fields=["response", "status_code", "report"])
    return submitted


def _victim_categories(data: ReportInput, victims: list[Victim], ages: list[AgeAtIncident]) -> None:
    """Disability types, accommodations and (for a child) AMPK groups, a row each."""
    disabilities: list[VictimDisability] = []
    accommodations: list[VictimAccommodation] = []
    groups: list[VictimAmpkGroup] = []
    for given, victim, age in zip(data.victims, victims, ages, strict=True):
        disabilities.extend(VictimDisability(victim=victim, kind=k) for k in given.disability_types)
        accommodations.extend(VictimAccommodation(victim=victim, kind=k) for k in given.accommodations)
        if age.is_child:
            suggested = given.ampk_groups is None
            chosen: list[str] = (
                suggest_ampk_groups(data.violence_types, data.sexual_violence_forms, disability=given.has_disability)
                if suggested else [str(g) for g in given.ampk_groups or ()]
            )
            groups.extend(VictimAmpkGroup(victim=victim, group=g, suggested=suggested) for g in chosen)
    VictimDisability.objects.bulk_create(disabilities)
    VictimAccommodation.objects.bulk_create(accommodations)
    VictimAmpkGroup.objects.bulk_create(groups)


def purge_idempotency(now: datetime.datetime | None = None) -> int:
    """Delete stored answers older than SIGAP_IDEMPOTENCY_HOURS (they hold a sealed PIN)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.SIGAP_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- contacts -----------------------------------------------------------------


def record_contact(
    data: ContactInput,
    *,
    by: Any,
    report: Report | None = None,
    request: HttpRequest | None = None,
) -> Contact:
    """Record one call, chat, SMS, visit or volunteer message. Raises ReportInvalid on a bad number."""
    if not can_record_contact(by):
        raise PermissionDenied
    phone = None
    if data.caller_phone:
        try:
            phone = normalise_phone(data.caller_phone)
        except NotNormalisable:
            raise ReportInvalid({"caller_phone": _("Nomor telepon tidak sah.")}) from None
    started = as_aware(data.started_at) if data.started_at else timezone.now()
    if started > timezone.now() + datetime.timedelta(minutes=10):
        raise ReportInvalid({"started_at": _("Waktu kontak tidak boleh di masa depan.")})
    with transaction.atomic():
        contact = Contact.objects.create(
            channel=data.channel,
            started_at=started,
            duration_seconds=data.duration_seconds,
            operator=by,
            caller_phone=phone,
            caller_phone_index=(phone_index(phone) or "") if phone else "",
            outcome=data.outcome,
            note=data.note,
            do_not_call_back=data.do_not_call_back,
            heard_from=data.heard_from or "",
            kecamatan_code=data.kecamatan or (report.kecamatan_code if report is not None else ""),
            report=report,
        )
        record("intake.contact_recorded", actor=by, obj=contact, request=request)
    return contact


# --- triage override, duplicates, opening -----------------------------------


def override_risk(
    report: Report, risk: str, *, by: Any, reason: str, request: HttpRequest | None = None
) -> Report:
    """Set a report's risk by hand, with a reason; recomputes its response deadline."""
    if not can_manage_reports(by) or not Report.objects.visible_to(by).filter(pk=report.pk).exists():
        raise PermissionDenied
    if risk not in Risk.values:
        raise ReportInvalid({"risk": _("Tingkat risiko tidak dikenal.")})
    if not (reason or "").strip():
        raise ReportInvalid({"reason": _("Alasan perubahan risiko wajib diisi.")})
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        RiskOverride.objects.create(report=locked, from_risk=locked.risk, to_risk=risk, reason=reason.strip(), by=by)
        locked.risk = risk
        locked.risk_overridden = True
        locked.response_due_at = response_due(risk, locked.received_at)
        locked.save(update_fields=["risk", "risk_overridden", "response_due_at"])
        record("intake.risk_overridden", actor=by, obj=locked, request=request)
    report.risk, report.risk_overridden, report.response_due_at = locked.risk, True, locked.response_due_at
    return locked


def decide_authority(
    report: Report, authority: str, *, by: Any, reason: str, transfer_to: str | None = None,
    request: HttpRequest | None = None,
) -> AuthorityDecision:
    """Staff decide or change a report's kewenangan, with a reason (sealed, kept in the history, audited).

    ``transfer_to``: the regency (for "lain") or province (for "provinsi") to transfer to; when not
    given, the one SIGAP suggests for that authority, or for "provinsi" this regency's province.
    """
    if not can_manage_reports(by) or not Report.objects.visible_to(by).filter(pk=report.pk).exists():
        raise PermissionDenied
    errors: dict[str, str] = {}
    if authority not in Authority.values or authority == Authority.UNDECIDED:
        errors["authority"] = _("Pilih kewenangan.")
    if not (reason or "").strip():
        errors["reason"] = _("Alasan keputusan kewenangan wajib diisi.")
    target = _transfer_target(report, authority, transfer_to) if not errors else None
    if transfer_to and target is None and not errors and authority in (Authority.OTHER, Authority.PROVINCE):
        errors["transfer_to"] = _("Isi kode kabupaten/kota (untuk daerah lain) atau provinsi (untuk provinsi) "
                                  "yang ada, misalnya 18.05 atau 18.")
    if errors:
        raise ReportInvalid(errors)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        decision = AuthorityDecision.objects.create(
            report=locked, from_authority=locked.authority, to_authority=authority, transfer_to_id=target,
            reason=reason.strip(), by=by,
        )
        locked.authority = authority
        locked.transfer_to_id = target
        locked.save(update_fields=["authority", "transfer_to"])
        record("intake.authority_decided", actor=by, obj=locked, request=request)
    report.authority, report.transfer_to_id = authority, target
    return decision


def _transfer_target(report: Report, authority: str, typed: str | None) -> str | None:
    """The region a report of ``authority`` goes to: the typed code when it is of the right level,
    else SIGAP's suggestion for that authority; None for this unit's own and the ministry's."""
    level = {Authority.OTHER: Level.KABUPATEN, Authority.PROVINCE: Level.PROVINSI}.get(Authority(authority))
    if level is None:
        return None
    if typed:
        code = typed.strip()
        if code == settings.SIGAP_REGION and authority == Authority.OTHER:
            return None
        return code if Region.objects.filter(code=code, level=level).exists() else None
    suggestion = suggestion_for(report)
    if suggestion.authority == authority and suggestion.transfer_to:
        return suggestion.transfer_to
    if authority == Authority.PROVINCE:
        return province_of(settings.SIGAP_REGION)
    return None


def link_reports(
    a: Report, b: Report, *, by: Any, reason: str = "", request: HttpRequest | None = None
) -> ReportLink:
    """Mark two reports as possibly the same matter. Both stay as they are; linking twice is a no-op."""
    if not can_manage_reports(by):
        raise PermissionDenied
    if a.pk == b.pk:
        raise ReportInvalid({"other": _("Laporan tidak dapat ditautkan dengan dirinya sendiri.")})
    if Report.objects.visible_to(by).filter(pk__in=[a.pk, b.pk]).count() != 2:
        raise PermissionDenied
    low, high = sorted([a.pk, b.pk])
    with transaction.atomic():
        existing = ReportLink.objects.filter(report_id=low, other_id=high).first()
        if existing is not None:
            return existing
        link = ReportLink.objects.create(report_id=low, other_id=high, reason=reason.strip() or None, linked_by=by)
        record("intake.reports_linked", actor=by, obj=link, request=request)
    return link


def open_report(user: Any, pk: Any, request: HttpRequest | None = None) -> Report:
    """Fetch a report for a detail view through the access rule and audit the read (Http404 if not visible).

    The person on duty may open a report the alerts sent them (``Report.objects.visible_to(on_duty=True)``);
    such an open is audited as ``intake.report_opened_on_duty``."""
    from sigap.intake.access import reached_on_duty

    report = get_report_for(user, pk, on_duty=True)
    action = "intake.report_opened_on_duty" if reached_on_duty(user, report) else "intake.report_opened"
    with transaction.atomic():
        record(action, actor=user, obj=report, request=request)
    return report


# --- public tracking ------------------------------------------------------------


class TrackingLocked(Exception):
    """Too many wrong PINs for this code; try later (HTTP 429)."""


def track(code: str, pin: str, *, now: datetime.datetime | None = None) -> str | None:
    """The coarse public status for a code and PIN, or None when either is wrong.

    A wrong PIN counts against the code; after SIGAP_TRACKING_MAX_FAILURES the
    code is locked for SIGAP_TRACKING_LOCK_MINUTES (``TrackingLocked``), and each
    further failure locks it again. A right PIN clears the count. Successful
    lookups of an unlocked code write nothing.
    """
    now = now or timezone.now()
    canonical = tracking.normalise_code(code or "")
    if canonical is None:
        return None
    entry = (
        TrackingCode.objects.filter(code_digest=tracking.code_digest(canonical))
        .select_related("report")
        .only("pk", "pin_digest", "failed_attempts", "locked_until", "report__status")
        .first()
    )
    if entry is None:
        return None
    if entry.locked_until is not None and entry.locked_until > now:
        raise TrackingLocked
    pin = (pin or "").strip()
    if len(pin) != tracking.PIN_LENGTH or not pin.isascii() or not pin.isdigit() or not tracking.pin_matches(
        canonical, pin, entry.pin_digest
    ):
        failures = entry.failed_attempts + 1
        update: dict[str, Any] = {"failed_attempts": F("failed_attempts") + 1}
        if failures >= settings.SIGAP_TRACKING_MAX_FAILURES:
            update["locked_until"] = now + datetime.timedelta(minutes=settings.SIGAP_TRACKING_LOCK_MINUTES)
        TrackingCode.objects.filter(pk=entry.pk).update(**update)
        return None
    if entry.failed_attempts:
        TrackingCode.objects.filter(pk=entry.pk).update(failed_attempts=0, locked_until=None)
    return entry.report.public_status


# --- notes ----------------------------------------------------------------------------------


def may_add_note(user: Any, report: Report) -> bool:
    """The one who submitted the report (a village volunteer above all: they may no longer amend it)."""
    return (getattr(user, "is_authenticated", False) and report.submitted_by_id == user.pk
            and Report.objects.visible_to(user).filter(pk=report.pk).exists())


def add_note(report: Report, text: str, *, by: Any, request: HttpRequest | None = None,
             now: datetime.datetime | None = None) -> ReportNote:
    """Add a note to a filed report (sealed, audited); the report itself is not changed."""
    if not may_add_note(by, report):
        raise PermissionDenied
    text = (text or "").strip()
    problem = text_problem(text, 2000)
    if not text or problem:
        raise ReportInvalid({"text": problem or _("Tuliskan catatannya.")})
    with transaction.atomic():
        note = ReportNote.objects.create(report=report, text=text, by=by, at=now or timezone.now())
        record("intake.report_note_added", actor=by, obj=note, request=request)
        # After commit: the alerts app tells the case's worker, or the people on duty (nothing personal).
        send_on_commit(report_note_added, sender=Report, report=report, by=by)
    return note
