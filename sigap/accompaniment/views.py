"""Accompaniment screens: the case's tab, the worker's calendar, letters and forms as PDFs, statistics.

Each view parses, checks access through the cases app's rule (``get_case_for``,
``can_work``, ``can_approve``), calls an action and responds. Every PDF download
is audited.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sigap.accompaniment import actions, monthgrid
from sigap.accompaniment import letters as content
from sigap.accompaniment.codes import (
    RESTITUTION_NEXT,
    AppointmentStatus,
    CareItemStatus,
    JusticeStage,
    LpskStatus,
    RestitutionStatus,
    SummaryRecipient,
    TransferStatus,
)
from sigap.accompaniment.forms import (
    AppointmentForm,
    ApproveLpskForm,
    ApproveTransferForm,
    AttendedOutcomeForm,
    CareItemForm,
    ChecklistStartForm,
    IncomingForm,
    JusticeForm,
    JusticeStepForm,
    LpskForm,
    LpskStatusForm,
    OutcomeForm,
    PoliceLetterForm,
    ProtectionForm,
    RescheduleForm,
    RestitutionForm,
    RestitutionStatusForm,
    TransferForm,
    TransferReceivedForm,
    VisumLetterForm,
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
from sigap.accounts.models import User
from sigap.accounts.roles import Perm, has_permission
from sigap.cases import access
from sigap.cases.actions import CaseActionError
from sigap.cases.models import Case
from sigap.cases.queries import workers
from sigap.cases.views import _case_context, _open_case_page, _show_error, staff_case_view
from sigap.letters import official
from sigap.lib.params import parse_id
from sigap.vault.audit import opened, record

FORMS: dict[str, type[forms.Form]] = {
    "appointment": AppointmentForm, "outcome": OutcomeForm, "reschedule": RescheduleForm,
    "checklist": ChecklistStartForm, "care_item": CareItemForm, "justice": JusticeForm, "step": JusticeStepForm,
    "protection": ProtectionForm, "police_letter": PoliceLetterForm, "visum_letter": VisumLetterForm,
    "lpsk": LpskForm, "lpsk_status": LpskStatusForm, "restitution": RestitutionForm,
    "restitution_status": RestitutionStatusForm, "transfer": TransferForm, "transfer_received": TransferReceivedForm,
    "incoming": IncomingForm, "lpsk_approve": ApproveLpskForm, "transfer_approve": ApproveTransferForm,
}


# Forms written by hand into the page's rows (not rendered from the bound form).
INLINE_FORMS = frozenset({"outcome", "reschedule", "care_item", "lpsk_status", "restitution_status",
                          "transfer_received", "lpsk_approve", "transfer_approve"})


def _pdf(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _child(model: Any, pk: Any, **filters: Any) -> Any:
    """A record of this case (by the filters), or a clear error; never another case's record."""
    try:
        return model.objects.get(pk=int(pk), **filters)
    except (model.DoesNotExist, TypeError, ValueError):
        raise CaseActionError(_("Data tidak ditemukan.")) from None


def _justice_initial(justice: JusticeRecord | None) -> dict[str, Any]:
    if justice is None:
        return {}
    return {name: getattr(justice, name) for name in JusticeForm.base_fields if hasattr(justice, name)}


