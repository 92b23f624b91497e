"""Staff report screens: the report form, the list, the detail with risk override and links."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sigap.accounts.roles import Perm
from sigap.accounts.views import permission_required
from sigap.intake import access
from sigap.intake.actions import (
    add_note,
    decide_authority,
    link_reports,
    may_add_note,
    open_report,
    override_risk,
)
from sigap.intake.amend import AlreadyChosen, confirm_ampk_groups, may_amend
from sigap.intake.authority import reason as authority_reason
from sigap.intake.authority import suggestion_for
from sigap.intake.codes import Authority, Channel, ReportStatus, Risk
from sigap.intake.forms import (
    STAFF,
    AuthorityForm,
    FirstContactForm,
    LinkForm,
    LookupForm,
    NoteForm,
    ReportEntry,
    RiskOverrideForm,
)
from sigap.intake.lookup import find_reports
from sigap.intake.lookup_limit import limit_message
from sigap.intake.models import Report, ReportLink, Victim, open_case_link, report_page_context
from sigap.intake.prefill import attachable_contact, prefill_for
from sigap.intake.queries import contacts_since_filing, find_duplicates
from sigap.intake.triage import reason_labels
from sigap.intake.validation import ReportInvalid
from sigap.intake.views.amend import ampk_confirmable, history_rows
from sigap.intake.views.common import (
    deadline_page,
    issue_form_token,
    public_status_label,
    query_without,
    risk_context,
    submit_entry,
)
from sigap.intake.views.identity import reporter_display, reveal_for, revealed_rows, victim_rows
from sigap.lib.params import parse_id
from sigap.lib.timewords import due_words
from sigap.regions.models import Region
from sigap.vault.reveal import RevealOutcome


def duplicate_reason_labels(codes: list[str]) -> list[str]:
    labels = {
        "victim_nik": _("NIK korban sama"),
        "reporter_phone": _("Nomor telepon pelapor sama"),
        "victim_name_desa_birth": _("Nama, desa dan tanggal lahir korban sama"),
    }
    return [str(labels.get(code, code)) for code in codes]


def _cases_of(report_ids: list[int], user: Any) -> dict[int, Any]:
    """report id -> the case it belongs to, for the cases ``user`` may open (none without the cases app)."""
    from django.apps import apps

    if not report_ids or not apps.is_installed("sigap.cases"):
        return {}
    case_model = apps.get_model("cases", "Case")
    link_model = apps.get_model("cases", "CaseReport")
    visible = case_model.objects.visible_to(user).values("pk")
    return {
        link.report_id: link.case
        for link in link_model.objects.filter(report_id__in=report_ids, case__in=visible).select_related("case")
    }


def _duplicates(report: Report, user: Any) -> list[dict[str, Any]]:
    candidates = find_duplicates(report, user)
    cases = _cases_of([c.report.pk for c in candidates], user)
    return [
        {
            "report": candidate.report,
            "reasons": duplicate_reason_labels(candidate.reasons),
            "already_linked": candidate.already_linked,
            "closed": candidate.closed,
            "returning_victim": candidate.returning_victim,
            "case": cases.get(candidate.report.pk),
            "form": LinkForm(initial={"other": candidate.report.pk}, auto_id=f"id_link{candidate.report.pk}_%s"),
        }
        for candidate in candidates
    ]


# --- the report form --------------------------------------------------------------------


@permission_required(Perm.FILE_REPORT)
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        add = request.POST.get("add") or None
        entry = ReportEntry(request.POST, mode=STAFF, add=add)
        contact = attachable_contact(request.POST.get("contact"), user)
        token = request.POST.get("form_token", "")
        if add is None:
            outcome = submit_entry(request, entry, by=user, contact=contact, token=token)
            if outcome.submitted is not None:
                report = outcome.submitted.report
                return render(
                    request,
                    "intake/report_submitted.html",
                    {
                        "submitted": outcome.submitted,
                        "report": report,
                        "duplicates": _duplicates(report, user),
                        "may_link": access.can_manage_reports(user),
                        **risk_context(report),
                    },
                )
            if "form_token" in outcome.problems:
                token = issue_form_token()
        status = 400 if add is None else 200
        return _render_form(request, entry, contact=contact, token=token or issue_form_token(), status=status)

    prefill = prefill_for(request.GET, user)
    entry = ReportEntry(mode=STAFF, initial=prefill.initial())
    return _render_form(request, entry, contact=prefill.contact, token=issue_form_token())


def _render_form(request: HttpRequest, entry: ReportEntry, *, contact: Any, token: str,
                 status: int = 200) -> HttpResponse:
    return render(
        request,
        "intake/report_form.html",
        {"entry": entry, "contact": contact, "form_token": token, "mode": STAFF},
        status=status,
    )


# --- the list -----------------------------------------------------------------------------


def _kecamatan_choices() -> list[tuple[str, str]]:
    return list(Region.objects.in_deployment().kecamatan().order_by("code").values_list("code", "name"))


def _valid(value: str | None, allowed: Any) -> str:
    return value if value and value in allowed else ""


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    """Reports the user may see (``Report.objects.visible_to``) in deadline order, with filters and lookup."""
    if not access.can_list_reports(request.user):
        raise PermissionDenied
    kecamatan = _kecamatan_choices()
    params = request.GET
    filters = {
        "status": _valid(params.get("status"), ReportStatus.values),
        "risk": _valid(params.get("risk"), Risk.values),
        "kecamatan": _valid(params.get("kecamatan"), {code for code, _name in kecamatan}),
        "channel": _valid(params.get("channel"), Channel.values),
        "nomor": (params.get("nomor") or "").strip().upper()[:20],
    }
    reports = Report.objects.visible_to(request.user)
    if filters["status"]:
        reports = reports.filter(status=filters["status"])
    if filters["risk"]:
        reports = reports.filter(risk=filters["risk"])
    if filters["kecamatan"]:
        reports = reports.filter(kecamatan_code=filters["kecamatan"])
    if filters["channel"]:
        reports = reports.filter(channel=filters["channel"])
    if filters["nomor"]:
        reports = reports.filter(registration_number=filters["nomor"])

    lookup_form = LookupForm(request.POST or None, initial={"kind": "phone"})
    looked_up: list[Report] | None = None
    lookup_problem = ""
    status = 200
    if request.method == "POST":
        if lookup_form.is_valid():
            looked_up = find_reports(
                lookup_form.cleaned_data["kind"], lookup_form.cleaned_data["value"], request.user, request
            )
            # The typed number is not shown again.
            lookup_form = LookupForm(initial={"kind": lookup_form.cleaned_data["kind"]})
            if looked_up is None:
                lookup_problem = limit_message()
                status = 429
        else:
            status = 400

    # Reports awaiting a response come first by deadline (overdue on top), then the rest newest first.
    page = deadline_page(reports, params, awaiting=Q(status=ReportStatus.DITERIMA))
    kecamatan_names = dict(kecamatan)
    rows = looked_up if looked_up is not None else page.rows
    now = timezone.now()
    for row in rows:
        row.kecamatan_name = kecamatan_names.get(row.kecamatan_code, row.kecamatan_code)  # type: ignore[union-attr]
        awaiting = row.status == ReportStatus.DITERIMA
        row.due_words = due_words(row.response_due_at, now) if awaiting else ""  # type: ignore[union-attr]
        row.overdue = awaiting and row.response_due_at < now  # type: ignore[union-attr]
    return render(
        request,
        "intake/report_list.html",
        {
            "page": page,
            "rows": rows,
            "looked_up": looked_up is not None,
            "filters": filters,
            "filtered": any(filters.values()),
            "kecamatan_choices": kecamatan,
            "status_choices": ReportStatus.choices,
            "risk_choices": Risk.choices,
            "channel_choices": Channel.choices,
            "lookup_form": lookup_form,
            "lookup_problem": lookup_problem,
            "base_query": query_without(params, "after", "before"),
        },
        status=status,
    )


# --- the detail -----------------------------------------------------------------------------


MAX_ID = 2**62  # beyond any real id, and within every database's integer range


def _pk(pk: int) -> int:
    if not 0 < pk < MAX_ID:
        raise Http404
    return pk


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The audited detail. A POST is the vault's reveal form, answered on this page only."""
    report = open_report(request.user, _pk(pk), request)
    if access.report_access_level(request.user) != access.FULL:
        if request.method == "POST":
            raise PermissionDenied
        return _render_detail(request, report)
    reveal = reveal_for(request, report)
    return _render_detail(request, report, reveal=reveal, status=reveal.status if reveal else 200)


