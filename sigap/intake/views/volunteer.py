"""Village volunteers: the report form on a phone, and the list of their own reports.

A volunteer sees only reports they submitted, and only the coarse status
(``access.report_access_level`` is "coarse"): no names, no chronology, no risk.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from sigap.accounts.roles import Perm
from sigap.accounts.views import permission_required
from sigap.intake.access import village_of
from sigap.intake.codes import Channel
from sigap.intake.forms import VOLUNTEER, ReportEntry
from sigap.intake.models import Report
from sigap.intake.prefill import prefill_for
from sigap.intake.views.common import (
    issue_form_token,
    keyset_page,
    public_status_label,
    submit_entry,
)


@permission_required(Perm.SUBMIT_VILLAGE_REPORT)
def volunteer_home(request: HttpRequest) -> HttpResponse:
    # visible_to already narrows a volunteer to their own; the filter keeps it so for any role.
    reports = Report.objects.visible_to(request.user).filter(submitted_by_id=request.user.pk)
    page = keyset_page(reports.only("pk", "registration_number", "created_at", "status"), request.GET)
    rows = [{"report": r, "status": public_status_label(r)} for r in page.rows]
    return render(request, "intake/volunteer_home.html", {"page": page, "rows": rows})


@permission_required(Perm.SUBMIT_VILLAGE_REPORT)
@require_http_methods(["GET", "POST"])
def volunteer_report_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        add = request.POST.get("add") or None
        entry = ReportEntry(request.POST, mode=VOLUNTEER, add=add, victim_desa=village_of(user) or "")
        token = request.POST.get("form_token", "")
        if add is None:
            outcome = submit_entry(request, entry, by=user, channel=Channel.RELAWAN, token=token)
            if outcome.submitted is not None:
                return render(
                    request,
                    "intake/volunteer_submitted.html",
                    {"submitted": outcome.submitted, "status": public_status_label(outcome.submitted.report)},
                )
            if "form_token" in outcome.problems:
                token = issue_form_token()
        status = 400 if add is None else 200
        return _render(request, entry, token or issue_form_token(), status)
    own = village_of(user) or ""
    # The volunteer is the reporter (name, phone, relation "relawan"), editable: the same
    # prefill mechanism as a recorded contact or a WhatsApp conversation.
    initial = {**prefill_for(request.GET, user).initial(), "desa": own}
    entry = ReportEntry(mode=VOLUNTEER, initial=initial, victim_desa=own)
    return _render(request, entry, issue_form_token())


def _render(request: HttpRequest, entry: ReportEntry, token: str, status: int = 200) -> HttpResponse:
    return render(
        request, "intake/report_form.html", {"entry": entry, "form_token": token, "mode": VOLUNTEER}, status=status
    )
