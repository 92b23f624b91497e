"""Kontak baru: recording a call, chat or visit while it happens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import ValidationError

from sigap.accounts.roles import Perm
from sigap.accounts.views import permission_required
from sigap.intake.actions import record_contact
from sigap.intake.codes import ContactOutcome
from sigap.intake.forms import CallerCheckForm, ContactForm
from sigap.intake.queries import CallerHistory, caller_history
from sigap.intake.validation import ContactInput, ReportInvalid
from sigap.lib.pydantic_errors import fields_from_errors
from sigap.vault.blind import NotNormalisable, normalise_phone


def _history(phone: str, user: Any) -> tuple[CallerHistory | None, str]:
    """The caller summary for a typed number, or (None, why not)."""
    phone = (phone or "").strip()
    if not phone:
        return None, _("Ketik nomor penelepon dulu.")
    try:
        normalise_phone(phone)
    except NotNormalisable:
        return None, _("Nomor telepon tidak sah.")
    return caller_history(phone, user), ""


def _summary_html(request: HttpRequest, history: CallerHistory | None, problem: str) -> str:
    return render_to_string(
        "intake/_caller_summary.html", {"history": history, "problem": problem, "checked": True}, request=request
    )


@permission_required(Perm.RECORD_CONTACT)
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        form.is_valid()  # lenient fields: always valid; validation.py judges below
        if request.POST.get("action") == "check":
            # Without JavaScript, "Cek nomor" re-renders the form with the caller's history.
            history, problem = _history(form.cleaned_data.get("caller_phone", ""), request.user)
            context.update(history=history, problem=problem, checked=True)
            return render(request, "intake/contact_form.html", context)
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
    history, problem = _history(form.cleaned_data.get("caller_phone", ""), request.user)
    body: dict[str, Any] = {"ok": history is not None, "html": _summary_html(request, history, problem)}
    if history is not None:
        body.update(
            known=history.known,
            contact_count=history.contact_count,
            first_contact_at=history.first_contact_at.isoformat() if history.first_contact_at else None,
            last_contact_at=history.last_contact_at.isoformat() if history.last_contact_at else None,
            registration_numbers=history.registration_numbers,
            do_not_call_back=history.do_not_call_back,
        )
    return JsonResponse(body)