def _render_detail(request: HttpRequest, report: Report, *, override_form: RiskOverrideForm | None = None,
                   authority_form: AuthorityForm | None = None,
                   link_forms: dict[int, LinkForm] | None = None, reveal: RevealOutcome | None = None,
                   note_form: NoteForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    level = access.report_access_level(user)
    written = list(report.notes.select_related("by"))
    if level == access.COARSE:
        # A volunteer sees only the notes they wrote themselves.
        written = [n for n in written if n.by_id == user.pk]
    notes: dict[str, Any] = {
        "note_form": (note_form or NoteForm()) if may_add_note(user, report) else None,
        "notes": written,
    }
    if level == access.COARSE:
        return render(
            request,
            "intake/report_detail_coarse.html",
            {"report": report, "public_status": public_status_label(report), "hotline": settings.SIGAP_HOTLINE,
             **notes},
            status=status,
        )
    may_manage = access.can_manage_reports(user)
    duplicates = _duplicates(report, user)
    for item in duplicates:
        bound = (link_forms or {}).get(item["report"].pk)
        if bound is not None:
            item["form"] = bound
    victims = list(report.victims.select_related("desa")
                   .prefetch_related("ampk_groups", "disability_types", "accommodations").all())
    amending = may_amend(user, report)
    victim_info, safe_reveal, reveal_status = victim_rows(request, report, victims)
    history, history_status = history_rows(request, report,
                                           list(report.amendments.select_related("by").order_by("at", "id")))
    status = max(status, reveal_status, history_status)
    # Linked reports the user may not open are left out: not even their numbers show.
    visible = Report.objects.visible_to(user).values("pk")
    links = [
        {"other": link.other, "link": link}
        for link in ReportLink.objects.filter(report=report, other__in=visible).select_related("other", "linked_by")
    ] + [
        {"other": link.report, "link": link}
        for link in ReportLink.objects.filter(other=report, report__in=visible).select_related("report", "linked_by")
    ]
    context = {
        "report": report,
        "victims": victims,
        "victim_rows": victim_info,
        "safe_reveal": safe_reveal,
        "victim_full": access.sees_victim_details(user, report),
        "perpetrators": list(report.perpetrators.all()),
        "events": list(report.events.current().select_related("desa").in_order()),
        "violence": [v.get_violence_type_display() for v in report.violence.all()],
        "sexual_forms": [f.get_form_display() for f in report.sexual_forms.all()],
        "overrides": [
            {"override": o, "from_label": Risk(o.from_risk).label, "to_label": Risk(o.to_risk).label}
            for o in report.risk_overrides.select_related("by").all()
        ],
        "computed_reasons": reason_labels(list(report.risk_reasons or [])),
        "contacts": list(report.contacts.order_by("started_at")),
        "duplicates": duplicates,
        "links": links,
        "may_manage": may_manage,
        "override_form": override_form or RiskOverrideForm(initial={"risk": report.risk}),
        "authority_form": authority_form or AuthorityForm(
            initial={"authority": report.authority} if report.authority != Authority.UNDECIDED else None
        ),
        **_authority_context(report, may_manage),
        "reporter": reporter_display(report, user),
        # Only the detail URL itself answers the reveal form (it posts to the page it is on).
        "reveal": reveal,
        "revealed": revealed_rows(reveal),
        "public_status": public_status_label(report),
        "open_case_url": open_case_link(user, report),
        "may_amend": amending,
        "ampk_confirmable": ampk_confirmable(victims) if amending else set(),
        "amendments": history,
        "amendments_open": history_status != 200 or any(row["reveal"] and row["reveal"].shown for row in history),
        "first_contact": contacts_since_filing(report).select_related("operator").order_by("created_at").first(),
        "first_contact_form": _first_contact_form(user, report),
        **report_page_context(user, report),
        **notes,
        **risk_context(report),
    }
    return render(request, "intake/report_detail.html", context, status=status)


def _first_contact_form(user: Any, report: Report) -> Any:
    """"Kontak pertama dilakukan" on a report with no case yet, posted to the alerts app (which ends the
    report's escalation chain); None when that app is not installed or the user does not answer the hotline."""
    from django.apps import apps

    if report.status != ReportStatus.DITERIMA or not access.can_record_contact(user):
        return None
    if not apps.is_installed("sigap.alerts"):
        return None
    return FirstContactForm()


def _authority_context(report: Report, may_manage: bool) -> dict[str, Any]:
    """SIGAP's suggested kewenangan with its reason, and staff's decisions (for those who may decide)."""
    if not may_manage:
        return {}
    suggestion = suggestion_for(report)
    return {
        "authority_suggestion": suggestion,
        "authority_suggestion_label": Authority(suggestion.authority).label,
        "authority_reason": authority_reason(suggestion),
        "authority_decisions": list(report.authority_decisions.select_related("by", "transfer_to")),
    }


def _staff_decision(request: HttpRequest, pk: int, form: forms.Form, decide: Any, done: str,
                    form_key: str) -> HttpResponse:
    """A decision staff take on the report page (risk, kewenangan): the action's messages beside the fields,
    the page again with status 400 when refused."""
    if not access.can_manage_reports(request.user):
        raise PermissionDenied
    report = access.get_report_for(request.user, _pk(pk))
    if form.is_valid():
        try:
            decide(report, form.cleaned_data)
        except ReportInvalid as error:
            for field, message in error.fields.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, done)
            return redirect("intake:report_detail", pk=report.pk)
    report = open_report(request.user, pk, request)
    forms_kwargs: dict[str, Any] = {form_key: form}
    return _render_detail(request, report, status=400, **forms_kwargs)


