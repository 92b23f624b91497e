"""Case screens. Each view parses, checks access, calls an action and responds.

Reading any page of a case is audited as an open of the case. Actions raise
``PermissionDenied`` (403) for who may not act and ``CaseActionError`` (shown
on the form, status 400) for what the case's state does not allow.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sigap.accounts.roles import Perm, has_permission
from sigap.cases import access, actions, letters, queries, rules, timeline
from sigap.cases.actions import CaseActionError
from sigap.cases.codes import (
    REFERRAL_NEXT,
    CaseStatus,
    ClosureStatus,
    PlanStatus,
    ReferralStatus,
    Stage,
    TaskKind,
)
from sigap.cases.forms import (
    AmendEventForm,
    AssessmentForm,
    AssignForm,
    AttachmentForm,
    ClosureForm,
    ContactForm,
    DecisionForm,
    MediationForm,
    NoteForm,
    OpenCaseForm,
    PlanGoalsForm,
    PlanItemForm,
    PoliceDutyForm,
    ReferralForm,
    ReferralStatusForm,
    ReopenForm,
    ServiceForm,
    ShelterEndForm,
    ShelterExtendForm,
    ShelterStartForm,
    StageForm,
)
from sigap.cases.models import (
    Assessment,
    Attachment,
    Case,
    CaseNote,
    CaseViolence,
    Closure,
    InterventionPlan,
    MediationSession,
    PlanItem,
    PoliceDutyDecision,
    Referral,
    ServiceRecord,
    ShelterStay,
    StageChange,
    Task,
)
from sigap.cases.uploads import MemoryOnlyUploadHandler
from sigap.intake.codes import ViolenceType
from sigap.intake.lookup_limit import audit_lookup, guard_lookup, limit_message
from sigap.intake.models import ChronologyEvent, Report, ReportLink
from sigap.lib.params import parse_id
from sigap.lib.timewords import due_words
from sigap.vault.audit import opened, record

View = Callable[..., HttpResponse]


def staff_case_view(view: View) -> View:
    """Signed in with a role that may see some case (worker, manager, operator)."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (has_permission(user, Perm.WORK_CASES) or has_permission(user, Perm.VIEW_REPORTS)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _show_error(request: HttpRequest, error: CaseActionError, form: forms.Form | None = None) -> None:
    if form is not None and error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    elif form is not None:
        form.add_error(None, error.message)
    else:
        messages.error(request, error.message)


def _case_context(request: HttpRequest, case: Case, section: str) -> dict[str, Any]:
    return {
        "case": case,
        "section": section,
        "can_work": access.can_work(request.user, case),
        "can_approve": access.can_approve(request.user),
        "can_assign": access.can_assign(request.user),
    }


def _open_case_page(request: HttpRequest, pk: Any) -> Case:
    case = access.get_case_for(request.user, pk)
    if request.method == "GET":
        opened(case, request=request)
    return case


def _back(case: Case, name: str = "cases:case_detail") -> HttpResponse:
    return redirect(name, case.pk)


# --- lists --------------------------------------------------------------------------------


@staff_case_view
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """Filters by GET; a lookup by phone number or NIK by POST, so the number is never in a URL."""
    filters = queries.parse_filters(request.GET)
    status = 200
    if request.method == "POST":
        queries.parse_identifier(request.POST, filters)
        kind = filters.identifier_lookup
        if filters.errors:
            status = 400
        elif kind and not guard_lookup(request.user, kind, request):
            filters.errors[kind] = limit_message()
            filters.phone = filters.nik = ""
            status = 429
    if status != 200:
        filters.phone = filters.nik = ""
    page = queries.case_page(request.user, filters)
    if filters.identifier_lookup:
        # Looking a person up by NIK or phone is itself sensitive: who searched and how many
        # matched is kept, never what; the lookup counts against the user's limit.
        audit_lookup("cases.identifier_lookup", request.user, filters.identifier_lookup, page.count, request)
    params = request.GET.copy()
    params.pop("after", None)
    return render(request, "cases/case_list.html", {
        "page": page,
        "filters": filters,
        "query": params.urlencode(),
        "stages": Stage.choices,
        "risks": [("tinggi", _("Tinggi")), ("sedang", _("Sedang")), ("rendah", _("Rendah"))],
        "violence_types": ViolenceType.choices,
        "kecamatan_choices": queries.kecamatan_choices(),
        "desa_choices": queries.desa_choices(filters.kecamatan),
        "workers": queries.workers() if has_permission(request.user, Perm.VIEW_ALL_CASES) else [],
        "can_open": access.can_open_cases(request.user),
    }, status=status)


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    if not has_permission(request.user, Perm.WORK_CASES):
        raise PermissionDenied
    now = timezone.now()
    user: Any = request.user
    tasks = list(actions.open_tasks_for(user)[:200])
    cases = list(
        Case.objects.visible_to(user).filter(status=CaseStatus.OPEN, assigned_to=user)
        .select_related("desa").order_by("next_due_at", "-opened_at")[:200]
    )
    context: dict[str, Any] = {"tasks": tasks, "cases": cases, "now": now}
    if access.can_approve(request.user):
        context["pending_plans"] = list(
            InterventionPlan.objects.visible_to(request.user).filter(status=PlanStatus.SUBMITTED)
            .select_related("case").order_by("submitted_at")[:100]
        )
        context["pending_closures"] = list(
            Closure.objects.visible_to(request.user).filter(status=ClosureStatus.SUBMITTED)
            .select_related("case").order_by("requested_at")[:100]
        )
        context["unassigned"] = list(
            Case.objects.visible_to(request.user).filter(status=CaseStatus.OPEN, assigned_to__isnull=True)
            .order_by("opened_at")[:100]
        )
    return render(request, "cases/my_work.html", context)


