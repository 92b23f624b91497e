"""Every accompaniment state change: one transaction, its audit entry, notifications after commit.

Access is the cases app's: reading goes through ``cases.access.get_case_for``;
recording needs ``cases.access.can_work`` (the assigned worker or a manager) on an
open case, except an appointment's outcome, which the worker who attends it may
also record (``record_outcome``); approvals (LPSK application, transfer) need
``can_approve``. Refusals
are ``cases.actions.CaseActionError`` with a translated message naming no person.
Deadlines are ``cases.Task`` rows (kinds ``perawatan_72jam`` and
``pelindungan_polisi``), so ``cases.tasks.escalate_overdue_tasks`` escalates them
like every other task. Notifications carry case numbers and kinds only.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from sigap.accompaniment import letters as letter_content
from sigap.accompaniment.codes import (
    COUNSELLING_KINDS,
    ORIGIN_PARTNER_TYPES,
    RESTITUTION_NEXT,
    TRANSFER_PARTNER_TYPES,
    AppointmentKind,
    AppointmentStatus,
    CareItemKind,
    CareItemStatus,
    JusticeStage,
    LpskStatus,
    ProtectionKind,
    RestitutionStatus,
    TransferStatus,
)
from sigap.accompaniment.models import (
    Appointment,
    CareChecklist,
    CareItem,
    IncomingTransfer,
    JusticeRecord,
    JusticeStep,
    LpskApplication,
    OfficialLetter,
    Protection,
    Restitution,
    Transfer,
)
from sigap.accounts.roles import Perm, has_permission
from sigap.cases import access
from sigap.cases import actions as case_actions
from sigap.cases.actions import CaseActionError, managers, refresh_next_due
from sigap.cases.codes import CaseStatus, ClosureOutcome, ClosureStatus, Stage, TaskKind
from sigap.cases.models import Case, Closure, StageChange, Task
from sigap.cases.notifications import notify
from sigap.intake.codes import ReportStatus
from sigap.intake.models import ChronologyEvent, Report
from sigap.letters.models import LetterType
from sigap.letters.numbering import next_number
from sigap.network.models import PartnerType
from sigap.vault.audit import record


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _link(case: Case) -> str:
    from django.urls import reverse

    return reverse("accompaniment:case", args=[case.pk])


def _working(case: Case, by: Any) -> Case:
    """Lock the case; the assigned worker or a manager, on an open case not transferred away."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    case_actions._require_worker(case, by)
    case_actions._require_open(case)
    return case


def post_rape_window() -> datetime.timedelta:
    return datetime.timedelta(hours=int(settings.SIGAP_POST_RAPE_HOURS))


def protection_window() -> datetime.timedelta:
    return datetime.timedelta(hours=int(settings.SIGAP_PROTECTION_HOURS))


def transfer_refusal(case: Case) -> str | None:
    """A case transferred to another unit is read-only here (registered as a cases write guard)."""
    if Transfer.objects.filter(case_id=case.pk).exclude(status=TransferStatus.PREPARED).exists():
        return _("Kasus ini sudah dilimpahkan ke unit lain dan hanya dapat dibaca.")
    return None


# --- appointments -------------------------------------------------------------------------


def _check_worker(worker: Any) -> None:
    if worker is None or not worker.is_active or not has_permission(worker, Perm.WORK_CASES):
        raise CaseActionError(_("Pilih pendamping yang aktif."), "worker")


def schedule_appointment(case: Case, *, by: Any, kind: str, starts_at: datetime.datetime, worker: Any,
                         place: str = "", attendees: str = "", partner: Any = None, escort_needed: bool = False,
                         transport_needed: bool = False, request: HttpRequest | None = None,
                         now: datetime.datetime | None = None) -> Appointment:
    if kind not in AppointmentKind.values:
        raise CaseActionError(_("Pilih jenis jadwal."), "kind")
    if starts_at is None:
        raise CaseActionError(_("Isi waktu jadwal."), "starts_at")
    _check_worker(worker)
    if partner is not None and not partner.active:
        raise CaseActionError(_("Pilih mitra yang aktif."), "partner")
    now = _now(now)
    with transaction.atomic():
        case = _working(case, by)
        appointment = Appointment.objects.create(
            case=case, kind=kind, starts_at=starts_at, worker=worker, place=_text(place),
            attendees=_text(attendees), partner=partner, escort_needed=escort_needed,
            transport_needed=transport_needed, created_by=by, created_at=now,
        )
        record("accompaniment.appointment_scheduled", actor=by, obj=appointment, request=request)
        if worker.pk != by.pk:
            notify([worker], "appointment_scheduled",
                   _("Jadwal pendampingan baru untuk kasus %(number)s.") % {"number": case.number},
                   link=appointment_link(appointment, worker))
    return appointment


# How long after an appointment the worker who attended it may still record its outcome when the case is not
# theirs (a hearing yesterday, recorded today). The case's worker and the managers have no such limit.
ATTENDEE_OUTCOME_DAYS = 14


def attendee_deadline(appointment: Appointment) -> datetime.datetime:
    return appointment.starts_at + datetime.timedelta(days=ATTENDEE_OUTCOME_DAYS)