def _handle(request: HttpRequest, case: Case, which: str, form: forms.Form) -> str | None:
    """Run the action of the posted form; the success message, or None when the form is invalid."""
    if not form.is_valid():
        return None
    d = form.cleaned_data
    by = request.user
    if which == "appointment":
        actions.schedule_appointment(case, by=by, kind=d["kind"], starts_at=d["starts_at"], worker=d["worker"],
                                     place=d["place"], attendees=d["attendees"], partner=d["partner"],
                                     escort_needed=d["escort_needed"], transport_needed=d["transport_needed"],
                                     request=request)
        return _("Jadwal dicatat.")
    if which == "outcome":
        actions.record_outcome(_child(Appointment, d["appointment"], case=case), by=by, status=d["status"],
                               note=d["note"], request=request)
        return _("Hasil jadwal dicatat.")
    if which == "reschedule":
        actions.reschedule(_child(Appointment, d["appointment"], case=case), by=by, starts_at=d["starts_at"],
                           note=d["note"], request=request)
        return _("Jadwal dipindahkan.")
    if which == "checklist":
        actions.start_checklist(case, by=by, incident_at=d["incident_at"], request=request)
        return _("Daftar periksa 72 jam dibuka.")
    if which == "care_item":
        item = _child(CareItem, d["item"], checklist__case=case)
        actions.record_care_item(item, by=by, status=d["status"], at=d["at"], note=d["note"], request=request)
        return _("Butir daftar periksa dicatat.")
    if which == "justice":
        actions.save_justice(case, by=by, data=d, request=request)
        return _("Data proses hukum disimpan.")
    if which == "step":
        actions.add_justice_step(case, by=by, stage=d["stage"], on=d["on"], accompanied=d["accompanied"],
                                 accompanied_by=d["accompanied_by"], note=d["note"], request=request)
        return _("Tahap proses hukum dicatat.")
    if which == "protection":
        actions.record_protection(case, by=by, kind=d["kind"], granted_at=d["granted_at"], ends_on=d["ends_on"],
                                  issuer=d["issuer"], note=d["note"], request=request)
        return _("Pelindungan dicatat.")
    if which == "police_letter":
        actions.police_cover_letter(case, by=by, partner=d["partner"], consent=d["consent"],
                                    override_reason=d["override_reason"], purpose=d["purpose"], request=request)
        return _("Rujukan ke kepolisian dikirim dan surat pengantar dibuat.")
    if which == "visum_letter":
        actions.visum_letter(case, by=by, partner=d["partner"], request=request)
        return _("Surat permohonan pendampingan visum dibuat.")
    if which == "lpsk":
        actions.prepare_lpsk(case, by=by, partner=d["partner"], applicant=d["applicant"],
                             protection_asked=d["protection_asked"], consent=d["consent"],
                             consent_on=d["consent_on"], request=request)
        return _("Permohonan LPSK disiapkan dan menunggu persetujuan manajer.")
    if which == "lpsk_status":
        actions.update_lpsk(_child(LpskApplication, d["application"], case=case), by=by, status=d["status"],
                            note=d["note"], request=request)
        return _("Status permohonan LPSK diperbarui.")
    if which == "restitution":
        actions.request_restitution(case, by=by, requested_on=d["requested_on"], amount=d["amount"],
                                    note=d["note"], request=request)
        return _("Pengajuan restitusi dicatat.")
    if which == "restitution_status":
        actions.update_restitution(_child(Restitution, d["restitution"], case=case), by=by, status=d["status"],
                                   on=d["on"], amount=d["amount"], note=d["note"], request=request)
        return _("Status restitusi diperbarui.")
    if which == "transfer":
        actions.prepare_transfer(case, by=by, partner=d["partner"], reason=d["reason"], request=request)
        return _("Pelimpahan disiapkan dan menunggu persetujuan manajer.")
    if which == "lpsk_approve":
        actions.approve_lpsk(_child(LpskApplication, d["application"], case=case), by=by, request=request)
        return _("Permohonan LPSK disetujui; surat permohonan dibuat.")
    if which == "transfer_approve":
        actions.approve_transfer(_child(Transfer, d["transfer"], case=case), by=by, request=request)
        return _("Kasus dilimpahkan; surat pelimpahan dibuat dan kasus kini hanya dapat dibaca.")
    if which == "transfer_received":
        actions.record_transfer_received(_child(Transfer, d["transfer"], case=case), by=by,
                                         received_by=d["received_by"], received_at=d["received_at"],
                                         request=request)
        return _("Penerimaan pelimpahan dicatat.")
    if which == "incoming":
        actions.record_incoming_transfer(case, by=by, origin=d["origin"], received_on=d["received_on"],
                                         origin_letter_number=d["origin_letter_number"], request=request)
        return _("Asal pelimpahan dicatat.")
    raise Http404