AWAITING_ROWS = 100


@login_required
@require_http_methods(["GET", "POST"])
def awaiting_reports(request: HttpRequest) -> HttpResponse:
    """Open reports without a case, what is due first; pick one, or several linked ones, and open a case."""
    if not access.can_open_cases(request.user):
        raise PermissionDenied
    awaiting = access.reports_awaiting_case(request.user).prefetch_related("violence")
    # What is due first; overdue on top.
    reports = list(awaiting.order_by("response_due_at", "id")[:AWAITING_ROWS])
    chosen_pk = parse_id(request.GET.get("pilih", ""))
    if chosen_pk is not None and chosen_pk not in {r.pk for r in reports}:
        # "Buka kasus" from a report page: that report is on the list even when others fill the page.
        reports += list(awaiting.filter(pk=chosen_pk))
    ids = [r.pk for r in reports]
    links: dict[int, list[str]] = {pk: [] for pk in ids}
    numbers = {r.pk: r.registration_number for r in reports}
    for a, b in ReportLink.objects.filter(report_id__in=ids, other_id__in=ids).values_list("report_id", "other_id"):
        links[a].append(numbers[b])
        links[b].append(numbers[a])
    form = OpenCaseForm(request.POST or None, report_ids=ids)
    if request.method == "POST" and form.is_valid():
        chosen = [r for r in reports if r.pk in set(form.cleaned_data["reports"])]
        try:
            case = actions.open_case(chosen, by=request.user, request=request)
        except CaseActionError as error:
            _show_error(request, error, form)
        else:
            messages.success(request, _("Kasus %(number)s dibuka.") % {"number": case.number})
            return _back(case)
    now = timezone.now()
    rows = [{"report": r, "links": links[r.pk], "due": due_words(r.response_due_at, now),
             "overdue": r.response_due_at < now} for r in reports]
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/awaiting_reports.html", {"rows": rows, "form": form}, status=status)


@login_required
@require_GET
def deidentified_list(request: HttpRequest) -> HttpResponse:
    """What a data officer may see of cases: no names, numbers or desa."""
    if not access.can_see_deidentified(request.user):
        raise PermissionDenied
    rows = list(access.deidentified_rows(request.user)[:200])
    return render(request, "cases/deidentified.html", {"rows": rows, "stages": dict(Stage.choices)})


# --- one case ------------------------------------------------------------------------------


def _chain(case: Case) -> list[dict[str, Any]]:
    steps = [
        (pgettext("case timeline date", "Laporan diterima"), case.reported_at),
        (_("Kontak pertama"), case.first_contact_at),
        (_("Asesmen"), case.assessed_at),
        (_("Layanan pertama"), case.first_service_at),
        (_("Penutupan"), case.closed_at),
    ]
    rows = []
    for label, at in steps:
        elapsed = at - case.reported_at if at is not None else None
        rows.append({"label": label, "at": at, "elapsed": elapsed})
    return rows