def outcome_refusal(appointment: Appointment, by: Any, *, now: datetime.datetime | None = None) -> str | None:
    """Why ``by`` may not record this appointment's outcome now, or None when they may (their access aside).

    The cases app's write guards (``cases.actions.WRITE_GUARDS``: a case transferred away is read-only) and an
    open case, as for every change of the case; the outcome not yet recorded; and for the worker who attends an
    appointment of a case that is not theirs (not ``can_work``) the window after it. The attending worker's page
    asks before showing the form; ``record_outcome`` asks again under its lock."""
    case = appointment.case
    for guard in case_actions.WRITE_GUARDS:
        refusal = guard(case)
        if refusal:
            return refusal
    colleague = not access.can_work(by, case)
    if not case.is_open:
        if colleague:
            return _("Kasus ini sudah ditutup; hasil jadwalnya tidak dapat dicatat lagi. Hubungi pendamping kasus "
                     "atau manajer.")
        return _("Kasus sudah ditutup. Buka kembali kasus lebih dulu.")
    if appointment.status != AppointmentStatus.SCHEDULED:
        return _("Hasil jadwal ini sudah dicatat.")
    if colleague and _now(now) > attendee_deadline(appointment):
        return _("Hasil jadwal ini hanya dapat dicatat pendamping yang hadir sampai %(days)s hari setelah "
                 "jadwalnya. Minta pendamping kasus atau manajer mencatatnya.") % {"days": ATTENDEE_OUTCOME_DAYS}
    return None


def record_outcome(appointment: Appointment, *, by: Any, status: str, note: str = "",
                   request: HttpRequest | None = None, now: datetime.datetime | None = None) -> Appointment:
    """Attended, not attended (and why) or cancelled.

    By the case's worker or a manager (``can_work``), or by the worker who attended it (the appointment's
    ``worker``) when the case is not theirs: the same rules and the same audit entry, on an open case that is
    not transferred away, until ``ATTENDEE_OUTCOME_DAYS`` after the appointment; the case's worker (the managers
    when it has none) is then told, with the case number, the kind, the date and the outcome only."""
    if status not in (AppointmentStatus.ATTENDED, AppointmentStatus.MISSED, AppointmentStatus.CANCELLED):
        raise CaseActionError(_("Pilih hasil jadwal."), "status")
    if status != AppointmentStatus.ATTENDED and not _text(note):
        raise CaseActionError(_("Tuliskan alasannya."), "note")
    now = _now(now)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=appointment.case_id)
        by_attendee = not access.can_work(by, case)
        _require(not by_attendee or Appointment.objects.attended_by(by).filter(pk=appointment.pk).exists())
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        appointment.case = case
        refusal = outcome_refusal(appointment, by, now=now)
        if refusal:
            raise CaseActionError(refusal)
        appointment.status, appointment.outcome_note = status, _text(note)
        appointment.outcome_at, appointment.outcome_by = now, by
        appointment.save(update_fields=["status", "outcome_note", "outcome_at", "outcome_by"])
        record("accompaniment.appointment_outcome", actor=by, obj=appointment, request=request)
        if by_attendee:
            _tell_case_worker(appointment, by)
    return appointment


def _tell_case_worker(appointment: Appointment, by: Any) -> None:
    """The case's worker (or the managers) hears that a colleague recorded the outcome: no name, no note."""
    case = appointment.case
    recipients = [u for u in case_actions._worker_or_managers(case) if u.pk != by.pk]
    with translation.override(settings.LANGUAGE_CODE):  # stored once, read by someone else
        text = _("Kasus %(number)s: hasil jadwal %(kind)s %(date)s (%(status)s) dicatat oleh pendamping yang "
                 "hadir.") % {
            "number": case.number, "kind": appointment.get_kind_display(),
            "date": formats.date_format(timezone.localtime(appointment.starts_at), "SHORT_DATE_FORMAT"),
            "status": appointment.get_status_display()}
    notify(recipients, "appointment_outcome_by_attendee", text, link=_link(case) + "#jadwal")


def appointment_link(appointment: Appointment, worker: Any) -> str:
    """Where a notice to the appointment's worker points: the case's tab when they see the case, else their
    own page of the appointment (the case stays closed to them)."""
    from django.urls import reverse

    if Case.objects.visible_to(worker).filter(pk=appointment.case_id).exists():
        return _link(appointment.case)
    return reverse("accompaniment:appointment", args=[appointment.pk])


