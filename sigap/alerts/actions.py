"""Every alerts state change: one transaction, one audit entry, notifications on commit.

* ``alert_report(report, reason=...)``: tell the people on duty (and, for risiko
  tinggi, the backup and the Kepala UPTD) about a report; public so other parts
  of SIGAP can raise it again (e.g. when an amendment raises a report's risk).
* ``alert_conversation(conversation)``: a new WhatsApp/SMS conversation nobody took.
* ``acknowledge(alert, by=...)``: "saya tangani", stops the escalation chain.
* ``record_contact_attempt(report, by=...)``: a call-back that did not reach the person; the chain goes on.
* ``record_first_contact(report, by=...)``: "kontak pertama dilakukan" before a case exists;
  an intake contact against the report, which ends the chain.
* ``escalate_due(now=...)``: the worker's step for reports past their response deadline.
* ``warn_roster_gaps(now=...)``: a day's notice to the managers of shifts without a roster entry.
* ``save_roster_entry``, ``write_handover``, ``acknowledge_handover``.

Notification texts name a report by registration number, a conversation by its
reference (``#id``), staff by username; with the risk, deadline, channel and
kecamatan. Never a name, phone, NIK, address or chronology.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from sigap.accounts.roles import ROLE_PERMISSIONS, Perm, has_permission
from sigap.alerts import roster
from sigap.alerts.models import (
    ATTEMPT_CHANNELS,
    AlertEnd,
    AlertState,
    AttemptResult,
    CallBack,
    ContactAttempt,
    ConversationAlert,
    EscalatingAlert,
    Handover,
    ReportAlert,
    RosterEntry,
    RosterGapWarning,
    Shift,
)
from sigap.core.notify import notify
from sigap.intake.codes import ReportStatus, Risk
from sigap.intake.models import Contact, Report
from sigap.intake.queries import contacts_since_filing
from sigap.lib.timewords import due_words
from sigap.vault.audit import record

User = get_user_model()


class AlertActionError(Exception):
    """Refused input: ``field`` names the form field the translated message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- who -----------------------------------------------------------------------------


def _roles_with(perm: str) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def managers() -> list[Any]:
    """The Kepala UPTD: every active account whose role approves plans and closures."""
    return list(User.objects.filter(role__in=_roles_with(Perm.APPROVE_PLANS), is_active=True).order_by("pk"))


def roster_candidates() -> Any:
    """Who may be on the roster: active staff who answer the hotline (record contacts)."""
    return User.objects.filter(role__in=_roles_with(Perm.RECORD_CONTACT), is_active=True).order_by("username")


def can_plan_roster(user: Any) -> bool:
    return has_permission(user, Perm.ASSIGN_CASES)


def can_use_roster(user: Any) -> bool:
    """The hotline team: sees the roster and handovers, acknowledges alerts."""
    return has_permission(user, Perm.RECORD_CONTACT)


def report_recipients(report: Report, now: datetime.datetime | None = None) -> list[Any]:
    """Risiko tinggi: the duty person, the backup and the managers; otherwise the duty person.

    Nobody on duty (a gap in the roster, or both accounts disabled): the managers.
    """
    entry = roster.on_duty(now)
    person = roster.duty_person(entry)
    if person is None:
        return managers()
    if report.risk == Risk.TINGGI:
        assert entry is not None
        return _unique([entry.duty, entry.backup, *managers()])
    return [person]