@staff_case_view
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _open_case_page(request, pk)
    reports = list(
        Report.objects.filter(case_link__case=case)
        .prefetch_related("victims", "victims__accommodations", "perpetrators")
        .order_by("received_at")
    )
    context = _case_context(request, case, "detail")
    options = actions.stage_options(case)
    context.update({
        "reports": reports,
        "violence": [v.get_violence_type_display() for v in CaseViolence.objects.filter(case=case)],
        "tasks": list(Task.objects.filter(case=case, done_at__isnull=True).select_related("assigned_to")),
        "stage_changes": list(StageChange.objects.filter(case=case).select_related("by")),
        "chain": _chain(case),
        "now": timezone.now(),
        # Two forms on one page: distinct element ids, same field names.
        "stage_form": StageForm(forward=options.forward, back=options.back, auto_id="id_stage_%s"),
        "stage_options": options,
        "contact_form": ContactForm(auto_id="id_contact_%s"),
        "pending_closure": Closure.objects.filter(case=case, status=ClosureStatus.SUBMITTED).first(),
        "plan": InterventionPlan.objects.filter(case=case).order_by("-version").first(),
        **_police_context(request, case),
    })
    return render(request, "cases/case_detail.html", context)


def _police_context(request: HttpRequest, case: Case, form: PoliceDutyForm | None = None) -> dict[str, Any]:
    """The police duty as the case page shows it: decisions, whether it is open, the manager's form."""
    if case.police_deadline_at is None:
        return {"police_decisions": [], "police_open": False}
    police_open = Task.objects.filter(case=case, kind=TaskKind.POLICE_REFERRAL, done_at__isnull=True).exists()
    return {
        "police_decisions": list(PoliceDutyDecision.objects.filter(case=case).select_related("decided_by")),
        "police_open": police_open,
        "police_form": (form or PoliceDutyForm(auto_id="id_police_%s")) if police_open else None,
    }