def reschedule(appointment: Appointment, *, by: Any, starts_at: datetime.datetime, note: str = "",
               request: HttpRequest | None = None, now: datetime.datetime | None = None) -> Appointment:
    """The old date becomes "dijadwalkan ulang" pointing at a new appointment with everything else kept."""
    if starts_at is None:
        raise CaseActionError(_("Isi waktu jadwal baru."), "starts_at")
    now = _now(now)
    with transaction.atomic():
        _working(appointment.case, by)
        old = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if old.status != AppointmentStatus.SCHEDULED:
            raise CaseActionError(_("Hasil jadwal ini sudah dicatat."))
        new = Appointment.objects.create(
            case_id=old.case_id, kind=old.kind, starts_at=starts_at, worker=old.worker, place=old.place,
            attendees=old.attendees, partner=old.partner, escort_needed=old.escort_needed,
            transport_needed=old.transport_needed, created_by=by, created_at=now,
        )
        old.status, old.outcome_note, old.outcome_at, old.outcome_by, old.rescheduled_to = (
            AppointmentStatus.RESCHEDULED, _text(note), now, by, new)
        old.save(update_fields=["status", "outcome_note", "outcome_at", "outcome_by", "rescheduled_to"])
        record("accompaniment.appointment_rescheduled", actor=by, obj=new, request=request)
    return new


def reminder_times(appointment: Appointment) -> tuple[datetime.datetime, datetime.datetime]:
    """When the day-before and the same-day reminders are due (local time, ``SIGAP_REMINDER_HOUR``)."""
    local = timezone.localtime(appointment.starts_at)
    hour = datetime.time(int(settings.SIGAP_REMINDER_HOUR))
    zone = timezone.get_current_timezone()
    before = datetime.datetime.combine(local.date() - datetime.timedelta(days=1), hour, tzinfo=zone)
    same_day = min(datetime.datetime.combine(local.date(), hour, tzinfo=zone),
                   appointment.starts_at - datetime.timedelta(hours=1))
    return before, same_day