@login_required
@require_POST
def report_override_risk(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_decision(
        request, pk, RiskOverrideForm(request.POST),
        lambda report, data: override_risk(report, data["risk"], by=request.user, reason=data["reason"],
                                           request=request),
        _("Risiko diubah dan batas waktu respons dihitung ulang."), "override_form",
    )


@login_required
@require_POST
def report_authority(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_decision(
        request, pk, AuthorityForm(request.POST),
        lambda report, data: decide_authority(report, data["authority"], by=request.user, reason=data["reason"],
                                              transfer_to=data["transfer_to"], request=request),
        _("Kewenangan disimpan."), "authority_form",
    )


@login_required
@require_POST
def report_link(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_manage_reports(request.user):
        raise PermissionDenied
    report = access.get_report_for(request.user, _pk(pk))
    other_id = request.POST.get("other", "")
    other_pk = parse_id(other_id)
    form = LinkForm(request.POST, auto_id=f"id_link{other_pk}_%s" if other_pk else "id_%s")
    if form.is_valid():
        other = access.get_report_for(request.user, form.cleaned_data["other"])
        try:
            link_reports(report, other, by=request.user, reason=form.cleaned_data["reason"], request=request)
        except ReportInvalid as error:
            form.add_error(None, next(iter(error.fields.values())))
        else:
            messages.success(request, _("Laporan %(number)s ditautkan sebagai kemungkinan laporan yang sama.")
                             % {"number": other.registration_number})
            return redirect("intake:report_detail", pk=report.pk)
    report = open_report(request.user, pk, request)
    forms = {other_pk: form} if other_pk else {}
    return _render_detail(request, report, link_forms=forms, status=400)


@login_required
@require_POST
def report_note(request: HttpRequest, pk: int) -> HttpResponse:
    """The submitter adds a note to their filed report (a volunteer may not amend it)."""
    report = access.get_report_for(request.user, _pk(pk))
    if not may_add_note(request.user, report):
        raise PermissionDenied
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            add_note(report, form.cleaned_data["text"], by=request.user, request=request)
        except ReportInvalid as error:
            form.add_error("text", error.fields.get("text", error.message))
        else:
            messages.success(request, _("Catatan ditambahkan ke laporan."))
            return redirect("intake:report_detail", pk=report.pk)
    return _render_detail(request, report, note_form=form, status=400)


@login_required
@require_POST
def report_confirm_ampk(request: HttpRequest, pk: int) -> HttpResponse:
    """"Konfirmasi kelompok AMPK": whoever may amend the report takes a child victim's suggested groups as chosen.

    The victim's id travels in the body; one that is not a positive id is a 400, one of another report a 404.
    """
    report = access.get_report_for(request.user, _pk(pk))
    if not may_amend(request.user, report):
        raise PermissionDenied
    victim_id = parse_id(request.POST.get("victim", ""))
    if victim_id is None:
        problem = _("Korban tidak dikenal.")
    else:
        victim = Victim.objects.filter(report=report, pk=victim_id).first()
        if victim is None:
            raise Http404
        try:
            confirm_ampk_groups(report, victim, by=request.user, request=request)
        except AlreadyChosen:  # a second click, or a colleague first: nothing to do, said plainly
            messages.info(request, _("Kelompok AMPK korban %(n)d sudah pilihan petugas.") % {"n": victim.position + 1})
            return redirect("intake:report_detail", pk=report.pk)
        except ReportInvalid as error:
            problem = error.message
        else:
            messages.success(request, _("Kelompok AMPK korban %(n)d dikonfirmasi sebagai pilihan petugas.")
                             % {"n": victim.position + 1})
            return redirect("intake:report_detail", pk=report.pk)
    messages.error(request, problem)
    return _render_detail(request, open_report(request.user, report.pk, request), status=400)
