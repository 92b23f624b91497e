"""Kontak baru: recording a call, chat or visit while it happens."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from sigap.accounts.models import User
from sigap.accounts.roles import Perm
from sigap.accounts.views import permission_required
from sigap.intake import access
from sigap.intake.actions import record_contact
from sigap.intake.codes import Channel, ContactOutcome, HeardFrom
from sigap.intake.forms import CallerCheckForm, ContactForm, kecamatan_choices
from sigap.intake.lookup_limit import audit_lookup, guard_lookup, limit_message
from sigap.intake.models import Contact, Report
from sigap.intake.queries import CallerHistory, caller_history
from sigap.intake.validation import ContactInput, ReportInvalid
from sigap.intake.views.common import keyset_page, query_without
from sigap.lib.pydantic_errors import fields_from_errors
from sigap.vault.blind import NotNormalisable, normalise_phone


def _history(request: HttpRequest, phone: str) -> tuple[CallerHistory | None, str, int]:
    """The caller summary for a typed number, or (None, why not, status).

    Limited per user and audited like every identifier lookup (``lookup_limit``).
    """
    phone = (phone or "").strip()
    if not phone:
        return None, _("Ketik nomor penelepon dulu."), 200
    try:
        normalise_phone(phone)
    except NotNormalisable:
        return None, _("Nomor telepon tidak sah."), 200
    if not guard_lookup(request.user, "phone", request):
        return None, limit_message(), 429
    history = caller_history(phone, request.user)
    audit_lookup("intake.contact.caller_check", request.user, "phone",
                 len(history.registration_numbers) + history.contact_count, request)
    return history, "", 200


def _summary_html(request: HttpRequest, history: CallerHistory | None, problem: str) -> str:
    return render_to_string(
        "intake/_caller_summary.html", {"history": history, "problem": problem, "checked": True}, request=request
    )


@permission_required(Perm.RECORD_CONTACT)
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    # Bound on every POST, even an empty one (``request.POST or None`` would leave it unbound).
    form = ContactForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        form.is_valid()  # lenient fields: always valid; validation.py judges below
        if request.POST.get("action") == "check":
            # Without JavaScript, "Cek nomor" re-renders the form with the caller's history.
            history, problem, status = _history(request, form.cleaned_data.get("caller_phone", ""))
            context.update(history=history, problem=problem, checked=True)
            return render(request, "intake/contact_form.html", context, status=status)
        payload = form.payload()
        if not form.errors:
            try:
                data = ContactInput.model_validate(payload)
                contact = record_contact(data, by=request.user, request=request)
            except ValidationError as error:
                form.apply_errors(fields_from_errors(error.errors()))
            except ReportInvalid as error:
                form.apply_errors(error.fields)
            else:
                if contact.outcome == ContactOutcome.NEW_REPORT:
                    messages.success(request, _("Kontak dicatat. Lanjutkan dengan laporan."))
                    return redirect(reverse("intake:report_new") + f"?contact={contact.pk}")
                messages.success(request, _("Kontak dicatat."))
                return redirect("intake:contact_new")
        status = 400
    return render(request, "intake/contact_form.html", context, status=status)


@permission_required(Perm.RECORD_CONTACT)
@require_POST
def caller_check(request: HttpRequest) -> JsonResponse:
    """The caller summary as JSON, for the contact screen's script. The number is POSTed, never in a URL."""
    form = CallerCheckForm(request.POST)
    form.is_valid()
    history, problem, status = _history(request, form.cleaned_data.get("caller_phone", ""))
    body: dict[str, Any] = {"ok": history is not None, "html": _summary_html(request, history, problem)}
    if history is not None:
        body.update(
            known=history.known,
            contact_count=history.contact_count,
            first_contact_at=history.first_contact_at.isoformat() if history.first_contact_at else None,
            last_contact_at=history.last_contact_at.isoformat() if history.last_contact_at else None,
            registration_numbers=history.registration_numbers,
            closed_registration_numbers=history.closed_registration_numbers,
            do_not_call_back=history.do_not_call_back,
        )
    return JsonResponse(body, status=status)


# --- the contact log ------------------------------------------------------------------------


def _date_param(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    """Every contact (call, chat, SMS, walk-in), newest first, with filters. Operators and managers.

    Shows times, channel, outcome, operator, kecamatan and the report's number; never a
    phone number or a note (those stay on the contact's report).
    """
    if not access.can_manage_reports(request.user):
        raise PermissionDenied
    params = request.GET
    kecamatan = kecamatan_choices()
    operators = list(
        User.objects.filter(pk__in=Contact.objects.values("operator_id").distinct()).order_by("username")
    )
    operator_ids = {str(u.pk) for u in operators}
    start, end = _date_param(params.get("dari")), _date_param(params.get("sampai"))
    filters = {
        "dari": start.isoformat() if start else "",
        "sampai": end.isoformat() if end else "",
        "channel": _valid(params.get("channel"), Channel.values),
        "outcome": _valid(params.get("outcome"), ContactOutcome.values),
        "operator": _valid(params.get("operator"), operator_ids),
        "kecamatan": _valid(params.get("kecamatan"), {code for code, _name in kecamatan}),
        "heard_from": _valid(params.get("heard_from"), HeardFrom.values),
    }
    contacts = access.contacts_visible_to(request.user)
    if start:
        contacts = contacts.filter(started_at__gte=_day_start(start))
    if end:
        contacts = contacts.filter(started_at__lt=_day_start(end + datetime.timedelta(days=1)))
    if filters["channel"]:
        contacts = contacts.filter(channel=filters["channel"])
    if filters["outcome"]:
        contacts = contacts.filter(outcome=filters["outcome"])
    if filters["operator"]:
        contacts = contacts.filter(operator_id=int(filters["operator"]))
    if filters["kecamatan"]:
        code = filters["kecamatan"]
        contacts = contacts.filter(Q(kecamatan_code=code) | Q(kecamatan_code="", report__kecamatan_code=code))
    if filters["heard_from"]:
        contacts = contacts.filter(heard_from=filters["heard_from"])
    page = keyset_page(contacts.select_related("operator", "report"), params)
    visible_reports = set(
        Report.objects.visible_to(request.user)
        .filter(pk__in=[c.report_id for c in page.rows if c.report_id])
        .values_list("pk", flat=True)
    )
    names = dict(kecamatan)
    for row in page.rows:
        code = row.kecamatan_code or (row.report.kecamatan_code if row.report else "")
        row.kecamatan_name = names.get(code, code)
        row.report_shown = row.report if row.report_id in visible_reports else None
    return render(
        request,
        "intake/contact_list.html",
        {
            "page": page,
            "rows": page.rows,
            "filters": filters,
            "filtered": any(filters.values()),
            "kecamatan_choices": kecamatan,
            "channel_choices": Channel.choices,
            "outcome_choices": ContactOutcome.choices,
            "heard_from_choices": HeardFrom.choices,
            "operators": operators,
            "base_query": query_without(params, "after", "before"),
        },
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _valid(value: str | None, allowed: Any) -> str:
    return value if value and value in allowed else ""