def _unique(users: Iterable[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


# --- texts (never personal data) -----------------------------------------------------------


def _local(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _kecamatan(code: str) -> str:
    from sigap.regions.models import Region

    if not code:
        return "—"
    name = Region.objects.filter(code=code).values_list("name", flat=True).first()
    return str(name or code)


def report_summary(report: Report) -> str:
    """Registration number, risk, deadline, channel and kecamatan: what every report alert says."""
    return _("%(number)s · risiko %(risk)s · batas respons %(due)s · %(channel)s · Kec. %(kecamatan)s") % {
        "number": report.registration_number,
        "risk": report.get_risk_display().lower(),
        "due": _local(report.response_due_at),
        "channel": report.get_channel_display(),
        "kecamatan": _kecamatan(report.kecamatan_code),
    }


def alert_link(report: Report) -> str:
    return reverse("alerts:report_alert", args=[report.pk])


# --- raising ---------------------------------------------------------------------------------


class AlertReason:
    FILED = "filed"
    RISK_RAISED = "risk_raised"


def alert_report(report: Report, *, reason: str = AlertReason.FILED, now: datetime.datetime | None = None) -> ReportAlert:
    """Notify the people on duty about ``report`` and keep its alert row (escalated later by ``escalate_due``).

    ``reason="risk_raised"`` (a report whose risk went up) reopens an alert that
    was acknowledged, so the new deadline is watched again; the escalation count
    restarts. Safe to call twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        alert, created = ReportAlert.objects.select_for_update().get_or_create(
            report=report, defaults={"raised_at": now}
        )
        if not created and reason != AlertReason.FILED and alert.state != AlertState.ENDED:
            alert.state, alert.level, alert.last_escalated_at = AlertState.OPEN, 0, None
            alert.acknowledged_by, alert.acknowledged_at = None, None
            alert.save(update_fields=["state", "level", "last_escalated_at", "acknowledged_by", "acknowledged_at"])
        elif not created:
            return alert
        record("alerts.report_alert_raised", obj=alert, object_type="intake.report", object_id=report.pk)
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Laporan baru") if reason == AlertReason.FILED else _("Risiko laporan naik")
            notify(report_recipients(report, now), f"alerts.{reason}", f"{title}: {report_summary(report)}",
                   link=alert_link(report))
    return alert


def conversation_link(conversation: Any) -> str:
    return reverse("alerts:conversation_alert", args=[conversation.pk])


def conversation_due(conversation: Any) -> datetime.datetime:
    """When a conversation's first unanswered message has waited SIGAP_CHAT_RESPONSE_MINUTES."""
    since = conversation.waiting_since or conversation.started_at
    return since + datetime.timedelta(minutes=settings.SIGAP_CHAT_RESPONSE_MINUTES)


def alert_conversation(conversation: Any, *, now: datetime.datetime | None = None) -> ConversationAlert:
    """A new WhatsApp/SMS conversation waits: tell the duty person (nobody on duty: the managers).

    Keeps its alert row, escalated by ``escalate_due`` like a report's while nobody takes it.
    Safe to call twice.
    """
    now = now or timezone.now()
    person = roster.duty_person(roster.on_duty(now))
    recipients = [person] if person is not None else managers()
    with transaction.atomic():
        alert, created = ConversationAlert.objects.select_for_update().get_or_create(
            conversation=conversation, defaults={"raised_at": now, "due_at": conversation_due(conversation)})
        if not created:
            return alert
        record("alerts.conversation_alert_raised", obj=alert, object_type="conversations.conversation",
               object_id=conversation.pk)
        with translation.override(settings.LANGUAGE_CODE):
            notify(recipients, "alerts.conversation",
                   _("Percakapan %(channel)s baru #%(ref)s menunggu, belum diambil petugas.")
                   % {"channel": conversation.get_channel_display(), "ref": conversation.pk},
                   link=conversation_link(conversation))
    return alert


# --- acknowledging and ending ---------------------------------------------------------------------


def _acknowledge(alert: EscalatingAlert, *, by: Any, request: HttpRequest | None, now: datetime.datetime | None,
                 action: str, told: Any) -> Any:
    """Mark ``alert`` acknowledged by ``by`` (once), audit ``action``; if escalations went out, the managers
    get ``told(locked)``: the (text, link) saying who has it in hand."""
    if not can_use_roster(by):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        locked = type(alert)._default_manager.select_for_update().get(pk=alert.pk)
        if locked.state != AlertState.OPEN:
            return locked
        locked.state, locked.acknowledged_by, locked.acknowledged_at = AlertState.ACKNOWLEDGED, by, now
        locked.save(update_fields=["state", "acknowledged_by", "acknowledged_at"])
        record(action, actor=by, obj=locked, request=request)
        if locked.level > 0:
            # Those escalated to learn it is in hand.
            with translation.override(settings.LANGUAGE_CODE):
                text, link = told(locked)
                notify([u for u in managers() if u.pk != by.pk], "alerts.acknowledged", text, link=link)
    return locked


def acknowledge(alert: ReportAlert, *, by: Any, request: HttpRequest | None = None,
                now: datetime.datetime | None = None) -> ReportAlert:
    """"Saya tangani": ``by`` takes the report; the escalation chain stops. Acknowledging twice changes nothing."""
    return _acknowledge(alert, by=by, request=request, now=now, action="alerts.report_alert_acknowledged",
                        told=lambda locked: (_("Laporan %(number)s ditangani oleh %(user)s.")
                                             % {"number": locked.report.registration_number, "user": by.username},
                                             alert_link(locked.report)))


def acknowledge_conversation(alert: ConversationAlert, *, by: Any, request: HttpRequest | None = None,
                             now: datetime.datetime | None = None) -> ConversationAlert:
    """"Saya tangani" on a waiting conversation: its escalation chain stops."""
    return _acknowledge(alert, by=by, request=request, now=now, action="alerts.conversation_alert_acknowledged",
                        told=lambda locked: (_("Percakapan #%(ref)s ditangani oleh %(user)s.")
                                             % {"ref": locked.conversation_id, "user": by.username},
                                             conversation_link(locked.conversation)))


def first_contact_made(report: Report) -> bool:
    """A contact recorded against the report after it was filed (the one it was filed from does not count)."""
    return contacts_since_filing(report).exists()


def first_contact(report: Report) -> Contact | None:
    return contacts_since_filing(report).select_related("operator").order_by("created_at", "pk").first()


def on_shift(user: Any, now: datetime.datetime | None = None) -> bool:
    """``user`` is the duty person or the backup of the shift running now."""
    entry = roster.on_duty(now)
    return entry is not None and user.pk in (entry.duty_id, entry.backup_id)


def may_record_first_contact(report: Report, user: Any, now: datetime.datetime | None = None) -> bool:
    """The hotline team member who may open the report (operator, manager), the person on duty or
    backup now, or whoever said "saya tangani" on its alert; only while no case exists."""
    if not can_use_roster(user) or report.status != ReportStatus.DITERIMA:
        return False
    if Report.objects.visible_to(user).filter(pk=report.pk).exists() or on_shift(user, now):
        return True
    return ReportAlert.objects.filter(report=report, acknowledged_by=user).exists()


def record_first_contact(report: Report, *, by: Any, channel: str, outcome: str, started_at: datetime.datetime,
                         note: str = "", request: HttpRequest | None = None,
                         now: datetime.datetime | None = None) -> Contact:
    """"Kontak pertama dilakukan": the reporter or victim was reached before a case exists.

    Recorded as an intake contact against the report (sealed note; the audit entry
    carries ids only), the record ``first_contact_made`` reads: the alert ends in the
    same transaction and its escalation chain stops. Those already escalated to are
    told it is in hand.
    """
    from sigap.intake.actions import record_contact
    from sigap.intake.forms import (
        FIRST_CONTACT_CHANNELS,
        FIRST_CONTACT_NOTE_MAX,
        FIRST_CONTACT_OUTCOMES,
    )
    from sigap.intake.validation import ContactInput, ReportInvalid

    now = now or timezone.now()
    if not can_use_roster(by):
        raise PermissionDenied
    if report.status != ReportStatus.DITERIMA:
        raise AlertActionError(_("Kasus sudah dibuka dari laporan ini: catat kontak di halaman kasus."))
    if not may_record_first_contact(report, by, now):
        raise PermissionDenied
    if channel not in FIRST_CONTACT_CHANNELS:
        raise AlertActionError(_("Pilih saluran kontak."), "channel")
    if outcome not in FIRST_CONTACT_OUTCOMES:
        raise AlertActionError(_("Pilih hasil kontak."), "outcome")
    text = (note or "").strip()
    if len(text) > FIRST_CONTACT_NOTE_MAX:
        raise AlertActionError(_("Catatan terlalu panjang (paling banyak 1.000 karakter)."), "note")
    if started_at < report.received_at - datetime.timedelta(minutes=1):
        raise AlertActionError(_("Waktu kontak tidak boleh sebelum laporan diterima (%(received)s).")
                               % {"received": _local(report.received_at)}, "started_at")
    try:
        data = ContactInput.model_validate({"channel": channel, "outcome": outcome, "started_at": started_at,
                                            "note": text or None})
    except ValueError:
        raise AlertActionError(_("Periksa isian kontak."), "note") from None
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.DITERIMA:
            raise AlertActionError(_("Kasus sudah dibuka dari laporan ini: catat kontak di halaman kasus."))
        try:
            contact = record_contact(data, by=by, report=locked, request=request)
        except ReportInvalid as error:
            field, message = next(iter(error.fields.items()))
            raise AlertActionError(str(message), field) from None
        record("alerts.first_contact_recorded", actor=by, obj=contact, request=request)
        alert = ReportAlert.objects.select_for_update().filter(report=locked).first()
        if alert is not None and alert.state != AlertState.ENDED:
            escalated = alert.level > 0
            alert.state, alert.ended_at, alert.end_reason = AlertState.ENDED, now, AlertEnd.CONTACT
            alert.save(update_fields=["state", "ended_at", "end_reason"])
            record("alerts.report_alert_ended", actor=by, obj=alert, request=request)
            if escalated:
                with translation.override(settings.LANGUAGE_CODE):
                    notify([u for u in managers() if u.pk != by.pk], "alerts.first_contact",
                           _("Kontak pertama laporan %(number)s dicatat oleh %(user)s. Eskalasi berhenti.")
                           % {"number": locked.registration_number, "user": by.username},
                           link=alert_link(locked))
    return contact


def contact_attempts(report: Report) -> Any:
    """The failed call-backs of a report before its first contact, the earliest first."""
    return ContactAttempt.objects.filter(report=report).select_related("by").order_by("attempted_at", "pk")


@dataclass(frozen=True)
class Unreached:
    """A report whose call-backs have not reached anyone yet: still awaiting its first contact."""

    report: Report
    attempts: int
    last: ContactAttempt


def unreached_reports(limit: int = 50) -> tuple[list[Unreached], int]:
    """Reports awaiting first contact (alert not ended, no case) with failed attempts, by response deadline;
    and how many there are."""
    from django.db.models import Count, Max

    waiting = (ContactAttempt.objects.filter(report__status=ReportStatus.DITERIMA,
                                             report__alert__state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED])
               .values("report_id").annotate(n=Count("pk"), last_at=Max("attempted_at"))
               .order_by("report__response_due_at", "report_id"))
    total = waiting.count()
    rows = list(waiting[:limit])
    reports = Report.objects.in_bulk([r["report_id"] for r in rows])
    last: dict[int, ContactAttempt] = {}
    for attempt in (ContactAttempt.objects.filter(report_id__in=list(reports)).select_related("by")
                    .order_by("attempted_at", "pk")):
        last[attempt.report_id] = attempt
    return [Unreached(reports[r["report_id"]], r["n"], last[r["report_id"]]) for r in rows], total


def record_contact_attempt(report: Report, *, by: Any, channel: str, result: str, attempted_at: datetime.datetime,
                           request: HttpRequest | None = None,
                           now: datetime.datetime | None = None) -> ContactAttempt:
    """A call-back that did not reach the reporter or victim (not answered, number inactive, not a safe time).

    Recorded with who and when, audited; unlike ``record_first_contact`` the alert stays as it is, so
    the escalation chain goes on and the report stays open on the home and in the handover. Who may:
    whoever may record the first contact. Holds no text: no name or phone number can be written in it.
    """
    now = now or timezone.now()
    if not can_use_roster(by):
        raise PermissionDenied
    if report.status != ReportStatus.DITERIMA:
        raise AlertActionError(_("Kasus sudah dibuka dari laporan ini: catat kontak di halaman kasus."))
    if not may_record_first_contact(report, by, now):
        raise PermissionDenied
    if channel not in dict(ATTEMPT_CHANNELS):
        raise AlertActionError(_("Pilih saluran kontak."), "channel")
    if result not in AttemptResult.values:
        raise AlertActionError(_("Pilih hasil percobaan."), "result")
    if attempted_at > now + datetime.timedelta(minutes=1):
        raise AlertActionError(_("Waktu percobaan tidak boleh di masa depan."), "attempted_at")
    if attempted_at < report.received_at - datetime.timedelta(minutes=1):
        raise AlertActionError(_("Waktu percobaan tidak boleh sebelum laporan diterima (%(received)s).")
                               % {"received": _local(report.received_at)}, "attempted_at")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.DITERIMA:
            raise AlertActionError(_("Kasus sudah dibuka dari laporan ini: catat kontak di halaman kasus."))
        attempt = ContactAttempt.objects.create(report=locked, channel=channel, result=result,
                                                attempted_at=attempted_at, by=by, created_at=now)
        record("alerts.contact_attempt_recorded", actor=by, obj=attempt, request=request)
    return attempt


def _end_reason(report: Report) -> str | None:
    if report.status != ReportStatus.DITERIMA:
        return AlertEnd.CASE
    if first_contact_made(report):
        return AlertEnd.CONTACT
    return None


# --- escalating ------------------------------------------------------------------------------


def escalation_due_at(alert: ReportAlert | ConversationAlert) -> datetime.datetime:
    """When the next escalation (number ``alert.level + 1``) is due.

    The duty person at the deadline, the backup one step later, the managers two
    steps later, then the managers again every SIGAP_ALERT_REPEAT_MINUTES, at
    most SIGAP_ALERT_MAX_REPEATS times.
    """
    step = datetime.timedelta(minutes=settings.SIGAP_ALERT_ESCALATION_MINUTES)
    repeat = datetime.timedelta(minutes=settings.SIGAP_ALERT_REPEAT_MINUTES)
    due = alert.due_at
    if alert.level <= 2:
        return due + alert.level * step
    return due + 2 * step + (alert.level - 2) * repeat


def last_level() -> int:
    return 3 + settings.SIGAP_ALERT_MAX_REPEATS


def escalation_recipients(alert: EscalatingAlert, now: datetime.datetime) -> list[Any]:
    entry = roster.on_duty(now)
    if alert.level == 0:
        person = roster.duty_person(entry)
        return [person] if person is not None else managers()
    if alert.level == 1 and entry is not None and entry.backup.is_active:
        return [entry.backup]
    return managers()


def _conversation_end_reason(conversation: Any) -> str | None:
    from sigap.intake.channels.conversations.codes import ConversationState

    if conversation.state == ConversationState.CLOSED:
        return AlertEnd.CLOSED
    if conversation.assigned_to_id is not None:
        return AlertEnd.TAKEN
    return None


def _end(alert: EscalatingAlert, reason: str, now: datetime.datetime) -> None:
    alert.state, alert.ended_at, alert.end_reason = AlertState.ENDED, now, reason
    alert.save(update_fields=["state", "ended_at", "end_reason"])
    kind = "conversation" if isinstance(alert, ConversationAlert) else "report"
    record(f"alerts.{kind}_alert_ended", obj=alert)


def _step_sent(alert: EscalatingAlert, now: datetime.datetime) -> None:
    alert.level += 1
    alert.last_escalated_at = now
    alert.save(update_fields=["level", "last_escalated_at"])
    kind = "conversation" if isinstance(alert, ConversationAlert) else "report"
    record(f"alerts.{kind}_escalated", obj=alert)


def escalate_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Escalate every open alert whose next step is due; end those dealt with meanwhile.

    Reports: past the response deadline with no first contact and no case.
    Conversations: waiting past SIGAP_CHAT_RESPONSE_MINUTES, taken by nobody.
    Run every 5 minutes by the worker (``sigap.alerts.tasks``). Each alert is
    locked and re-read in its own transaction, so concurrent runs never send a
    step twice. Returns how many notification rounds were sent.
    """
    now = now or timezone.now()
    return _escalate_reports(now, limit) + _escalate_conversations(now, limit)


def _escalate(candidates: Any, lock: Any, end_reason: Any, send: Any, now: datetime.datetime) -> int:
    """One chain step for each candidate alert id whose step is due, each in its own locked transaction.

    ``lock``: a queryset that locks and reads one alert; ``end_reason(alert)``: why it ends now
    (or None); ``send(alert)``: notify the step's recipients.
    """
    sent = 0
    for pk in candidates:
        with transaction.atomic():
            alert = lock.select_for_update().get(pk=pk)
            if alert.state != AlertState.OPEN:
                continue
            reason = end_reason(alert)
            if reason is not None:
                _end(alert, reason, now)
                continue
            if alert.level >= last_level() or now < escalation_due_at(alert):
                continue
            with translation.override(settings.LANGUAGE_CODE):
                send(alert)
            _step_sent(alert, now)
            sent += 1
    return sent


def _escalate_reports(now: datetime.datetime, limit: int) -> int:
    def send(alert: ReportAlert) -> None:
        report = alert.report
        notify(escalation_recipients(alert, now), "alerts.escalated",
               _("Eskalasi %(level)d: laporan %(number)s %(late)s dari batas respons, belum ada kontak "
                 "pertama atau kasus. Risiko %(risk)s · %(channel)s · Kec. %(kecamatan)s")
               % {"level": alert.level + 1, "number": report.registration_number,
                  "late": due_words(report.response_due_at, now), "risk": report.get_risk_display().lower(),
                  "channel": report.get_channel_display(), "kecamatan": _kecamatan(report.kecamatan_code)},
               link=alert_link(report))

    candidates = list(
        ReportAlert.objects.filter(state=AlertState.OPEN, report__response_due_at__lte=now)
        .order_by("report__response_due_at", "pk").values_list("pk", flat=True)[:limit]
    )
    return _escalate(candidates, ReportAlert.objects.select_related("report"),
                     lambda alert: _end_reason(alert.report), send, now)


def _escalate_conversations(now: datetime.datetime, limit: int) -> int:
    def send(alert: ConversationAlert) -> None:
        conversation = alert.conversation
        notify(escalation_recipients(alert, now), "alerts.conversation_escalated",
               _("Eskalasi %(level)d: percakapan %(channel)s #%(ref)s menunggu, %(late)s dari batas balasan, "
                 "belum diambil petugas.")
               % {"level": alert.level + 1, "channel": conversation.get_channel_display(),
                  "ref": conversation.pk, "late": due_words(alert.due_at, now)},
               link=conversation_link(conversation))

    candidates = list(
        ConversationAlert.objects.filter(state=AlertState.OPEN, due_at__lte=now)
        .order_by("due_at", "pk").values_list("pk", flat=True)[:limit]
    )
    return _escalate(candidates, ConversationAlert.objects.select_related("conversation"),
                     lambda alert: _conversation_end_reason(alert.conversation), send, now)


def end_settled(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """End open or acknowledged alerts dealt with meanwhile (keeps the lists short).

    A report that got a case or a first contact; a conversation taken or closed.
    """
    now = now or timezone.now()
    ended = 0
    for pk in ReportAlert.objects.exclude(state=AlertState.ENDED).exclude(
        report__status=ReportStatus.DITERIMA
    ).values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            alert = ReportAlert.objects.select_for_update().select_related("report").get(pk=pk)
            reason = _end_reason(alert.report)
            if alert.state == AlertState.ENDED or reason is None:
                continue
            _end(alert, reason, now)
            ended += 1
    from django.db.models import Q

    from sigap.intake.channels.conversations.codes import ConversationState

    settled = Q(conversation__assigned_to__isnull=False) | Q(conversation__state=ConversationState.CLOSED)
    for pk in ConversationAlert.objects.exclude(state=AlertState.ENDED).filter(settled).values_list(
        "pk", flat=True
    )[:limit]:
        with transaction.atomic():
            conversation_alert = ConversationAlert.objects.select_for_update().select_related("conversation").get(pk=pk)
            reason = _conversation_end_reason(conversation_alert.conversation)
            if conversation_alert.state == AlertState.ENDED or reason is None:
                continue
            _end(conversation_alert, reason, now)
            ended += 1
    return ended


# --- the roster ----------------------------------------------------------------------------------


def warn_roster_gaps(*, now: datetime.datetime | None = None) -> int:
    """Warn the managers, once per shift, of every shift starting within a day that has nobody on the roster."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(hours=settings.SIGAP_ROSTER_WARN_HOURS)
    warned = 0
    for found in roster.slots_between(now, horizon):
        if RosterEntry.objects.filter(date=found.date, shift=found.shift).exists():
            continue
        with transaction.atomic():
            _row, created = RosterGapWarning.objects.get_or_create(date=found.date, shift=found.shift,
                                                                   defaults={"warned_at": now})
            if not created:
                continue
            record("alerts.roster_gap_warned", object_type="alerts.shift", object_id=f"{found.date}:{found.shift}")
            with translation.override(settings.LANGUAGE_CODE):
                notify(managers(), "alerts.roster_gap",
                       _("Jadwal piket kosong: %(date)s, shift %(shift)s (mulai %(start)s). Tanpa petugas piket, "
                         "semua peringatan dikirim ke Kepala UPTD.")
                       % {"date": _day(found.date), "shift": found.label, "start": _local(found.start)},
                       link=reverse("alerts:roster"))
            warned += 1
    return warned


def save_roster_entry(day: datetime.date, shift: str, *, duty: Any, backup: Any, by: Any,
                      request: HttpRequest | None = None) -> RosterEntry:
    """Plan (or re-plan) one shift: a duty person and a different backup, both answering the hotline."""
    if not can_plan_roster(by):
        raise PermissionDenied
    if shift not in roster.shifts_of(day):
        raise AlertActionError(_("Shift ini tidak ada pada tanggal itu (hari kerja: jam kantor, sore, malam; "
                                 "akhir pekan dan hari libur: satu shift)."), "shift")
    candidates = roster_candidates()
    if duty is None or not candidates.filter(pk=duty.pk).exists():
        raise AlertActionError(_("Pilih petugas piket yang aktif dan menangani pengaduan."), "duty")
    if backup is None or not candidates.filter(pk=backup.pk).exists():
        raise AlertActionError(_("Pilih cadangan yang aktif dan menangani pengaduan."), "backup")
    if duty.pk == backup.pk:
        raise AlertActionError(_("Cadangan harus orang lain, bukan petugas piket itu sendiri."), "backup")
    with transaction.atomic():
        entry, _created = RosterEntry.objects.update_or_create(
            date=day, shift=shift,
            defaults={"duty": duty, "backup": backup, "planned_by": by, "updated_at": timezone.now()},
        )
        RosterGapWarning.objects.filter(date=day, shift=shift).delete()
        record("alerts.roster_saved", actor=by, obj=entry, request=request)
    return entry


def delete_roster_entry(entry: RosterEntry, *, by: Any, request: HttpRequest | None = None,
                        now: datetime.datetime | None = None) -> None:
    """Remove a planned shift (confirmed by the manager); its people are told. A shift that has ended
    stays: it is the record of who was on duty when an alert went out."""
    if not can_plan_roster(by):
        raise PermissionDenied
    now = now or timezone.now()
    found = roster.slot(entry.date, entry.shift)
    if found.end <= now:
        raise AlertActionError(_("Shift yang sudah lewat tidak dapat dihapus: ia mencatat siapa yang piket saat itu."))
    with transaction.atomic():
        locked = RosterEntry.objects.select_for_update().select_related("duty", "backup").filter(pk=entry.pk).first()
        if locked is None:
            return
        people = [locked.duty, locked.backup]
        locked.delete()
        record("alerts.roster_deleted", actor=by, object_type="alerts.shift", object_id=f"{found.date}:{found.shift}",
               request=request)
        with translation.override(settings.LANGUAGE_CODE):
            notify([p for p in people if p.pk != by.pk], "alerts.roster_deleted",
                   _("Jadwal piket Anda %(date)s, shift %(shift)s, dihapus oleh %(user)s.")
                   % {"date": _day(found.date), "shift": found.label, "user": by.username},
                   link=reverse("alerts:roster") + f"?mulai={found.date.isoformat()}")


BULK_MAX_DAYS = 92


def _week_pattern(monday: datetime.date) -> dict[tuple[int, str], RosterEntry]:
    rows = RosterEntry.objects.filter(date__gte=monday, date__lte=monday + datetime.timedelta(days=6))
    return {(row.date.weekday(), row.shift): row for row in rows.select_related("duty", "backup")}


def _pattern_for(pattern: dict[tuple[int, str], RosterEntry], day: datetime.date,
                 shift: str) -> RosterEntry | None:
    """The source week's entry for ``day``'s ``shift``: the same weekday; for a holiday the source weekend;
    for a working day whose weekday was a holiday in the source week, the nearest working weekday."""
    found = pattern.get((day.weekday(), shift))
    if found is not None:
        return found
    if shift == Shift.LIBUR:
        order = [5, 6, 0, 1, 2, 3, 4]
    else:
        order = sorted(range(5), key=lambda weekday: (abs(weekday - day.weekday()), weekday))
    return next((pattern[(weekday, shift)] for weekday in order if (weekday, shift) in pattern), None)


@dataclass
class BulkResult:
    planned: int = 0
    kept: int = 0  # already planned, not overwritten
    without_pattern: int = 0  # the source week has nothing for that kind of shift
    unavailable: int = 0  # the source week's people are no longer active on the hotline
    past: int = 0


class PlanStep:
    """What repeating a week does to one shift."""

    CREATE = "buat"  # empty now, planned from the pattern
    REPLACE = "timpa"  # planned now, replaced by the pattern ("Timpa" ticked)
    KEEP = "biarkan"  # planned now and kept
    NO_PATTERN = "tanpa_contoh"  # stays empty: the example week has nothing for it
    UNAVAILABLE = "tidak_aktif"  # stays empty (or as it is): the example's people are not active any more


@dataclass
class PlanRow:
    slot: roster.Slot
    step: str
    current: RosterEntry | None  # what is planned now
    duty: Any = None  # what the pattern plans (CREATE, REPLACE; also shown for KEEP)
    backup: Any = None

    @property
    def gap(self) -> bool:
        """The shift has nobody after the plan."""
        return self.current is None and self.step in (PlanStep.NO_PATTERN, PlanStep.UNAVAILABLE)


@dataclass
class RepeatPlan:
    """What ``repeat_week`` would do, shift by shift (the preview shown before it is confirmed)."""

    source_monday: datetime.date
    start: datetime.date
    end: datetime.date
    overwrite: bool
    rows: list[PlanRow]
    past: int

    def of(self, *steps: str) -> list[PlanRow]:
        return [row for row in self.rows if row.step in steps]

    @property
    def created(self) -> list[PlanRow]:
        return self.of(PlanStep.CREATE)

    @property
    def existing(self) -> list[PlanRow]:
        """Shifts planned now: each kept or replaced."""
        return [row for row in self.rows if row.current is not None]

    @property
    def gaps(self) -> list[PlanRow]:
        return [row for row in self.rows if row.gap]

    @property
    def fingerprint(self) -> str:
        """Changes when anything the plan would do changes (someone else planned meanwhile): the confirmation
        must carry the fingerprint of the preview it confirms."""
        import hashlib

        parts = [f"{self.source_monday}|{self.start}|{self.end}|{self.overwrite}"]
        for row in self.rows:
            current = (row.current.duty_id, row.current.backup_id) if row.current else None
            parts.append(f"{row.slot.date}|{row.slot.shift}|{row.step}|{current}|"
                         f"{getattr(row.duty, 'pk', None)}|{getattr(row.backup, 'pk', None)}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def plan_repeat_week(source: datetime.date, start: datetime.date, end: datetime.date, *, overwrite: bool = False,
                     now: datetime.datetime | None = None, lock: bool = False) -> RepeatPlan:
    """What repeating the week holding ``source`` over ``start``..``end`` (inclusive) would do; changes nothing.

    Each day takes the pattern of the same weekday (``_pattern_for``); shifts already planned are
    kept unless ``overwrite``; shifts already over are never touched (counted in ``past``); people no
    longer active on the hotline leave the shift as it is (empty when it was). ``lock``: inside
    ``repeat_week``'s transaction, the range's rows are locked.
    """
    now = now or timezone.now()
    if end < start:
        raise AlertActionError(_("Tanggal akhir harus sesudah tanggal mulai."), "end")
    if (end - start).days + 1 > BULK_MAX_DAYS:
        raise AlertActionError(_("Paling banyak %(days)d hari sekali rencana.") % {"days": BULK_MAX_DAYS}, "end")
    monday = source - datetime.timedelta(days=source.weekday())
    pattern = _week_pattern(monday)
    if not pattern:
        raise AlertActionError(_("Minggu contoh belum punya jadwal piket."), "source")
    if monday <= end and start <= monday + datetime.timedelta(days=6):
        raise AlertActionError(_("Rentang tanggal tidak boleh mencakup minggu contoh itu sendiri."), "start")
    candidates = set(roster_candidates().values_list("pk", flat=True))
    rows = RosterEntry.objects.filter(date__gte=start, date__lte=end).select_related("duty", "backup")
    if lock:
        rows = rows.select_for_update()
    existing = {(row.date, row.shift): row for row in rows}
    plan = RepeatPlan(monday, start, end, overwrite, [], 0)
    day = start
    while day <= end:
        for found in roster.slots_of(day):
            if found.end <= now:
                plan.past += 1
                continue
            current = existing.get((day, found.shift))
            source_entry = _pattern_for(pattern, day, found.shift)
            duty = source_entry.duty if source_entry else None
            backup = source_entry.backup if source_entry else None
            if current is not None and not overwrite:
                step = PlanStep.KEEP
            elif source_entry is None:
                step = PlanStep.NO_PATTERN
            elif (source_entry.duty_id not in candidates or source_entry.backup_id not in candidates
                  or source_entry.duty_id == source_entry.backup_id):
                step = PlanStep.UNAVAILABLE
            else:
                step = PlanStep.REPLACE if current is not None else PlanStep.CREATE
            plan.rows.append(PlanRow(found, step, current, duty, backup))
        day += datetime.timedelta(days=1)
    return plan


def repeat_week(source: datetime.date, start: datetime.date, end: datetime.date, *, by: Any, overwrite: bool = False,
                request: HttpRequest | None = None, now: datetime.datetime | None = None,
                expected: str | None = None) -> BulkResult:
    """Plan every shift from ``start`` to ``end`` (inclusive) after the week holding ``source``
    (``plan_repeat_week`` says what that does; the page shows it first).

    ``expected``: the fingerprint of the preview being confirmed; when the plan has changed since,
    nothing is planned and ``AlertActionError`` says to look again. One transaction; each planned
    shift is audited as a single save would be. Each person planned is told once, with their
    number of shifts.
    """
    if not can_plan_roster(by):
        raise PermissionDenied
    now = now or timezone.now()
    result = BulkResult()
    shifts_per_person: dict[int, int] = {}
    people: dict[int, Any] = {}
    with transaction.atomic():
        plan = plan_repeat_week(source, start, end, overwrite=overwrite, now=now, lock=True)
        if expected is not None and expected != plan.fingerprint:
            raise AlertActionError(_("Jadwal piket berubah sejak pratinjau. Periksa pratinjau baru lalu konfirmasi "
                                     "lagi."))
        result.past = plan.past
        for row in plan.rows:
            if row.step == PlanStep.KEEP:
                result.kept += 1
                continue
            if row.step == PlanStep.NO_PATTERN:
                result.without_pattern += 1
                continue
            if row.step == PlanStep.UNAVAILABLE:
                result.unavailable += 1
                continue
            day, shift = row.slot.date, row.slot.shift
            entry, _created = RosterEntry.objects.update_or_create(
                date=day, shift=shift,
                defaults={"duty": row.duty, "backup": row.backup, "planned_by": by, "updated_at": now},
            )
            RosterGapWarning.objects.filter(date=day, shift=shift).delete()
            record("alerts.roster_saved", actor=by, obj=entry, request=request)
            result.planned += 1
            for person in (row.duty, row.backup):
                people[person.pk] = person
                shifts_per_person[person.pk] = shifts_per_person.get(person.pk, 0) + 1
        record("alerts.roster_week_repeated", actor=by, object_type="alerts.week",
               object_id=plan.source_monday.isoformat(), request=request)
        with translation.override(settings.LANGUAGE_CODE):
            for pk, count in shifts_per_person.items():
                if pk == by.pk:
                    continue
                notify([people[pk]], "alerts.roster_planned",
                       _("Anda dijadwalkan piket atau cadangan %(count)d shift antara %(start)s dan %(end)s.")
                       % {"count": count, "start": _day(start), "end": _day(end)},
                       link=reverse("alerts:roster") + f"?mulai={start.isoformat()}")
    return result


CALLBACKS_MAX = 10
CALLBACK_PAST = datetime.timedelta(hours=24)
CALLBACK_AHEAD = datetime.timedelta(days=7)
_CONVERSATION_REF = re.compile(r"#([0-9]{1,18})")


def resolve_reference(text: str) -> tuple[Report | None, Any]:
    """A call-back's reference: a registration number, or ``#<id>`` of a WhatsApp/SMS conversation.

    Raises AlertActionError (field "reference") when neither is found.
    """
    from sigap.intake.channels.conversations.models import Conversation

    value = (text or "").strip()
    match = _CONVERSATION_REF.fullmatch(value)
    if match is not None:
        conversation = Conversation.objects.filter(pk=int(match.group(1))).first()
        if conversation is not None:
            return None, conversation
    elif value and value.isascii() and len(value) <= 40:
        report = Report.objects.filter(registration_number=value.upper()).first()
        if report is not None:
            return report, None
    raise AlertActionError(_("Tidak ditemukan. Tulis nomor registrasi laporan (mis. 1811-2026-000004) atau "
                             "#nomor percakapan (mis. #41), bukan nama atau nomor telepon."), "reference")


def _check_due(due: datetime.datetime, now: datetime.datetime) -> None:
    if not now - CALLBACK_PAST <= due <= now + CALLBACK_AHEAD:
        raise AlertActionError(_("Jatuh tempo telepon balik harus antara 24 jam lalu dan 7 hari ke depan."), "due_at")


def write_handover(note: str, *, by: Any, callbacks: Iterable[tuple[str, datetime.datetime]] = (),
                   request: HttpRequest | None = None, now: datetime.datetime | None = None) -> Handover:
    """The end-of-shift note of the shift running now, by someone on that shift (or a manager).

    ``callbacks``: who needs a call back, as (reference, due time) pairs; each becomes a
    ``CallBack`` item the next shifts see on their home until someone marks it done.
    """
    now = now or timezone.now()
    current = roster.slot_at(now)
    entry = roster.entry_for(current)
    on_shift = entry is not None and by.pk in (entry.duty_id, entry.backup_id)
    if not can_use_roster(by) or not (on_shift or can_plan_roster(by)):
        raise PermissionDenied
    text = (note or "").strip()
    if not text:
        raise AlertActionError(_("Tulis catatan serah terima: apa yang masih terbuka, siapa perlu ditelepon balik."),
                               "note")
    if len(text) > 4000:
        raise AlertActionError(_("Catatan terlalu panjang (paling banyak 4.000 karakter)."), "note")
    items = list(callbacks)
    if len(items) > CALLBACKS_MAX:
        raise AlertActionError(_("Paling banyak 10 telepon balik per serah terima."), "callbacks")
    resolved = []
    for reference, due in items:
        _check_due(due, now)
        resolved.append((*resolve_reference(reference), due))
    nxt = roster.slot_at(current.end)
    following = roster.entry_for(nxt)
    with transaction.atomic():
        handover = Handover.objects.create(date=current.date, shift=current.shift, note=text, written_by=by,
                                           written_at=now)
        record("alerts.handover_written", actor=by, obj=handover, request=request)
        for report, conversation, due in resolved:
            item = CallBack.objects.create(handover=handover, report=report, conversation=conversation, due_at=due,
                                           created_by=by, created_at=now)
            record("alerts.callback_listed", actor=by, obj=item, request=request)
        with translation.override(settings.LANGUAGE_CODE):
            notify(following.people() if following is not None else managers(), "alerts.handover",
                   _("Serah terima shift %(shift)s %(date)s dari %(user)s menunggu konfirmasi Anda.")
                   % {"shift": current.label, "date": _day(current.date), "user": by.username},
                   link=reverse("alerts:handover"))
    return handover


def open_callbacks() -> Any:
    return CallBack.objects.filter(done_at__isnull=True).select_related("report", "handover__written_by")


def mark_callback_done(item: CallBack, *, by: Any, request: HttpRequest | None = None,
                       now: datetime.datetime | None = None) -> CallBack:
    """The call back was made: who and when. Marking twice changes nothing."""
    if not can_use_roster(by):
        raise PermissionDenied
    with transaction.atomic():
        locked = CallBack.objects.select_for_update().get(pk=item.pk)
        if locked.done_at is not None:
            return locked
        locked.done_by, locked.done_at = by, now or timezone.now()
        locked.save(update_fields=["done_by", "done_at"])
        record("alerts.callback_done", actor=by, obj=locked, request=request)
    return locked


def callback_link(item: CallBack) -> str:
    """Where a call-back's reference leads: the report's or conversation's alert page, open to the hotline team."""
    if item.report_id is not None:
        if ReportAlert.objects.filter(report_id=item.report_id).exists():
            return reverse("alerts:report_alert", args=[item.report_id])
        return reverse("intake:report_detail", args=[item.report_id])
    if ConversationAlert.objects.filter(conversation=item.conversation).exists():
        return reverse("alerts:conversation_alert", args=[item.conversation_id])
    return reverse("conversations:detail", args=[item.conversation_id])


def may_acknowledge_handover(handover: Handover, user: Any) -> bool:
    """The next shift's duty person or backup, or a manager; never the writer."""
    if not can_use_roster(user) or handover.acknowledged_at is not None or handover.written_by_id == user.pk:
        return False
    if can_plan_roster(user):
        return True
    nxt = roster.slot_at(roster.slot(handover.date, handover.shift).end)
    entry = roster.entry_for(nxt)
    return entry is not None and user.pk in (entry.duty_id, entry.backup_id)


def acknowledge_handover(handover: Handover, *, by: Any, request: HttpRequest | None = None) -> Handover:
    if not may_acknowledge_handover(handover, by):
        raise PermissionDenied
    with transaction.atomic():
        locked = Handover.objects.select_for_update().get(pk=handover.pk)
        if locked.acknowledged_at is not None:
            return locked
        locked.acknowledged_by, locked.acknowledged_at = by, timezone.now()
        locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
        record("alerts.handover_acknowledged", actor=by, obj=locked, request=request)
    return locked


SHIFT_CHOICES = Shift.choices