@staff_case_view
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = _open_case_page(request, pk)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    if request.method == "POST" and which not in FORMS:
        raise Http404
    bound = FORMS[which](request.POST) if which else None
    if bound is not None:
        try:
            done = _handle(request, case, which, bound)
        except CaseActionError as error:
            _show_error(request, error, None if which in INLINE_FORMS else bound)
            done = None
        if done:
            messages.success(request, done)
            return redirect("accompaniment:case", case.pk)
        if which in INLINE_FORMS and bound.errors:
            # Small forms written into the page's rows: their messages go on top of the page.
            for field, problems in bound.errors.items():
                label = bound.fields[field].label if field in bound.fields else ""
                for problem in problems:
                    messages.error(request, f"{label}: {problem}" if label else str(problem))
    context = _page_context(request, case, which, bound)
    return render(request, "accompaniment/case.html", context, status=400 if request.method == "POST" else 200)


def _page_context(request: HttpRequest, case: Case, which: str, bound: forms.Form | None) -> dict[str, Any]:
    now = timezone.now()

    def form(name: str, **kwargs: Any) -> forms.Form:
        if bound is not None and which == name:
            return bound
        return FORMS[name](auto_id=f"id_{name}_%s", **kwargs)

    justice = JusticeRecord.objects.filter(case=case).select_related("police_unit").first()
    checklist = CareChecklist.objects.filter(case=case).first()
    items = list(CareItem.objects.filter(checklist=checklist).order_by("id")) if checklist else []
    appointments = list(Appointment.objects.filter(case=case).select_related("worker", "partner", "outcome_by")
                        .order_by("-starts_at", "-id"))
    restitutions = list(Restitution.objects.filter(case=case).order_by("-requested_on", "-id"))
    transfers = list(Transfer.objects.filter(case=case).select_related("partner", "letter").order_by("-prepared_at"))
    context = _case_context(request, case, "accompaniment")
    incident = actions.incident_time(case)
    context.update({
        "now": now,
        "appointments": appointments,
        "counselling": actions.counselling_sessions(case),
        "scheduled": AppointmentStatus.SCHEDULED,
        "checklist": checklist,
        "care_items": items,
        "pending": CareItemStatus.PENDING,
        "remaining": (checklist.deadline_at - now) if checklist and checklist.deadline_at > now else None,
        "checklist_offer": (case.has_sexual_violence and checklist is None and incident is not None
                            and case.reported_at - incident <= actions.post_rape_window()),
        "justice": justice,
        "steps": list(JusticeStep.objects.filter(case=case).select_related("accompanied_by").order_by("on", "id")),
        "hearings": [a for a in appointments if a.kind == "sidang"],
        "protections": list(Protection.objects.filter(case=case).select_related("issuer").order_by("granted_at")),
        "letters": list(OfficialLetter.objects.filter(case=case).select_related("partner").order_by("-created_at")),
        "lpsk": list(LpskApplication.objects.filter(case=case).select_related("partner", "letter")
                     .order_by("-prepared_at")),
        "lpsk_draft": LpskStatus.DRAFT,
        "restitutions": [{"r": r, "next": RESTITUTION_NEXT.get(r.status, ())} for r in restitutions],
        "transfers": transfers,
        "transfer_prepared": TransferStatus.PREPARED, "transfer_sent": TransferStatus.SENT,
        "incoming": IncomingTransfer.objects.filter(case=case).select_related("origin").first(),
        "recipients": SummaryRecipient.choices,
        "guardian_warning": content.guardian_is_perpetrator(case),
        "transferred": actions.transfer_refusal(case) is not None,
        "f": {name: form(name) for name in FORMS if name not in ("justice",)},
        "justice_form": form("justice", initial=_justice_initial(justice)),
    })
    return context


def _calendar(request: HttpRequest, appointments: Any, template: str, context: dict[str, Any]) -> HttpResponse:
    """A month of ``appointments`` (a queryset already limited to what the viewer may see) as a grid."""
    now = timezone.now()
    today = timezone.localdate(now)
    month, refused = monthgrid.month_from_query(request.GET, today)
    shown = list(monthgrid.in_month(appointments, month))
    grid = monthgrid.build(month, shown, today)
    upcoming = (appointments.filter(starts_at__gte=now, status=AppointmentStatus.SCHEDULED)
                .order_by("starts_at", "id").first())
    start, end = month.bounds()
    context.update({
        "grid": grid, "scheduled": AppointmentStatus.SCHEDULED, "now": now, "param": monthgrid.PARAM,
        "month_refused": refused,
        # An appointment on a colleague's case the viewer attends links to their page of that appointment, not
        # to the case, which stays closed to them.
        "open_cases": _visible_cases(request.user, {a.case_id for a in shown} | set(context.get("case_ids", ()))),
        "upcoming": upcoming if upcoming is not None and not start <= upcoming.starts_at < end else None,
        "upcoming_month": monthgrid.Month.of(timezone.localdate(upcoming.starts_at)) if upcoming else None,
    })
    return render(request, template, context, status=400 if refused else 200)