def send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind each worker of their appointments the day before and on the day. Returns how many were sent.

    Run by the worker every 15 minutes. Each reminder is marked on the appointment in
    the transaction that queues it, so it goes once. A reminder whose day has passed
    (an appointment made the same day) is not sent late.
    """
    now = _now(now)
    horizon = now + datetime.timedelta(days=2)
    candidates = list(
        Appointment.objects.filter(status=AppointmentStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=horizon,
                                   case__status=CaseStatus.OPEN)
        .select_related("case", "worker").order_by("starts_at", "id")
    )
    sent = 0
    for appointment in candidates:
        before, same_day = reminder_times(appointment)
        local_today = timezone.localdate(now)
        day = timezone.localdate(appointment.starts_at)
        which = None
        if appointment.reminded_day_at is None and now >= same_day and local_today == day:
            which = "reminded_day_at"
        elif (appointment.reminded_before_at is None and now >= before
              and local_today == day - datetime.timedelta(days=1)):
            which = "reminded_before_at"
        if which is None:
            continue
        with transaction.atomic():
            if not Appointment.objects.filter(pk=appointment.pk, **{f"{which}__isnull": True}).update(
                    **{which: now}):
                continue
            when = timezone.localtime(appointment.starts_at).strftime("%H:%M")
            text = (_("Pengingat: besok pukul %(time)s, %(kind)s, kasus %(number)s.") if which == "reminded_before_at"
                    else _("Pengingat: hari ini pukul %(time)s, %(kind)s, kasus %(number)s."))
            notify([appointment.worker], "appointment_reminder",
                   text % {"time": when, "kind": appointment.get_kind_display(), "number": appointment.case.number},
                   link=appointment_link(appointment, appointment.worker))
            sent += 1
    return sent


def counselling_sessions(case: Case) -> int:
    return Appointment.objects.filter(case=case, kind__in=COUNSELLING_KINDS,
                                      status=AppointmentStatus.ATTENDED).count()


def appointments_for(user: Any, *, start: datetime.datetime, end: datetime.datetime) -> Any:
    """The appointments the user attends between two times (the case worker's calendar and "Hari ini"), also
    on a colleague's case (``Appointment.objects.visible_to``)."""
    return (Appointment.objects.visible_to(user).filter(worker=user, starts_at__gte=start, starts_at__lt=end)
            .select_related("case", "partner").order_by("starts_at", "id"))


# --- post-rape care checklist ---------------------------------------------------------------


def incident_time(case: Case) -> datetime.datetime | None:
    """The latest dated current chronology event of the case's reports: the incident the report is about."""
    return (ChronologyEvent.objects.current().filter(report__case_link__case=case, when__isnull=False)
            .order_by("-when").values_list("when", flat=True).first())


def start_checklist(case: Case, *, by: Any, incident_at: datetime.datetime | None, request: HttpRequest | None = None,
                    now: datetime.datetime | None = None) -> CareChecklist:
    """Open the checklist with its clock (incident + 72 hours); each item is a task due at the deadline.

    ``by`` None is the background job that opens it for new cases.
    """
    now = _now(now)
    if incident_at is None:
        raise CaseActionError(_("Isi waktu kejadian."), "incident_at")
    if incident_at > now:
        raise CaseActionError(_("Waktu kejadian tidak boleh di masa depan."), "incident_at")
    with transaction.atomic():
        if by is None:
            case = Case.objects.select_for_update().get(pk=case.pk)
        else:
            case = _working(case, by)
        if not case.has_sexual_violence:
            raise CaseActionError(_("Daftar periksa 72 jam hanya untuk kasus kekerasan seksual."))
        if CareChecklist.objects.filter(case=case).exists():
            raise CaseActionError(_("Daftar periksa 72 jam kasus ini sudah dibuka."))
        if incident_at < case.reported_at - post_rape_window():
            raise CaseActionError(_("Laporan diterima lebih dari 72 jam setelah kejadian."), "incident_at")
        deadline = incident_at + post_rape_window()
        checklist = CareChecklist.objects.create(case=case, incident_at=incident_at, deadline_at=deadline,
                                                 started_by=by, started_at=now)
        for kind in CareItemKind.values:
            task = Task.objects.create(case=case, kind=TaskKind.POST_RAPE_CARE, due_at=deadline, created_at=now)
            CareItem.objects.create(checklist=checklist, item=kind, task=task)
        refresh_next_due(case)
        record("accompaniment.care_checklist_started", actor=by, obj=checklist, request=request)
        if by is None or (case.assigned_to_id and case.assigned_to_id != by.pk):
            notify([case.assigned_to] if case.assigned_to_id else managers(), "care_checklist",
                   _("Kasus %(number)s: daftar periksa perawatan 72 jam dibuka.") % {"number": case.number},
                   link=_link(case))
    return checklist


def start_due_checklists(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Open the checklist for new sexual-violence cases reported within the window of the incident."""
    now = _now(now)
    window = post_rape_window()
    started = 0
    cases = list(Case.objects.filter(status=CaseStatus.OPEN, has_sexual_violence=True,
                                     opened_at__gte=now - window, care_checklist__isnull=True)
                 .order_by("opened_at", "id")[:limit])
    for case in cases:
        incident = incident_time(case)
        if incident is None or incident > case.reported_at or case.reported_at - incident > window:
            continue
        if now >= incident + window:
            continue
        try:
            start_checklist(case, by=None, incident_at=incident, now=now)
        except CaseActionError:
            continue
        started += 1
    return started


def record_care_item(item: CareItem, *, by: Any, status: str, at: datetime.datetime | None = None, note: str = "",
                     request: HttpRequest | None = None, now: datetime.datetime | None = None) -> CareItem:
    """Done, declined by the victim, or not applicable, with its time; the item's task is completed."""
    if status not in (CareItemStatus.DONE, CareItemStatus.DECLINED, CareItemStatus.NOT_APPLICABLE):
        raise CaseActionError(_("Pilih status butir."), "status")
    now = _now(now)
    at = at or now
    if at > now + datetime.timedelta(minutes=5):
        raise CaseActionError(_("Waktu tidak boleh di masa depan."), "at")
    with transaction.atomic():
        case = _working(item.checklist.case, by)
        item = CareItem.objects.select_for_update().get(pk=item.pk)
        if item.status != CareItemStatus.PENDING:
            raise CaseActionError(_("Butir ini sudah dicatat."))
        item.status, item.at, item.by, item.note = status, at, by, _text(note)
        item.save(update_fields=["status", "at", "by", "note"])
        if item.task_id:
            Task.objects.filter(pk=item.task_id, done_at__isnull=True).update(done_at=now, done_by=by)
            refresh_next_due(case)
        record("accompaniment.care_item_recorded", actor=by, obj=item, request=request)
    return item


# --- justice ---------------------------------------------------------------------------------


def _check_partner(partner: Any, types: tuple[str, ...], field: str) -> None:
    if partner is not None and (not partner.active or partner.partner_type not in types):
        raise CaseActionError(_("Pilih mitra yang aktif dan sesuai jenisnya."), field)


def save_justice(case: Case, *, by: Any, data: dict[str, Any], request: HttpRequest | None = None,
                 now: datetime.datetime | None = None) -> JusticeRecord:
    """Record the police report, investigator, visum and verdict. A first police report time opens the
    1x24-hour task to follow the police's temporary protection (UU TPKS Pasal 42)."""
    now = _now(now)
    report_at = data.get("police_report_at")
    if report_at is not None and report_at > now + datetime.timedelta(minutes=5):
        raise CaseActionError(_("Waktu tidak boleh di masa depan."), "police_report_at")
    _check_partner(data.get("police_unit"), (PartnerType.POLICE_UPPA,), "police_unit")
    requested, received = data.get("visum_requested_on"), data.get("visum_received_on")
    if requested and received and received < requested:
        raise CaseActionError(_("Hasil visum tidak mungkin diterima sebelum diminta."), "visum_received_on")
    with transaction.atomic():
        case = _working(case, by)
        justice = JusticeRecord.objects.select_for_update().filter(case=case).first()
        first_report = report_at is not None and (justice is None or justice.police_report_at is None)
        if justice is None:
            justice = JusticeRecord(case=case, updated_by=by)
        for name in ("police_report_at", "police_unit", "visum_requested_on", "visum_received_on", "verdict_on"):
            setattr(justice, name, data.get(name))
        for name in ("police_report_number", "investigator", "verdict", "sentence"):
            setattr(justice, name, _text(data.get(name)))
        justice.updated_by, justice.updated_at = by, now
        justice.save()
        if first_report and report_at is not None:
            if not JusticeStep.objects.filter(case=case, stage=JusticeStage.POLICE_REPORT).exists():
                JusticeStep.objects.create(case=case, stage=JusticeStage.POLICE_REPORT,
                                           on=timezone.localdate(report_at), recorded_by=by, recorded_at=now)
            if not Protection.objects.filter(case=case, kind=ProtectionKind.POLICE_TEMPORARY).exists():
                Task.objects.create(case=case, kind=TaskKind.PROTECTION, due_at=report_at + protection_window(),
                                    created_at=now)
                refresh_next_due(case)
        record("accompaniment.justice_saved", actor=by, obj=justice, request=request)
    return justice


def add_justice_step(case: Case, *, by: Any, stage: str, on: datetime.date, accompanied: bool = False,
                     accompanied_by: Any = None, note: str = "", request: HttpRequest | None = None,
                     now: datetime.datetime | None = None) -> JusticeStep:
    if stage not in JusticeStage.values:
        raise CaseActionError(_("Pilih tahap proses hukum."), "stage")
    now = _now(now)
    if on is None or on > timezone.localdate(now):
        raise CaseActionError(_("Tanggal tidak boleh kosong atau di masa depan."), "on")
    if accompanied and accompanied_by is None:
        raise CaseActionError(_("Pilih pendamping yang hadir."), "accompanied_by")
    with transaction.atomic():
        case = _working(case, by)
        step = JusticeStep.objects.create(case=case, stage=stage, on=on, accompanied=accompanied,
                                          accompanied_by=accompanied_by if accompanied else None, note=_text(note),
                                          recorded_by=by, recorded_at=now)
        record("accompaniment.justice_step", actor=by, obj=step, request=request)
    return step


POLICE_PROTECTION_DAYS = 14  # UU TPKS Pasal 42 ayat (2): at most 14 days from when the victim is handled
# UU TPKS Pasal 45 ayat (2): a court's order restricting the perpetrator lasts at most 6 months; it may be
# extended once, by a new order of at most 6 months (asked for at least 7 days before it ends, ayat 3).
COURT_ORDER_MONTHS = 6


def _months_later(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months later, or the last day of that month when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def record_protection(case: Case, *, by: Any, kind: str, granted_at: datetime.datetime,
                      ends_on: datetime.date | None = None, issuer: Any = None, note: str = "",
                      request: HttpRequest | None = None, now: datetime.datetime | None = None) -> Protection:
    if kind not in ProtectionKind.values:
        raise CaseActionError(_("Pilih jenis pelindungan."), "kind")
    now = _now(now)
    if granted_at is None or granted_at > now + datetime.timedelta(minutes=5):
        raise CaseActionError(_("Waktu tidak boleh kosong atau di masa depan."), "granted_at")
    start = timezone.localdate(granted_at)
    if kind == ProtectionKind.POLICE_TEMPORARY:
        limit = start + datetime.timedelta(days=POLICE_PROTECTION_DAYS)
        ends_on = ends_on or limit
        if ends_on > limit:
            raise CaseActionError(_("Pelindungan sementara oleh polisi paling lama 14 hari (UU TPKS Pasal 42 "
                                    "ayat 2)."), "ends_on")
    if kind == ProtectionKind.COURT_ORDER:
        limit = _months_later(start, COURT_ORDER_MONTHS)
        ends_on = ends_on or limit
        if ends_on > limit:
            raise CaseActionError(_("Penetapan pembatasan gerak pelaku paling lama 6 bulan; perpanjangan dicatat "
                                    "sebagai penetapan baru (UU TPKS Pasal 45 ayat 2)."), "ends_on")
    if ends_on is not None and ends_on < start:
        raise CaseActionError(_("Tanggal berakhir tidak boleh sebelum tanggal mulai."), "ends_on")
    with transaction.atomic():
        case = _working(case, by)
        protection = Protection.objects.create(case=case, kind=kind, granted_at=granted_at, ends_on=ends_on,
                                               issuer=issuer, note=_text(note), recorded_by=by, recorded_at=now)
        if kind == ProtectionKind.POLICE_TEMPORARY:
            Task.objects.filter(case=case, kind=TaskKind.PROTECTION, done_at__isnull=True).update(done_at=now,
                                                                                               done_by=by)
            refresh_next_due(case)
        record("accompaniment.protection_recorded", actor=by, obj=protection, request=request)
    return protection


# --- letters to the police and the hospital ----------------------------------------------------


def _letter(case: Case, letter_type: str, *, by: Any, partner: Any, build: Any, now: datetime.datetime,
            referral: Any = None) -> OfficialLetter:
    today = timezone.localdate(now)
    number = next_number(letter_type, on=today)
    content = build(number.text, today)
    letter = OfficialLetter.objects.create(case=case, letter_type=letter_type, number=number.text, partner=partner,
                                           referral=referral, content=letter_content.dumps(content),
                                           created_by=by, created_at=now)
    return letter


def police_cover_letter(case: Case, *, by: Any, partner: Any, consent: bool, override_reason: str = "",
                        purpose: str = "", request: HttpRequest | None = None,
                        now: datetime.datetime | None = None) -> OfficialLetter:
    """Surat pengantar to the police: the police referral (completing the 3x24-hour duty) and its cover letter."""
    if partner is None or partner.partner_type != PartnerType.POLICE_UPPA:
        raise CaseActionError(_("Pilih unit kepolisian (Polres / Unit PPA)."), "partner")
    now = _now(now)
    with transaction.atomic():
        referral = case_actions.send_referral(case, partner, by=by, service="penegakan_hukum", consent=consent,
                                              purpose=purpose, override_reason=override_reason, request=request,
                                              now=now)
        case = _working(case, by)
        letter = _letter(case, LetterType.PENGANTAR_POLISI, by=by, partner=partner, now=now, referral=referral,
                         build=lambda number, today: letter_content.police_cover(case, partner, number=number,
                                                                                  on=today, worker=by,
                                                                                  referral=referral))
        record("accompaniment.letter_made", actor=by, obj=letter, request=request)
    return letter


def visum_letter(case: Case, *, by: Any, partner: Any, request: HttpRequest | None = None,
                 now: datetime.datetime | None = None) -> OfficialLetter:
    """A request to the hospital or puskesmas to receive the victim, accompanied, for the visum et repertum."""
    _check_partner(partner, (PartnerType.HOSPITAL, PartnerType.PUSKESMAS), "partner")
    if partner is None:
        raise CaseActionError(_("Pilih rumah sakit atau puskesmas."), "partner")
    now = _now(now)
    with transaction.atomic():
        case = _working(case, by)
        justice = JusticeRecord.objects.filter(case=case).first()
        letter = _letter(case, LetterType.VISUM, by=by, partner=partner, now=now,
                         build=lambda number, today: letter_content.visum_request(case, partner, number=number,
                                                                                   on=today, worker=by,
                                                                                   justice=justice))
        if justice is not None and justice.visum_requested_on is None:
            justice.visum_requested_on = timezone.localdate(now)
            justice.save(update_fields=["visum_requested_on"])
        record("accompaniment.letter_made", actor=by, obj=letter, request=request)
    return letter


# --- LPSK --------------------------------------------------------------------------------------


def prepare_lpsk(case: Case, *, by: Any, partner: Any, applicant: str, protection_asked: str, consent: bool,
                 consent_on: datetime.date | None, request: HttpRequest | None = None,
                 now: datetime.datetime | None = None) -> LpskApplication:
    """Prepare an application to LPSK. It carries identity and chronology, so the victim's consent is required."""
    if partner is None or not partner.active or partner.partner_type != PartnerType.LPSK:
        raise CaseActionError(_("Pilih LPSK dari daftar mitra."), "partner")
    if not consent or consent_on is None:
        raise CaseActionError(_("Permohonan ke LPSK memuat identitas dan kronologi: hanya dengan persetujuan "
                                "korban (isi tanggal persetujuan)."), "consent")
    if not _text(protection_asked):
        raise CaseActionError(_("Tuliskan pelindungan atau hak yang dimohonkan."), "protection_asked")
    now = _now(now)
    with transaction.atomic():
        case = _working(case, by)
        application = LpskApplication.objects.create(
            case=case, partner=partner, applicant=applicant, protection_asked=_text(protection_asked),
            consent_on=consent_on, prepared_by=by, prepared_at=now,
        )
        record("accompaniment.lpsk_prepared", actor=by, obj=application, request=request)
        notify(managers(), "lpsk_prepared", _("Permohonan LPSK kasus %(number)s menunggu persetujuan.")
               % {"number": case.number}, link=_link(case))
    return application


def approve_lpsk(application: LpskApplication, *, by: Any, request: HttpRequest | None = None,
                 now: datetime.datetime | None = None) -> LpskApplication:
    """The manager approves: the numbered letter with identity and chronology is made now."""
    _require(access.can_approve(by))
    now = _now(now)
    with transaction.atomic():
        case = _working(application.case, by)
        application = LpskApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != LpskStatus.DRAFT:
            raise CaseActionError(_("Permohonan ini sudah diputuskan."))
        letter = _letter(case, LetterType.LPSK, by=by, partner=application.partner, now=now,
                         build=lambda number, today: letter_content.lpsk_application(
                             case, application, number=number, on=today))
        application.status, application.letter, application.approved_by, application.approved_at = (
            LpskStatus.APPROVED, letter, by, now)
        application.save(update_fields=["status", "letter", "approved_by", "approved_at"])
        record("accompaniment.lpsk_approved", actor=by, obj=application, request=request)
        if case.assigned_to_id:
            notify([case.assigned_to], "lpsk_approved", _("Permohonan LPSK kasus %(number)s disetujui.")
                   % {"number": case.number}, link=_link(case))
    return application


LPSK_NEXT: dict[str, tuple[str, ...]] = {
    LpskStatus.APPROVED: (LpskStatus.SENT,),
    LpskStatus.SENT: (LpskStatus.ACCEPTED, LpskStatus.REJECTED),
}


def update_lpsk(application: LpskApplication, *, by: Any, status: str, note: str = "",
                request: HttpRequest | None = None, now: datetime.datetime | None = None) -> LpskApplication:
    now = _now(now)
    with transaction.atomic():
        _working(application.case, by)
        application = LpskApplication.objects.select_for_update().get(pk=application.pk)
        if status not in LPSK_NEXT.get(application.status, ()):
            raise CaseActionError(_("Status permohonan ini tidak dapat diubah menjadi status tersebut."), "status")
        application.status = status
        if status == LpskStatus.SENT:
            application.sent_at = now
        else:
            application.decided_at, application.decision_note = now, _text(note)
        application.save()
        record("accompaniment.lpsk_updated", actor=by, obj=application, request=request)
    return application


# --- restitution -------------------------------------------------------------------------------


def _amount(value: Any, field: str, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise CaseActionError(_("Isi jumlahnya (rupiah)."), field)
        return None
    try:
        amount = int(value)
    except (TypeError, ValueError):
        raise CaseActionError(_("Jumlah harus berupa angka rupiah."), field) from None
    if amount < 0:
        raise CaseActionError(_("Jumlah harus berupa angka rupiah."), field)
    return amount


def request_restitution(case: Case, *, by: Any, requested_on: datetime.date, amount: Any = None, note: str = "",
                        request: HttpRequest | None = None, now: datetime.datetime | None = None) -> Restitution:
    now = _now(now)
    if requested_on is None or requested_on > timezone.localdate(now):
        raise CaseActionError(_("Tanggal tidak boleh kosong atau di masa depan."), "on")
    value = _amount(amount, "amount", False)
    with transaction.atomic():
        case = _working(case, by)
        restitution = Restitution.objects.create(case=case, requested_on=requested_on, requested_amount=value,
                                                 note=_text(note), updated_by=by, updated_at=now)
        record("accompaniment.restitution_requested", actor=by, obj=restitution, request=request)
    return restitution


_RESTITUTION_FIELDS: dict[str, tuple[str, str, bool]] = {
    RestitutionStatus.ASSESSED: ("assessed_amount", "assessed_on", False),
    RestitutionStatus.ORDERED: ("ordered_amount", "ordered_on", True),
    RestitutionStatus.PAID: ("paid_amount", "paid_on", True),
    RestitutionStatus.COMPENSATED: ("compensation_amount", "compensation_on", True),
}


def update_restitution(restitution: Restitution, *, by: Any, status: str, on: datetime.date, amount: Any = None,
                       note: str = "", request: HttpRequest | None = None,
                       now: datetime.datetime | None = None) -> Restitution:
    """Move restitution along: assessed by LPSK, ordered by the court, paid, compensated by the state, or refused
    (``refused_on``: the date of the refusal)."""
    now = _now(now)
    if on is None or on > timezone.localdate(now):
        raise CaseActionError(_("Tanggal tidak boleh kosong atau di masa depan."), "on")
    with transaction.atomic():
        _working(restitution.case, by)
        restitution = Restitution.objects.select_for_update().get(pk=restitution.pk)
        if status not in RESTITUTION_NEXT.get(restitution.status, ()):
            raise CaseActionError(_("Status restitusi ini tidak dapat diubah menjadi status tersebut."), "status")
        fields = _RESTITUTION_FIELDS.get(status)
        if fields is not None:
            amount_field, date_field, required = fields
            setattr(restitution, amount_field, _amount(amount, "amount", required))
            setattr(restitution, date_field, on)
        if status == RestitutionStatus.REFUSED:
            restitution.refused_on = on  # counted in the period of this date like every other step
        restitution.status = status
        if _text(note):
            restitution.note = _text(note)
        restitution.updated_by, restitution.updated_at = by, now
        restitution.save()
        record("accompaniment.restitution_updated", actor=by, obj=restitution, request=request)
    return restitution


# --- transfer (pelimpahan) ---------------------------------------------------------------------


def prepare_transfer(case: Case, *, by: Any, partner: Any, reason: str, request: HttpRequest | None = None,
                     now: datetime.datetime | None = None) -> Transfer:
    if partner is None or not partner.active or partner.partner_type not in TRANSFER_PARTNER_TYPES:
        raise CaseActionError(_("Pilih UPTD PPA tujuan (kabupaten/kota lain, provinsi) atau SAPA 129."), "partner")
    if not _text(reason):
        raise CaseActionError(_("Tuliskan alasan pelimpahan."), "reason")
    now = _now(now)
    with transaction.atomic():
        case = _working(case, by)
        if Transfer.objects.filter(case=case, status=TransferStatus.PREPARED).exists():
            raise CaseActionError(_("Pelimpahan kasus ini sudah disiapkan dan menunggu persetujuan manajer."))
        transfer = Transfer.objects.create(case=case, partner=partner, reason=_text(reason), prepared_by=by,
                                           prepared_at=now)
        record("accompaniment.transfer_prepared", actor=by, obj=transfer, request=request)
        notify(managers(), "transfer_prepared", _("Pelimpahan kasus %(number)s menunggu persetujuan.")
               % {"number": case.number}, link=_link(case))
    return transfer


def approve_transfer(transfer: Transfer, *, by: Any, request: HttpRequest | None = None,
                     now: datetime.datetime | None = None) -> Transfer:
    """The manager sends it: the numbered transfer letter is made, and the case is closed here as
    "dirujuk/dilimpahkan" (terminasi, open tasks ended, reports done) and stays read-only with its history."""
    _require(access.can_approve(by))
    now = _now(now)
    with transaction.atomic():
        case = _working(transfer.case, by)
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status != TransferStatus.PREPARED:
            raise CaseActionError(_("Pelimpahan ini sudah dikirim."))
        letter = _letter(case, LetterType.PELIMPAHAN, by=by, partner=transfer.partner, now=now,
                         build=lambda number, today: letter_content.transfer_letter(case, transfer, number=number,
                                                                                     on=today))
        transfer.status, transfer.letter, transfer.approved_by, transfer.sent_at = (
            TransferStatus.SENT, letter, by, now)
        transfer.save(update_fields=["status", "letter", "approved_by", "sent_at"])
        Closure.objects.create(case=case, outcome=ClosureOutcome.REFERRED_ON, reason=transfer.reason,
                               status=ClosureStatus.APPROVED, requested_by=transfer.prepared_by,
                               requested_at=transfer.prepared_at, decided_by=by, decided_at=now)
        Closure.objects.filter(case=case, status=ClosureStatus.SUBMITTED).update(
            status=ClosureStatus.RETURNED, decided_by=by, decided_at=now)
        StageChange.objects.create(case=case, from_stage=case.stage, to_stage=Stage.TERMINASI, by=by, at=now,
                                   note=_("Dilimpahkan ke %(partner)s") % {"partner": transfer.partner.name})
        Task.objects.filter(case=case, done_at__isnull=True).update(done_at=now, done_by=by)
        case.stage, case.status, case.closed_at, case.updated_at = Stage.TERMINASI, CaseStatus.CLOSED, now, now
        case.save(update_fields=["stage", "status", "closed_at", "updated_at"])
        refresh_next_due(case)
        Report.objects.filter(case_link__case=case).update(status=ReportStatus.SELESAI)
        record("accompaniment.case_transferred", actor=by, obj=transfer, request=request)
        if case.assigned_to_id:
            notify([case.assigned_to], "case_transferred", _("Kasus %(number)s dilimpahkan ke unit lain.")
                   % {"number": case.number}, link=_link(case))
    return transfer


def record_transfer_received(transfer: Transfer, *, by: Any, received_by: str, received_at: datetime.datetime,
                             request: HttpRequest | None = None,
                             now: datetime.datetime | None = None) -> Transfer:
    """Who at the receiving unit took the case, and when (the case itself stays read-only)."""
    now = _now(now)
    if not _text(received_by):
        raise CaseActionError(_("Tuliskan nama dan jabatan penerima."), "received_by")
    if received_at is None or received_at > now + datetime.timedelta(minutes=5):
        raise CaseActionError(_("Waktu tidak boleh kosong atau di masa depan."), "received_at")
    with transaction.atomic():
        transfer = Transfer.objects.select_for_update().select_related("case").get(pk=transfer.pk)
        _require(access.can_work(by, transfer.case))
        if transfer.status != TransferStatus.SENT:
            raise CaseActionError(_("Penerimaan hanya dicatat untuk pelimpahan yang sudah dikirim."))
        if transfer.sent_at and received_at < transfer.sent_at - datetime.timedelta(minutes=5):
            raise CaseActionError(_("Waktu diterima tidak boleh sebelum surat dikirim."), "received_at")
        transfer.status, transfer.received_by, transfer.received_at = (
            TransferStatus.RECEIVED, _text(received_by), received_at)
        transfer.save(update_fields=["status", "received_by", "received_at"])
        record("accompaniment.transfer_received", actor=by, obj=transfer, request=request)
    return transfer


def record_incoming_transfer(case: Case, *, by: Any, origin: Any, received_on: datetime.date,
                             origin_letter_number: str = "", request: HttpRequest | None = None,
                             now: datetime.datetime | None = None) -> IncomingTransfer:
    """This case came from another unit: record where from and their letter."""
    if origin is None or origin.partner_type not in ORIGIN_PARTNER_TYPES:
        raise CaseActionError(_("Pilih unit asal (UPTD PPA lain atau SAPA 129)."), "origin")
    now = _now(now)
    if received_on is None or received_on > timezone.localdate(now):
        raise CaseActionError(_("Tanggal tidak boleh kosong atau di masa depan."), "received_on")
    with transaction.atomic():
        case = _working(case, by)
        if IncomingTransfer.objects.filter(case=case).exists():
            raise CaseActionError(_("Asal pelimpahan kasus ini sudah dicatat."))
        incoming = IncomingTransfer.objects.create(case=case, origin=origin, received_on=received_on,
                                                   origin_letter_number=_text(origin_letter_number),
                                                   recorded_by=by, recorded_at=now)
        record("accompaniment.incoming_transfer", actor=by, obj=incoming, request=request)
    return incoming
