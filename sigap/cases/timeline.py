"""One time-ordered story of a case: its reports, contacts, chronology (every
version), stage changes, assessments, plans, services, shelter, referrals,
mediation, notes, documents and closures, and the records other apps register
(``register_source``: accompaniment's appointment outcomes).

A fixed number of queries (one per kind of record) whatever the size of the
case or of the database; the merge happens in Python.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sigap.cases.codes import ClosureStatus, PlanStatus, ReferralStatus, Stage
from sigap.cases.models import (
    Assessment,
    Attachment,
    Case,
    CaseNote,
    Closure,
    InterventionPlan,
    MediationSession,
    PoliceDutyDecision,
    Referral,
    ServiceRecord,
    ShelterExtension,
    ShelterStay,
    StageChange,
)
from sigap.intake.access import sees_victim_details
from sigap.intake.amend import VICTIM_DETAIL
from sigap.intake.amend import visibility as amend_visibility
from sigap.intake.codes import Channel, ContactOutcome, place_label
from sigap.intake.models import ChronologyEvent, Contact, Report, ReportAmendment, ReportNote


@dataclass
class Entry:
    at: datetime.datetime
    kind: str  # css-friendly: report, contact, event, stage, ...
    title: str
    body: str | None = None
    by: str = ""
    superseded: bool = False
    date_only: bool = False
    link: str = ""
    # An event whose date nobody knows: placed at its report's receipt, shown "tanggal tidak diketahui".
    date_unknown: bool = False


# Other apps add their records of a case (``sigap.accompaniment``: appointment outcomes, with who recorded
# them): ``source(case, user)`` returns its entries, from one query, so the timeline's cost stays fixed.
SOURCES: list[Callable[[Case, Any], list[Entry]]] = []


def register_source(source: Callable[[Case, Any], list[Entry]]) -> None:
    if source not in SOURCES:
        SOURCES.append(source)


def _who(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def build(case: Case, user: Any = None) -> list[Entry]:
    """The case's history, oldest first; ``user`` decides which amended values show (need to know)."""
    entries: list[Entry] = []
    report_ids = list(case.case_reports.values_list("report_id", flat=True))

    received: dict[int, datetime.datetime] = {}
    for report in Report.objects.filter(pk__in=report_ids).select_related("submitted_by"):
        received[report.pk] = report.received_at
        entries.append(Entry(report.received_at, "report",
                             _("Laporan %(number)s diterima (%(channel)s)")
                             % {"number": report.registration_number, "channel": report.get_channel_display()},
                             by=_who(report.submitted_by)))
    for contact in Contact.objects.filter(report_id__in=report_ids).select_related("operator"):
        entries.append(Entry(contact.started_at, "contact",
                             _("Kontak: %(channel)s, %(outcome)s")
                             % {"channel": _label(Channel, contact.channel),
                                "outcome": _label(ContactOutcome, contact.outcome)},
                             body=contact.note, by=_who(contact.operator)))
    events = list(ChronologyEvent.objects.filter(report_id__in=report_ids).select_related("desa", "recorded_by"))
    for event in events:
        desa = event.desa.name if event.desa else _("desa tidak diketahui")
        title = _("Kejadian: %(place)s, %(desa)s") % {"place": place_label(event.place), "desa": desa}
        if event.supersedes_id:
            title += " · " + _("versi perubahan (dicatat %(at)s)") % {
                "at": formats.date_format(timezone.localtime(event.recorded_at), "SHORT_DATETIME_FORMAT")
            }
        if not event.is_current:
            title += " · " + _("versi lama, sudah diubah")
        entries.append(Entry(event.when or received[event.report_id], "event", title, body=event.description,
                             by=_who(event.recorded_by), superseded=not event.is_current,
                             date_only=not event.time_known, date_unknown=event.when is None))
    full_victims: dict[int, bool] = {}
    for amendment in ReportAmendment.objects.filter(report_id__in=report_ids).select_related("by", "report"):
        old, new = amendment.old_value, amendment.new_value
        kind = amend_visibility(amendment.field)
        if kind == VICTIM_DETAIL:
            if amendment.report_id not in full_victims:
                full_victims[amendment.report_id] = user is not None and sees_victim_details(user, amendment.report)
            if not full_victims[amendment.report_id]:
                old = new = _("(disembunyikan)")
        # The reporter's details: the masks only; the values are revealed on the report, with a reason.
        entries.append(Entry(amendment.at, "amendment",
                             _("Diubah: %(what)s (laporan %(number)s)")
                             % {"what": amendment.label, "number": amendment.report.registration_number},
                             body=_("Sebelumnya: %(old)s\nSekarang: %(new)s\nAlasan: %(reason)s")
                             % {"old": old, "new": new, "reason": amendment.reason},
                             by=_who(amendment.by)))
    for note in ReportNote.objects.filter(report_id__in=report_ids).select_related("by", "report"):
        entries.append(Entry(note.at, "note", _("Catatan tambahan pada laporan %(number)s")
                             % {"number": note.report.registration_number}, body=note.text, by=_who(note.by)))
    for change in StageChange.objects.filter(case=case).select_related("by"):
        if change.from_stage:
            title = _("Tahap: %(old)s → %(new)s") % {"old": _label(Stage, change.from_stage),
                                                     "new": _label(Stage, change.to_stage)}
        else:
            title = _("Kasus %(number)s dibuka") % {"number": case.number}
        entries.append(Entry(change.at, "stage", title, body=change.note, by=_who(change.by)))
    for assessment in Assessment.objects.filter(case=case).select_related("by"):
        entries.append(Entry(assessment.at, "assessment", _("Asesmen biopsikososial dicatat"), by=_who(assessment.by)))
    for plan in InterventionPlan.objects.filter(case=case).select_related("created_by", "decided_by"):
        if plan.submitted_at:
            entries.append(Entry(plan.submitted_at, "plan", _("Rencana intervensi versi %(v)s diajukan")
                                 % {"v": plan.version}, body=plan.goals, by=_who(plan.created_by)))
        if plan.decided_at:
            verdict = (_("disetujui") if plan.status == PlanStatus.APPROVED else _("dikembalikan"))
            entries.append(Entry(plan.decided_at, "plan", _("Rencana intervensi versi %(v)s %(verdict)s")
                                 % {"v": plan.version, "verdict": verdict}, body=plan.decision_comment,
                                 by=_who(plan.decided_by)))
    for service in ServiceRecord.objects.filter(case=case).select_related("provider_user", "provider_partner",
                                                                          "recorded_by"):
        provider = service.provider_partner.name if service.provider_partner else _who(service.provider_user)
        title = _("Layanan: %(service)s") % {"service": service.get_service_display()}
        if service.simfoni_type:
            title += f" ({service.get_simfoni_type_display()})"
        title += " · " + _("oleh %(provider)s") % {"provider": provider}
        entries.append(Entry(service.at, "service", title, body=service.outcome,
                             by=_who(service.recorded_by), date_only=service.delivered_at is None))
    stays = list(ShelterStay.objects.filter(case=case).select_related("place", "checked_in_by", "checked_out_by"))
    for stay in stays:
        place = stay.place.name if stay.place else _("penampungan UPTD PPA")
        entries.append(Entry(stay.checked_in_at, "shelter", _("Masuk penampungan sementara: %(place)s")
                             % {"place": place}, body=stay.note, by=_who(stay.checked_in_by)))
        if stay.checked_out_at:
            entries.append(Entry(stay.checked_out_at, "shelter", _("Keluar dari penampungan"),
                                 by=_who(stay.checked_out_by)))
    for extension in ShelterExtension.objects.filter(stay__case=case).select_related("approved_by"):
        end = formats.date_format(timezone.localtime(extension.new_end_at), "SHORT_DATE_FORMAT")
        entries.append(Entry(extension.at, "shelter", _("Penampungan diperpanjang sampai %(end)s") % {"end": end},
                             body=extension.reason, by=_who(extension.approved_by)))
    for referral in Referral.objects.filter(case=case).select_related("partner").prefetch_related("updates__by"):
        for update in referral.updates.all():
            if update.status == ReferralStatus.SENT:
                title = _("Rujukan dikirim ke %(partner)s") % {"partner": referral.partner.name}
            else:
                title = _("Rujukan ke %(partner)s: %(status)s") % {"partner": referral.partner.name,
                                                                  "status": update.get_status_display()}
            entries.append(Entry(update.at, "referral", title, body=update.note, by=_who(update.by)))
    for session in MediationSession.objects.filter(case=case).select_related("recorded_by"):
        title = _("Sesi mediasi") + (" · " + ", ".join(session.matter_labels) if session.matters else "") + (
            " · " + _("kesepakatan (berita acara)") if session.agreement else "")
        body = session.summary + (f"\n\n{session.agreement}" if session.agreement else "")
        entries.append(Entry(session.held_at, "mediation", title, body=body, by=_who(session.recorded_by)))
    for decision in PoliceDutyDecision.objects.filter(case=case).select_related("decided_by"):
        title = _("Kewajiban lapor ke polisi ditutup oleh manajer: %(basis)s") % {"basis": decision.get_basis_display()}
        entries.append(Entry(decision.decided_at, "police", title, body=decision.reason, by=_who(decision.decided_by)))
    for note in CaseNote.objects.filter(case=case).select_related("by"):
        entries.append(Entry(note.at, "note", _("Catatan"), body=note.body, by=_who(note.by)))
    for attachment in Attachment.objects.filter(case=case).select_related("uploaded_by"):
        entries.append(Entry(attachment.uploaded_at, "attachment", _("Lampiran diunggah: %(kind)s")
                             % {"kind": attachment.get_kind_display()}, by=_who(attachment.uploaded_by)))
    for closure in Closure.objects.filter(case=case).select_related("requested_by", "decided_by"):
        entries.append(Entry(closure.requested_at, "closure", _("Penutupan diajukan: %(outcome)s")
                             % {"outcome": closure.get_outcome_display()}, body=closure.reason,
                             by=_who(closure.requested_by)))
        if closure.decided_at and closure.status == ClosureStatus.RETURNED:
            entries.append(Entry(closure.decided_at, "closure", _("Pengajuan penutupan dikembalikan"),
                                 body=closure.decision_comment, by=_who(closure.decided_by)))
    for source in SOURCES:
        entries.extend(source(case, user))
    entries.sort(key=lambda e: e.at)
    return entries