def _visible_cases(user: Any, case_ids: set[int]) -> set[int]:
    if not case_ids:
        return set()
    return set(Case.objects.visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True))


def _worker_calendar(request: HttpRequest, worker: Any) -> HttpResponse:
    mine = Appointment.objects.visible_to(request.user).filter(worker=worker)
    # Past appointments still without an outcome: the worker records them from the case (the attending worker
    # of a colleague's case from their page of the appointment).
    unrecorded = list(mine.filter(starts_at__lt=timezone.now(), status=AppointmentStatus.SCHEDULED)
                      .select_related("case").order_by("starts_at", "id")[:50])
    return _calendar(request, mine, "accompaniment/calendar.html", {
        "worker": worker,
        "own": worker.pk == request.user.pk,
        "unrecorded": unrecorded,
        "case_ids": {a.case_id for a in unrecorded},
        "workers": workers() if has_permission(request.user, Perm.VIEW_ALL_CASES) else [],
    })


@login_required
@require_GET
def my_calendar(request: HttpRequest) -> HttpResponse:
    """The signed-in worker's month of appointments."""
    if not has_permission(request.user, Perm.WORK_CASES):
        raise PermissionDenied
    return _worker_calendar(request, request.user)


@login_required
@require_GET
def worker_calendar(request: HttpRequest, user_pk: int) -> HttpResponse:
    """A worker's month: the worker themself or a manager; anyone else gets 404 (no one's calendar is probed)."""
    if not has_permission(request.user, Perm.WORK_CASES):
        raise PermissionDenied
    worker_pk = parse_id(user_pk)
    worker = User.objects.filter(pk=worker_pk).first() if worker_pk else None
    if worker is None or not monthgrid.can_see_worker(request.user, worker):
        raise Http404
    return _worker_calendar(request, worker)