@staff_case_view
@require_POST
def close_police_duty(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager closes the police duty with a basis and a reason (UU TPKS Pasal 41)."""
    case = access.get_case_for(request.user, pk)
    if not access.can_approve(request.user):
        raise PermissionDenied
    form = PoliceDutyForm(request.POST)
    if form.is_valid():
        try:
            actions.close_police_duty(case, by=request.user, basis=form.cleaned_data["basis"],
                                      reason=form.cleaned_data["reason"], request=request)
        except CaseActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Kewajiban lapor ke polisi ditutup dengan keputusan manajer."))
    else:
        messages.error(request, _("Pilih dasar keputusan dan tuliskan alasannya."))
    return _back(case)


@staff_case_view
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_assign(request.user):
        raise PermissionDenied
    case = _open_case_page(request, pk)
    form = AssignForm(request.POST or None, initial={"worker": case.assigned_to_id})
    if request.method == "POST" and form.is_valid():
        try:
            actions.assign_case(case, form.cleaned_data["worker"], by=request.user, request=request)
        except CaseActionError as error:
            _show_error(request, error, form)
        else:
            messages.success(request, _("Kasus ditugaskan."))
            return _back(case)
    context = _case_context(request, case, "assign")
    context.update({"form": form, "loads": queries.worker_loads()})
    return render(request, "cases/assign.html", context, status=400 if request.method == "POST" else 200)


@staff_case_view
@require_POST
def move_stage(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk)
    options = actions.stage_options(case)
    form = StageForm(request.POST, forward=options.forward, back=options.back)
    if form.is_valid():
        try:
            actions.move_stage(case, form.cleaned_data["stage"], by=request.user, note=form.cleaned_data["note"],
                               request=request)
        except CaseActionError as error:
            _show_error(request, error)
        else:
            messages.success(request, _("Tahap kasus diperbarui."))
    else:
        messages.error(request, options.blocked or _("Pilih tahap yang sah."))
    return _back(case)


@staff_case_view
@require_POST
def record_contact(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            actions.record_case_contact(case, by=request.user, channel=form.cleaned_data["channel"],
                                        note=form.cleaned_data["note"], started_at=form.cleaned_data["started_at"],
                                        request=request)
        except CaseActionError as error:
            _show_error(request, error)
        else:
            messages.success(request, _("Kontak dicatat."))
    else:
        messages.error(request, _("Periksa isian kontak."))
    return _back(case)


@login_required
@require_POST
def complete_task(request: HttpRequest, task_pk: int) -> HttpResponse:
    task = Task.objects.visible_to(request.user).select_related("case").filter(pk=task_pk).first()
    if task is None:
        raise Http404
    try:
        actions.complete_task(task, by=request.user, request=request)
    except CaseActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Tugas ditandai selesai."))
    next_url = request.POST.get("next", "")
    if next_url == "my_work":
        return redirect("cases:my_work")
    return _back(task.case)


# --- assessment and plan --------------------------------------------------------------------


@staff_case_view
@require_http_methods(["GET", "POST"])
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    case = _open_case_page(request, pk)
    history = list(Assessment.objects.filter(case=case).select_related("by").order_by("-at"))
    latest = history[0] if history else None
    initial = {name: getattr(latest, name) or "" for name in actions.ASSESSMENT_FIELDS} if latest else {}
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_assessment(case, form.cleaned_data, by=request.user, request=request)
        except CaseActionError as error:
            _show_error(request, error, form)
        else:
            messages.success(request, _("Asesmen disimpan."))
            return _back(case, "cases:assessment")
    context = _case_context(request, case, "assessment")
    context.update({"form": form, "history": history, "fields": _assessment_labels(),
                    "blocker": actions.assessment_blocker(case)})
    return render(request, "cases/assessment.html", context, status=400 if request.method == "POST" else 200)


def _assessment_labels() -> list[tuple[str, str]]:
    form = AssessmentForm()
    return [(name, str(form.fields[name].label)) for name in actions.ASSESSMENT_FIELDS]


@staff_case_view
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    case = _open_case_page(request, pk)
    plans = list(
        InterventionPlan.objects.filter(case=case)
        .select_related("created_by", "decided_by")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.select_related("responsible_user",
                                                                                     "responsible_partner")))
        .order_by("-version")
    )
    current = plans[0] if plans else None
    goals_form = PlanGoalsForm(request.POST if request.POST.get("form") == "goals" else None,
                               initial={"goals": current.goals if current else ""})
    item_form = PlanItemForm(request.POST if request.POST.get("form") == "item" else None)
    decision_form = DecisionForm(request.POST if request.POST.get("form") == "decision" else None)
    if request.method == "POST":
        try:
            response = _plan_post(request, case, current, goals_form, item_form, decision_form)
        except CaseActionError as error:
            target = {"goals": goals_form, "item": item_form, "decision": decision_form}.get(
                request.POST.get("form", ""))
            _show_error(request, error, target)
            response = None
        if response is not None:
            return response
    context = _case_context(request, case, "plan")
    context.update({"plans": plans, "current": current, "goals_form": goals_form, "item_form": item_form,
                    "decision_form": decision_form, "blocker": actions.plan_blocker(case)})
    return render(request, "cases/plan.html", context, status=400 if request.method == "POST" else 200)


def _plan_post(request: HttpRequest, case: Case, current: InterventionPlan | None, goals_form: PlanGoalsForm,
               item_form: PlanItemForm, decision_form: DecisionForm) -> HttpResponse | None:
    which = request.POST.get("form")
    done = redirect("cases:plan", case.pk)
    if which == "goals" and goals_form.is_valid():
        actions.save_plan(case, by=request.user, goals=goals_form.cleaned_data["goals"], request=request)
        messages.success(request, _("Rencana disimpan."))
        return done
    if current is None:
        return None
    if which == "item" and item_form.is_valid():
        data = item_form.cleaned_data
        actions.add_plan_item(current, by=request.user, service=data["service"], due_date=data["due_date"],
                              simfoni_type=data["simfoni_type"], description=data["description"],
                              responsible_user=data["responsible_user"],
                              responsible_partner=data["responsible_partner"], request=request)
        messages.success(request, _("Layanan ditambahkan ke rencana."))
        return done
    if which == "remove_item":
        item = get_object_or_404(PlanItem, pk=_int(request.POST.get("item")), plan=current)
        actions.remove_plan_item(item, by=request.user, request=request)
        messages.success(request, _("Layanan dihapus dari rencana."))
        return done
    if which == "submit":
        actions.submit_plan(current, by=request.user, request=request)
        messages.success(request, _("Rencana diajukan kepada manajer kasus."))
        return done
    if which == "decision" and decision_form.is_valid():
        comment = decision_form.cleaned_data["comment"]
        if decision_form.cleaned_data["decision"] == "approve":
            actions.approve_plan(current, by=request.user, comment=comment, request=request)
            messages.success(request, _("Rencana disetujui."))
        else:
            actions.return_plan(current, by=request.user, comment=comment, request=request)
            messages.success(request, _("Rencana dikembalikan."))
        return done
    return None


def _int(value: Any) -> int:
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


# --- services and shelter --------------------------------------------------------------------


@staff_case_view
@require_http_methods(["GET", "POST"])
def services(request: HttpRequest, pk: int) -> HttpResponse:
    case = _open_case_page(request, pk)
    approved = InterventionPlan.objects.filter(case=case, status=PlanStatus.APPROVED).order_by("-version").first()
    plan_items = PlanItem.objects.filter(plan=approved) if approved else PlanItem.objects.none()
    which = request.POST.get("form")
    service_form = ServiceForm(request.POST if which == "service" else None, plan_items=plan_items)
    start_form = ShelterStartForm(request.POST if which == "shelter_start" else None)
    extend_form = ShelterExtendForm(request.POST if which == "shelter_extend" else None)
    end_form = ShelterEndForm(request.POST if which == "shelter_end" else None)
    open_stay = ShelterStay.objects.filter(case=case, checked_out_at__isnull=True).first()
    if request.method == "POST":
        forms_by_name = {"service": service_form, "shelter_start": start_form, "shelter_extend": extend_form,
                         "shelter_end": end_form}
        try:
            done = _services_post(request, case, which or "", forms_by_name, open_stay)
        except CaseActionError as error:
            _show_error(request, error, forms_by_name.get(which or ""))
            done = False
        if done:
            return redirect("cases:services", case.pk)
    context = _case_context(request, case, "services")
    context.update({
        "records": list(ServiceRecord.objects.filter(case=case)
                        .select_related("provider_user", "provider_partner")
                        .order_by("-delivered_on", "-delivered_at", "-id")),
        "stays": list(ShelterStay.objects.filter(case=case).select_related("place")
                      .prefetch_related("extensions__approved_by").order_by("-checked_in_at")),
        "open_stay": open_stay,
        "service_form": service_form, "start_form": start_form, "extend_form": extend_form, "end_form": end_form,
        "shelter_days": _shelter_days(),
    })
    return render(request, "cases/services.html", context, status=400 if request.method == "POST" else 200)


def _shelter_days() -> int:
    from django.conf import settings

    return int(settings.SIGAP_SHELTER_DAYS)


def _services_post(request: HttpRequest, case: Case, which: str, forms_by_name: dict[str, forms.Form],
                   open_stay: ShelterStay | None) -> bool:
    form = forms_by_name.get(which)
    if form is None or not form.is_valid():
        return False
    data = form.cleaned_data
    if which == "service":
        actions.record_service(case, by=request.user, service=data["service"], delivered_at=data["delivered_at"],
                               simfoni_type=data["simfoni_type"], provider_user=data["provider_user"],
                               provider_partner=data["provider_partner"], outcome=data["outcome"],
                               plan_item=data["plan_item"], request=request)
        messages.success(request, _("Layanan dicatat."))
        return True
    if which == "shelter_start":
        actions.start_shelter(case, by=request.user, checked_in_at=data["checked_in_at"], place=data["place"],
                              note=data["note"], request=request)
        messages.success(request, _("Korban tercatat masuk penampungan."))
        return True
    if open_stay is None:
        raise CaseActionError(_("Tidak ada masa penampungan yang sedang berjalan."))
    if which == "shelter_extend":
        actions.extend_shelter(open_stay, by=request.user, new_end_at=data["new_end_at"], reason=data["reason"],
                               request=request)
        messages.success(request, _("Masa penampungan diperpanjang."))
        return True
    actions.end_shelter(open_stay, by=request.user, checked_out_at=data["checked_out_at"], note=data["note"],
                        request=request)
    messages.success(request, _("Korban tercatat keluar dari penampungan."))
    return True


# --- referrals -------------------------------------------------------------------------------


def _status_choices(referral: Referral) -> list[tuple[str, Any]]:
    return [(s, ReferralStatus(s).label) for s in REFERRAL_NEXT.get(referral.status, ())]


@staff_case_view
@require_http_methods(["GET", "POST"])
def referrals(request: HttpRequest, pk: int) -> HttpResponse:
    case = _open_case_page(request, pk)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.send_referral(case, data["partner"], by=request.user, service=data["service"],
                                  consent=data["consent"], purpose=data["purpose"],
                                  override_reason=data["override_reason"], request=request)
        except CaseActionError as error:
            _show_error(request, error, form)
        else:
            messages.success(request, _("Rujukan dikirim."))
            return redirect("cases:referrals", case.pk)
    rows = list(Referral.objects.filter(case=case).select_related("partner", "sent_by").order_by("-sent_at"))
    context = _case_context(request, case, "referrals")
    context.update({
        "form": form,
        "intake_consent": actions.intake_consent(case),
        "rows": [{"referral": r, "status_form": ReferralStatusForm(choices=_status_choices(r), auto_id=f"id_r{r.pk}_%s")}
                 for r in rows],
    })
    return render(request, "cases/referrals.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def referral_status(request: HttpRequest, referral_pk: int) -> HttpResponse:
    referral = access.get_referral_for(request.user, referral_pk)
    form = ReferralStatusForm(request.POST, choices=_status_choices(referral))
    if form.is_valid():
        try:
            actions.update_referral(referral, form.cleaned_data["status"], by=request.user,
                                    note=form.cleaned_data["note"], request=request)
        except CaseActionError as error:
            _show_error(request, error)
        else:
            messages.success(request, _("Status rujukan diperbarui."))
    else:
        messages.error(request, _("Pilih status yang sah."))
    if access.is_partner_user(request.user):
        return redirect("cases:referral_detail", referral.pk)
    return redirect("cases:referrals", referral.case_id)


@login_required
@require_GET
def referral_letter(request: HttpRequest, referral_pk: int) -> HttpResponse:
    """The referral letter as a PDF, for the partner it was sent to and the staff of the case. Audited."""
    referral = access.get_referral_for(request.user, referral_pk)
    record("cases.referral_letter_downloaded", actor=request.user, obj=referral, request=request)
    body = letters.render_pdf(letters.loads(referral.letter))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="surat-rujukan-{referral.pk}.pdf"'
    return response


@login_required
@require_GET
def referral_inbox(request: HttpRequest) -> HttpResponse:
    """A partner's referrals: newest first, with status. Nothing of the case beyond the letter."""
    if not access.is_partner_user(request.user):
        raise PermissionDenied
    rows = list(Referral.objects.visible_to(request.user).select_related("partner")
                .only("pk", "status", "sent_at", "service", "partner__name").order_by("-sent_at", "-id")[:200])
    return render(request, "cases/referral_inbox.html", {"rows": rows})


@login_required
@require_GET
def referral_detail(request: HttpRequest, referral_pk: int) -> HttpResponse:
    if not access.is_partner_user(request.user):
        raise Http404
    referral = access.get_referral_for(request.user, referral_pk)
    record("cases.referral.open", actor=request.user, obj=referral, request=request)
    return render(request, "cases/referral_detail.html", {
        "referral": referral,
        "letter": letters.loads(referral.letter),
        "updates": list(referral.updates.select_related("by")),
        "status_form": ReferralStatusForm(choices=_status_choices(referral)),
    })


# --- mediation -------------------------------------------------------------------------------


@staff_case_view
@require_http_methods(["GET", "POST"])
def mediation(request: HttpRequest, pk: int) -> HttpResponse:
    case = _open_case_page(request, pk)
    refusal = actions.mediation_refusal(case)
    form = MediationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.record_mediation(case, by=request.user, held_at=data["held_at"], summary=data["summary"],
                                         agreement=data["agreement"], matters=data["matters"], request=request)
            except CaseActionError as error:
                _show_error(request, error, form)
            else:
                messages.success(request, _("Sesi mediasi dicatat."))
                return redirect("cases:mediation", case.pk)
    context = _case_context(request, case, "mediation")
    facts = rules.case_facts(case)
    context.update({"refusal": refusal, "form": form,
                    "diversion": rules.diversion_note() if facts.child_perpetrator and not refusal else "",
                    "sessions": list(MediationSession.objects.filter(case=case).select_related("recorded_by"))})
    return render(request, "cases/mediation.html", context, status=status)


# --- timeline and chronology ------------------------------------------------------------------


@staff_case_view
@require_GET
def case_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    case = _open_case_page(request, pk)
    context = _case_context(request, case, "timeline")
    context["entries"] = timeline.build(case, request.user)
    context["events"] = list(ChronologyEvent.objects.current().filter(report__case_link__case=case)
                             .select_related("desa").in_order())
    return render(request, "cases/timeline.html", context)


@staff_case_view
@require_http_methods(["GET", "POST"])
def amend_event(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    case = _open_case_page(request, pk)
    event = get_object_or_404(ChronologyEvent, pk=event_pk, report__case_link__case=case)
    if not event.is_current:
        raise Http404
    initial = {"when": timezone.localtime(event.when) if event.when else None, "date_unknown": event.when is None,
               "time_unknown": event.when is not None and not event.time_known, "place": event.place,
               "desa": event.desa_id, "description": event.description}
    form = AmendEventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.amend_event(event, by=request.user, when=None if data["date_unknown"] else data["when"],
                                time_known=not data["time_unknown"], place=data["place"],
                                desa_id=data["desa_code"], description=data["description"], request=request)
        except CaseActionError as error:
            _show_error(request, error, form)
        else:
            messages.success(request, _("Kejadian diubah; versi lama tetap tersimpan."))
            return redirect("cases:timeline", case.pk)
    context = _case_context(request, case, "timeline")
    context.update({"form": form, "event": event})
    return render(request, "cases/amend_event.html", context, status=400 if request.method == "POST" else 200)


# --- notes and documents --------------------------------------------------------------------


@staff_case_view
@require_GET
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    case = _open_case_page(request, pk)
    return _documents_page(request, case, NoteForm(), AttachmentForm())


def _documents_page(request: HttpRequest, case: Case, note_form: NoteForm, attachment_form: AttachmentForm,
                    status: int = 200) -> HttpResponse:
    from django.conf import settings

    context = _case_context(request, case, "documents")
    context.update({
        "notes": list(CaseNote.objects.filter(case=case).select_related("by").order_by("-at")),
        "attachments": list(Attachment.objects.filter(case=case).select_related("uploaded_by").order_by("-uploaded_at")),
        "note_form": note_form, "attachment_form": attachment_form,
        "max_mb": settings.SIGAP_ATTACHMENT_MAX_MB,
    })
    return render(request, "cases/documents.html", context, status=status)


@staff_case_view
@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            actions.add_note(case, by=request.user, body=form.cleaned_data["body"], request=request)
        except CaseActionError as error:
            _show_error(request, error, form)
        else:
            messages.success(request, _("Catatan disimpan."))
            return redirect("cases:documents", case.pk)
    return _documents_page(request, case, form, AttachmentForm(), status=400)


@csrf_exempt
def add_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    # Upload handlers must be set before anything reads the body, so the CSRF
    # check (which reads it) runs inside, after they are in place.
    request.upload_handlers = [MemoryOnlyUploadHandler(request)]
    return _add_attachment(request, pk)


@csrf_protect
@staff_case_view
@require_POST
def _add_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if getattr(request, "attachment_too_large", False):
        from django.conf import settings

        form.add_error(None, _("Berkas terlalu besar. Batasnya %(mb)s MB.") % {"mb": settings.SIGAP_ATTACHMENT_MAX_MB})
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            actions.add_attachment(case, by=request.user, kind=form.cleaned_data["kind"], name=upload.name or "",
                                   content=upload.read(), request=request)
        except CaseActionError as error:
            _show_error(request, error, form)
        else:
            messages.success(request, _("Lampiran disimpan terenkripsi."))
            return redirect("cases:documents", case.pk)
    return _documents_page(request, case, NoteForm(), form, status=400)


@staff_case_view
@require_GET
def download_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk)
    if not Attachment.objects.filter(pk=attachment_pk, case=case).exists():
        raise Http404
    attachment = actions.open_attachment(attachment_pk, case, by=request.user, request=request)
    response = HttpResponse(attachment.content, content_type=attachment.content_type)
    # A neutral file name: the original one may name the victim.
    response["Content-Disposition"] = f'attachment; filename="lampiran-{attachment.pk}.{attachment.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- closure ---------------------------------------------------------------------------------


def _open_work_rows(request: HttpRequest, case: Case) -> list[dict[str, Any]]:
    """The open tasks and referrals shown when a closure is asked for or decided, with what was posted."""
    tasks, referrals = actions.open_work(case)
    rows: list[dict[str, Any]] = []
    done, cancel = (actions.DONE, _("Selesai")), (actions.CANCEL, _("Batalkan"))
    for task in tasks:
        key = f"task-{task.pk}"
        rows.append({"key": key, "kind": _("Tugas"), "label": task.get_kind_display(), "at": task.due_at,
                     "choices": [done, cancel], "decision": request.POST.get(f"decision-{key}", ""),
                     "reason": request.POST.get(f"reason-{key}", "")})
    for referral in referrals:
        key = f"referral-{referral.pk}"
        waiting = referral.status == ReferralStatus.SENT
        rows.append({"key": key, "kind": _("Rujukan belum dijawab") if waiting else _("Rujukan berjalan"),
                     "label": referral.partner.name, "at": referral.sent_at,
                     "choices": [cancel] if waiting else [done, cancel],
                     "decision": request.POST.get(f"decision-{key}", ""),
                     "reason": request.POST.get(f"reason-{key}", "")})
    return rows


def _open_work_decisions(request: HttpRequest, case: Case) -> dict[str, tuple[str, str]]:
    return {row["key"]: (row["decision"], row["reason"][:2000]) for row in _open_work_rows(request, case)}



@staff_case_view
@require_http_methods(["GET", "POST"])
def closure(request: HttpRequest, pk: int) -> HttpResponse:
    case = _open_case_page(request, pk)
    which = request.POST.get("form")
    pending = Closure.objects.filter(case=case, status=ClosureStatus.SUBMITTED).first()
    close_form = ClosureForm(request.POST if which == "close" else None)
    decision_form = DecisionForm(request.POST if which == "decision" else None)
    reopen_form = ReopenForm(request.POST if which == "reopen" else None)
    if request.method == "POST":
        try:
            if which == "close" and close_form.is_valid():
                actions.close_case(case, by=request.user, outcome=close_form.cleaned_data["outcome"],
                                   reason=close_form.cleaned_data["reason"], request=request)
                messages.success(request, _("Penutupan diajukan kepada manajer kasus."))
                return redirect("cases:closure", case.pk)
            if which == "decision" and pending is not None and decision_form.is_valid():
                comment = decision_form.cleaned_data["comment"]
                if decision_form.cleaned_data["decision"] == "approve":
                    actions.approve_closure(pending, by=request.user, comment=comment, request=request,
                                            decisions=_open_work_decisions(request, case))
                    messages.success(request, _("Kasus ditutup."))
                else:
                    actions.return_closure(pending, by=request.user, comment=comment, request=request)
                    messages.success(request, _("Pengajuan penutupan dikembalikan."))
                return redirect("cases:closure", case.pk)
            if which == "reopen" and reopen_form.is_valid():
                actions.reopen_case(case, by=request.user, reason=reopen_form.cleaned_data["reason"],
                                    stage=reopen_form.cleaned_data["stage"], request=request)
                messages.success(request, _("Kasus dibuka kembali."))
                return _back(case)
        except CaseActionError as error:
            target = {"close": close_form, "decision": decision_form, "reopen": reopen_form}.get(which or "")
            _show_error(request, error, target)
    context = _case_context(request, case, "closure")
    context.update({
        "open_work": _open_work_rows(request, case) if case.is_open else [],
        "pending": pending,
        "closures": list(Closure.objects.filter(case=case).select_related("requested_by", "decided_by")
                         .order_by("-requested_at")),
        "close_form": close_form, "decision_form": decision_form, "reopen_form": reopen_form,
    })
    return render(request, "cases/closure.html", context, status=400 if request.method == "POST" else 200)


# --- reports into the case, merging cases --------------------------------------------------------


class _AddReportForm(forms.Form):
    registration_number = forms.CharField(label=_("Nomor registrasi laporan"), max_length=20,
                                          widget=forms.TextInput(attrs={"placeholder": "1811-TTTT-NNNNNN"}))


class _MergeForm(forms.Form):
    other = forms.CharField(label=_("Nomor kasus yang digabungkan ke kasus ini"), max_length=24,
                            widget=forms.TextInput(attrs={"placeholder": "1811-TTTT-KNNNNN"}))
    reason = forms.CharField(label=_("Alasan menggabungkan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


@staff_case_view
@require_http_methods(["GET", "POST"])
def case_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a report about the same victim to this open case (manager or assigned worker); merge (manager)."""
    case = _open_case_page(request, pk)
    if not access.can_work(request.user, case):
        raise PermissionDenied
    which = request.POST.get("form")
    add_form = _AddReportForm(request.POST if which == "add" else None)
    merge_form = _MergeForm(request.POST if which == "merge" else None)
    if request.method == "POST":
        try:
            if which == "add_candidate" or (which == "add" and add_form.is_valid()):
                if which == "add_candidate":
                    report = Report.objects.filter(pk=_int_or_zero(request.POST.get("report"))).first()
                else:
                    number = add_form.cleaned_data["registration_number"].strip().upper()
                    report = Report.objects.visible_to(request.user).filter(registration_number=number).first()
                if report is None:
                    raise CaseActionError(_("Laporan dengan nomor itu tidak ditemukan."), "registration_number")
                actions.add_report_to_case(case, report, by=request.user, request=request)
                messages.success(request, _("Laporan %(number)s ditambahkan ke kasus ini.")
                                 % {"number": report.registration_number})
                return redirect("cases:case_reports", case.pk)
            if which == "merge" and merge_form.is_valid():
                if not access.can_assign(request.user):
                    raise PermissionDenied
                number = merge_form.cleaned_data["other"].strip().upper()
                other = Case.objects.visible_to(request.user).filter(number=number).first()
                if other is None:
                    raise CaseActionError(_("Kasus dengan nomor itu tidak ditemukan."), "other")
                actions.merge_cases(case, other, by=request.user, reason=merge_form.cleaned_data["reason"],
                                    request=request)
                messages.success(request, _("Kasus %(other)s digabung ke kasus ini.") % {"other": other.number})
                return redirect("cases:case_reports", case.pk)
        except CaseActionError as error:
            _show_error(request, error, merge_form if which == "merge" else add_form)
    context = _case_context(request, case, "reports")
    context.update({
        "reports": list(Report.objects.filter(case_link__case=case).order_by("received_at")),
        "candidates": actions.report_candidates(case) if case.is_open else [],
        "add_form": add_form, "merge_form": merge_form, "can_merge": access.can_assign(request.user),
        "merged": list(Case.objects.filter(merged_into=case).order_by("number")),
    })
    return render(request, "cases/case_reports.html", context, status=400 if request.method == "POST" else 200)


def _int_or_zero(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 18 else 0
