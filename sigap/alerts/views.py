"""The roster (jadwal piket), shift handovers and a report's alert page ("saya tangani")."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sigap.alerts import actions, roster
from sigap.alerts.forms import (
    CallBackFormSet,
    ContactAttemptForm,
    HandoverForm,
    RepeatWeekForm,
    RosterForm,
)
from sigap.alerts.models import CallBack, ConversationAlert, Handover, ReportAlert, RosterEntry
from sigap.intake.forms import FirstContactForm
from sigap.intake.models import Report
from sigap.lib.timewords import due_words

ROSTER_DAYS = 14


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _start_day(value: str | None, today: datetime.date) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value or "")
    except ValueError:
        return today
    return day if abs((day - today).days) <= 366 else today


@login_required
@require_http_methods(["GET", "POST"])
def roster_view(request: HttpRequest) -> HttpResponse:
    _require(actions.can_use_roster(request.user))
    now = timezone.now()
    current = roster.slot_at(now)
    may_plan = actions.can_plan_roster(request.user)
    form = RosterForm(request.POST or None, candidates=actions.roster_candidates())
    status = 200
    if request.method == "POST":
        _require(may_plan)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.save_roster_entry(data["date"], data["shift"], duty=data["duty"], backup=data["backup"],
                                          by=request.user, request=request)
            except actions.AlertActionError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Jadwal piket disimpan."))
                return redirect(f"{request.path}?mulai={data['date'].isoformat()}")
        status = 400
    start = _start_day(request.GET.get("mulai"), current.date)
    days = [start + datetime.timedelta(days=n) for n in range(ROSTER_DAYS)]
    entries = {
        (e.date, e.shift): e
        for e in RosterEntry.objects.filter(date__gte=days[0], date__lte=days[-1]).select_related("duty", "backup")
    }
    rows = []
    for day in days:
        for found in roster.slots_of(day):
            rows.append({"slot": found, "entry": entries.get((found.date, found.shift)),
                         "current": found == current, "past": found.end <= now})
    return render(request, "alerts/roster.html", {
        "rows": rows, "form": form if may_plan else None, "current": current,
        "current_entry": roster.entry_for(current), "previous": days[0] - datetime.timedelta(days=ROSTER_DAYS),
        "next": days[-1] + datetime.timedelta(days=1),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def roster_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a planned shift: a confirmation page, then the POST."""
    _require(actions.can_plan_roster(request.user))
    entry = get_object_or_404(RosterEntry.objects.select_related("duty", "backup"), pk=pk)
    found = roster.slot(entry.date, entry.shift)
    now = timezone.now()
    status = 200
    problem = ""
    if request.method == "POST":
        try:
            actions.delete_roster_entry(entry, by=request.user, request=request, now=now)
        except actions.AlertActionError as error:
            problem, status = error.message, 400
        else:
            messages.success(request, _("Jadwal piket dihapus. Shift itu kini kosong."))
            return redirect(f"{reverse('alerts:roster')}?mulai={entry.date.isoformat()}")
    return render(request, "alerts/roster_delete.html", {
        "entry": entry, "slot": found, "running": found.start <= now < found.end, "past": found.end <= now,
        "problem": problem,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def roster_repeat(request: HttpRequest) -> HttpResponse:
    """Bulk planning: repeat one week's pattern over a date range. A post without ``konfirmasi`` shows what it
    would create, replace or keep and the gaps that remain; confirming (with that preview's fingerprint) plans it."""
    _require(actions.can_plan_roster(request.user))
    today = timezone.localdate()
    form = RepeatWeekForm(request.POST or None, initial={
        "source": today, "start": today + datetime.timedelta(days=7 - today.weekday()),
        "end": today + datetime.timedelta(days=7 - today.weekday() + 27),
    })
    status = 200
    plan = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            confirming = request.POST.get("konfirmasi") == "1"
            try:
                if confirming:
                    result = actions.repeat_week(data["source"], data["start"], data["end"], by=request.user,
                                                 overwrite=data["overwrite"], request=request,
                                                 expected=request.POST.get("rencana", ""))
                else:
                    plan = actions.plan_repeat_week(data["source"], data["start"], data["end"],
                                                    overwrite=data["overwrite"])
            except actions.AlertActionError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                if error.field is None:  # the roster changed since the preview: show the new one
                    plan = actions.plan_repeat_week(data["source"], data["start"], data["end"],
                                                    overwrite=data["overwrite"])
            else:
                if plan is not None:
                    return render(request, "alerts/roster_repeat.html", {"form": form, "plan": plan})
                messages.success(request, _(
                    "%(planned)d shift diatur; %(kept)d sudah diatur sebelumnya dibiarkan; %(missing)d tanpa contoh "
                    "dan %(unavailable)d dengan petugas yang tidak aktif lagi tetap kosong."
                ) % {"planned": result.planned, "kept": result.kept, "missing": result.without_pattern,
                     "unavailable": result.unavailable})
                return redirect(f"{reverse('alerts:roster')}?mulai={data['start'].isoformat()}")
        status = 400
    return render(request, "alerts/roster_repeat.html", {"form": form, "plan": plan}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def handover_view(request: HttpRequest) -> HttpResponse:
    _require(actions.can_use_roster(request.user))
    now = timezone.now()
    current = roster.slot_at(now)
    entry = roster.entry_for(current)
    may_write = actions.can_plan_roster(request.user) or (
        entry is not None and request.user.pk in (entry.duty_id, entry.backup_id))
    form = HandoverForm(request.POST or None)
    # A post without the call-back rows (their management form) lists none.
    with_rows = request.method == "POST" and "tb-TOTAL_FORMS" in request.POST
    callbacks = CallBackFormSet(request.POST if with_rows else None, prefix="tb")
    status = 200
    if request.method == "POST":
        _require(may_write)
        rows_valid = callbacks.is_valid() if with_rows else True
        if form.is_valid() and rows_valid:
            row_forms = callbacks.forms if with_rows else []
            items = [item for item in (f.item() for f in row_forms) if item is not None]
            try:
                actions.write_handover(form.cleaned_data["note"], by=request.user, callbacks=items, request=request)
            except actions.AlertActionError as error:
                form.add_error("note" if error.field == "note" else None, error.message)
            else:
                messages.success(request, _("Catatan serah terima dikirim ke shift berikutnya."))
                return redirect("alerts:handover")
        status = 400
    handovers = list(Handover.objects.select_related("written_by", "acknowledged_by")[:20])
    listed: dict[int, list[dict[str, Any]]] = {}
    for item in CallBack.objects.filter(handover__in=handovers).select_related("report", "done_by"):
        listed.setdefault(item.handover_id, []).append({
            "item": item, "link": actions.callback_link(item), "due_words": due_words(item.due_at, now),
            "overdue": item.due_at < now})
    rows: list[dict[str, Any]] = [
        {"handover": h, "slot": roster.slot(h.date, h.shift), "may_ack": actions.may_acknowledge_handover(h, request.user),
         "callbacks": listed.get(h.pk, [])}
        for h in handovers
    ]
    unreached, unreached_total = actions.unreached_reports()
    return render(request, "alerts/handover.html", {
        "rows": rows, "form": form if may_write else None, "callbacks": callbacks, "current": current,
        "current_entry": entry, "unreached": unreached, "unreached_total": unreached_total,
    }, status=status)


@login_required
@require_POST
def callback_done(request: HttpRequest, pk: int) -> HttpResponse:
    """"Sudah ditelepon": who made the call back and when."""
    _require(actions.can_use_roster(request.user))
    item = get_object_or_404(CallBack, pk=pk)
    done = actions.mark_callback_done(item, by=request.user, request=request)
    if done.done_by_id == request.user.pk:
        messages.success(request, _("Telepon balik %(reference)s dicatat selesai.") % {"reference": done.reference})
    else:
        messages.info(request, _("Telepon balik ini sudah dicatat selesai."))
    if request.POST.get("kembali") == "beranda":
        return redirect("core:staff_home")
    return redirect(f"{reverse('alerts:handover')}#serah-terima-{done.handover_id}")


@login_required
@require_POST
def handover_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    _require(actions.can_use_roster(request.user))
    handover = get_object_or_404(Handover, pk=pk)
    actions.acknowledge_handover(handover, by=request.user, request=request)
    messages.success(request, _("Serah terima dikonfirmasi."))
    return redirect("alerts:handover")


def report_page_context(user: Any, report: Report) -> dict[str, Any]:
    """The report page's failed call-back attempts and their form (``intake.models.register_report_page_context``)."""
    may = actions.may_record_first_contact(report, user)
    return {"contact_attempts": list(actions.contact_attempts(report)),
            "attempt_form": ContactAttemptForm() if may else None}


def _render_alert(request: HttpRequest, alert: ReportAlert, *, form: FirstContactForm | None = None,
                  attempt_form: ContactAttemptForm | None = None, status: int = 200) -> HttpResponse:
    report = alert.report
    now = timezone.now()
    may_contact = actions.may_record_first_contact(report, request.user, now)
    refused = form if form is not None else attempt_form
    return render(request, "alerts/report_alert.html", {
        "alert": alert, "report": report, "kecamatan": actions._kecamatan(report.kecamatan_code),
        "due_words": due_words(report.response_due_at, now) if report.status == "diterima" else "",
        "overdue": report.response_due_at < now,
        "may_open": Report.objects.visible_to(request.user, on_duty=True).filter(pk=report.pk).exists(),
        "first_contact": actions.first_contact(report),
        "first_contact_form": (form or FirstContactForm()) if may_contact else None,
        "attempt_form": (attempt_form or ContactAttemptForm()) if may_contact else None,
        "contact_attempts": list(actions.contact_attempts(report)),
        "refusals": refused.non_field_errors() if refused is not None and not may_contact else [],
    }, status=status)


@login_required
@require_http_methods(["GET"])
def report_alert(request: HttpRequest, report_pk: int) -> HttpResponse:
    _require(actions.can_use_roster(request.user))
    alert = get_object_or_404(ReportAlert.objects.select_related("report", "acknowledged_by"), report_id=report_pk)
    return _render_alert(request, alert)


@login_required
@require_POST
def report_first_contact(request: HttpRequest, report_pk: int) -> HttpResponse:
    """"Kontak pertama dilakukan", posted from the alert page or the report page (``kembali=laporan``)."""
    _require(actions.can_use_roster(request.user))
    report = get_object_or_404(Report, pk=report_pk)
    if not actions.may_record_first_contact(report, request.user) and report.status == "diterima":
        raise PermissionDenied
    form = FirstContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_first_contact(report, by=request.user, channel=data["channel"], outcome=data["outcome"],
                                         started_at=data["started_at"], note=data["note"], request=request)
        except actions.AlertActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Kontak pertama dicatat. Eskalasi laporan ini berhenti."))
            if request.POST.get("kembali") == "laporan":
                return redirect("intake:report_detail", pk=report.pk)
            return redirect("alerts:report_alert", report_pk=report.pk)
    alert = ReportAlert.objects.select_related("report", "acknowledged_by").filter(report=report).first()
    if alert is None:  # a report filed before the alerts app: the page shows it without an alert row
        alert = ReportAlert(report=report)
    return _render_alert(request, alert, form=form, status=400)


@login_required
@require_POST
def report_contact_attempt(request: HttpRequest, report_pk: int) -> HttpResponse:
    """"Belum berhasil dihubungi": a call-back attempt that did not reach the person; the chain goes on."""
    _require(actions.can_use_roster(request.user))
    report = get_object_or_404(Report, pk=report_pk)
    if not actions.may_record_first_contact(report, request.user) and report.status == "diterima":
        raise PermissionDenied
    form = ContactAttemptForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_contact_attempt(report, by=request.user, channel=data["channel"], result=data["result"],
                                           attempted_at=data["attempted_at"], request=request)
        except actions.AlertActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Percobaan dicatat. Laporan ini masih menunggu kontak pertama; "
                                        "eskalasi tetap berjalan."))
            if request.POST.get("kembali") == "laporan":
                return redirect("intake:report_detail", pk=report.pk)
            return redirect("alerts:report_alert", report_pk=report.pk)
    alert = ReportAlert.objects.select_related("report", "acknowledged_by").filter(report=report).first()
    if alert is None:
        alert = ReportAlert(report=report)
    return _render_alert(request, alert, attempt_form=form, status=400)


@login_required
@require_POST
def report_alert_acknowledge(request: HttpRequest, report_pk: int) -> HttpResponse:
    _require(actions.can_use_roster(request.user))
    alert = get_object_or_404(ReportAlert, report_id=report_pk)
    done = actions.acknowledge(alert, by=request.user, request=request)
    if done.acknowledged_by_id == request.user.pk:
        messages.success(request, _("Dicatat: Anda menangani laporan ini. Eskalasi dihentikan."))
    else:
        messages.info(request, _("Laporan ini sudah ditangani atau selesai."))
    return redirect("alerts:report_alert", report_pk=report_pk)


@login_required
@require_http_methods(["GET"])
def conversation_alert(request: HttpRequest, conversation_pk: int) -> HttpResponse:
    """A waiting conversation's alert: channel, reference, waiting time; "saya tangani". No sender, no text."""
    from sigap.intake.channels.conversations.models import Conversation

    _require(actions.can_use_roster(request.user))
    alert = get_object_or_404(ConversationAlert.objects.select_related("conversation", "acknowledged_by"),
                              conversation_id=conversation_pk)
    now = timezone.now()
    conversation = alert.conversation
    return render(request, "alerts/conversation_alert.html", {
        "alert": alert, "conversation": conversation, "now": now,
        "due_words": due_words(alert.due_at, now) if alert.state != "selesai" else "",
        "overdue": alert.due_at < now,
        "may_open": Conversation.objects.visible_to(request.user, on_duty=True).filter(pk=conversation.pk).exists(),
    })


@login_required
@require_POST
def conversation_alert_acknowledge(request: HttpRequest, conversation_pk: int) -> HttpResponse:
    _require(actions.can_use_roster(request.user))
    alert = get_object_or_404(ConversationAlert, conversation_id=conversation_pk)
    done = actions.acknowledge_conversation(alert, by=request.user, request=request)
    if done.acknowledged_by_id == request.user.pk:
        messages.success(request, _("Dicatat: Anda menangani percakapan ini. Eskalasi dihentikan."))
    else:
        messages.info(request, _("Percakapan ini sudah ditangani atau selesai."))
    return redirect("alerts:conversation_alert", conversation_pk=conversation_pk)