@staff_case_view
@require_GET
def case_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's month of appointments, whoever attends: for everyone who sees the case."""
    case = _open_case_page(request, pk)
    context = _case_context(request, case, "accompaniment")
    return _calendar(request, Appointment.objects.filter(case=case), "accompaniment/case_calendar.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attended_appointment(request: HttpRequest, pk: int) -> HttpResponse:
    """The page of one appointment for the worker who attends it, also on a colleague's case: what they need
    to be there (time, kind, partner, place, who else comes, escort/transport) and the outcome form; never the
    case itself (victim, address, NIK, chronology). Anyone but the appointment's worker gets 404.

    The place and who else comes show only while the viewer may still record the outcome
    (``actions.outcome_refusal``); afterwards the page keeps what the calendar shows."""
    user = request.user
    if not has_permission(user, Perm.WORK_CASES):
        raise PermissionDenied
    appointment_pk = parse_id(pk)
    appointment = (Appointment.objects.attended_by(user).filter(pk=appointment_pk)
                   .select_related("case__assigned_to", "partner", "outcome_by").first()) if appointment_pk else None
    if appointment is None:
        raise Http404
    form = AttendedOutcomeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_outcome(appointment, by=user, status=form.cleaned_data["status"],
                                   note=form.cleaned_data["note"], request=request)
        except CaseActionError as error:
            _show_error(request, error, form)
        else:
            messages.success(request, _("Hasil jadwal dicatat."))
            return redirect("accompaniment:appointment", appointment.pk)
    if request.method == "GET":
        opened(appointment, request=request)
    refusal = actions.outcome_refusal(appointment, user)
    sees_case = Case.objects.visible_to(user).filter(pk=appointment.case_id).exists()
    return render(request, "accompaniment/appointment.html", {
        "a": appointment,
        "case": appointment.case,
        "sees_case": sees_case,
        "refusal": refusal,
        "may_record": refusal is None,
        "scheduled": AppointmentStatus.SCHEDULED,
        "form": form,
        "deadline": None if access.can_work(user, appointment.case) else actions.attendee_deadline(appointment),
    }, status=400 if request.method == "POST" else 200)


def todays_appointments(user: Any) -> list[Appointment]:
    """For a "today" page (issue 15): the user's appointments of the day."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return list(actions.appointments_for(user, start=start, end=start + datetime.timedelta(days=1)))


@staff_case_view
@require_GET
def letter_pdf(request: HttpRequest, letter_pk: int) -> HttpResponse:
    letter = OfficialLetter.objects.filter(pk=letter_pk).select_related("case").first()
    if letter is None:
        raise Http404
    access.get_case_for(request.user, letter.case_id)  # 404 unless the user sees the case
    record("accompaniment.letter_downloaded", actor=request.user, obj=letter, request=request)
    return _pdf(official.render_pdf(content.loads(letter.content)), f"surat-{letter.letter_type}-{letter.pk}.pdf")


@staff_case_view
@require_GET
def consent_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk)
    record("accompaniment.consent_form_downloaded", actor=request.user, obj=case, request=request)
    return _pdf(official.render_pdf(content.consent_form(case)), f"surat-persetujuan-{case.pk}.pdf")


@staff_case_view
@require_GET
def summary_pdf(request: HttpRequest, pk: int, recipient: str) -> HttpResponse:
    case = access.get_case_for(request.user, pk)
    if recipient not in SummaryRecipient.values:
        raise Http404
    record("accompaniment.case_summary_downloaded", actor=request.user, obj=case, request=request)
    return _pdf(official.render_pdf(content.case_summary(case, recipient)), f"resume-kasus-{case.pk}.pdf")


@login_required
@require_GET
def complaint_form_pdf(request: HttpRequest) -> HttpResponse:
    """The blank formulir pengaduan: for everyone who takes reports (staff and village volunteers)."""
    user = request.user
    if not any(has_permission(user, p) for p in (Perm.FILE_REPORT, Perm.SUBMIT_VILLAGE_REPORT, Perm.VIEW_REPORTS)):
        raise PermissionDenied
    record("accompaniment.complaint_form_downloaded", actor=user, object_type="form", object_id="pengaduan",
           request=request)
    return _pdf(official.render_pdf(content.complaint_form()), "formulir-pengaduan.pdf")


@login_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """Restitution, LPSK, protection and justice counts per year: numbers only, no case identifiers."""
    if not has_permission(request.user, Perm.VIEW_STATS):
        raise PermissionDenied
    try:
        year = int(request.GET.get("tahun") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    restitution = {row["status"]: row for row in Restitution.objects.filter(requested_on__year=year)
                   .values("status").annotate(n=Count("id"), ordered=Sum("ordered_amount"), paid=Sum("paid_amount"),
                                              compensated=Sum("compensation_amount"))}
    rows = [{"label": label, "n": restitution.get(value, {}).get("n", 0),
             "ordered": restitution.get(value, {}).get("ordered") or 0,
             "paid": restitution.get(value, {}).get("paid") or 0,
             "compensated": restitution.get(value, {}).get("compensated") or 0}
            for value, label in RestitutionStatus.choices]
    steps = dict(JusticeStep.objects.filter(on__year=year).values_list("stage").annotate(n=Count("id")))
    step_rows = [{"label": label, "n": steps.get(value, 0)} for value, label in JusticeStage.choices]
    lpsk = dict(LpskApplication.objects.filter(prepared_at__year=year).values_list("status")
                .annotate(n=Count("id")))
    lpsk_rows = [{"label": label, "n": lpsk.get(value, 0)} for value, label in LpskStatus.choices]
    sessions = Appointment.objects.filter(starts_at__year=year, status=AppointmentStatus.ATTENDED).aggregate(
        counselling=Count("id", filter=Q(kind__in=("psikolog", "konseling"))), hearings=Count(
            "id", filter=Q(kind="sidang")), all=Count("id"))
    return render(request, "accompaniment/statistics.html", {
        "year": year, "restitution": rows, "steps": step_rows, "lpsk": lpsk_rows, "sessions": sessions,
        "transfers": Transfer.objects.filter(sent_at__year=year).count(),
        "incoming": IncomingTransfer.objects.filter(received_on__year=year).count(),
    })

