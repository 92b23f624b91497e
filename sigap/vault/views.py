from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sigap.accounts.roles import Perm
from sigap.accounts.views import permission_required
from sigap.vault import audit
from sigap.vault.forms import AuditFilterForm
from sigap.vault.models import AuditEntry

PAGE_SIZE = 50


@permission_required(Perm.VIEW_AUDIT)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who did what, newest first; filter by person, record and action. Viewing it is audited."""
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("actor").order_by("-seq")
    status = 200
    data: dict[str, Any] = {}
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
        else:
            entries = entries.none()
            status = 400
            if "sebelum" in form.errors:  # a hidden field: say so where the user looks
                form.add_error(None, _("Halaman yang diminta tidak valid; mulai lagi dari halaman pertama."))
    if data.get("actor"):
        entries = entries.filter(actor=data["actor"])
    if data.get("action"):
        entries = entries.filter(action__startswith=data["action"])
    if data.get("object_type"):
        entries = entries.filter(object_type=data["object_type"])
    if data.get("object_id"):
        entries = entries.filter(object_id=data["object_id"])
    if data.get("access_only"):
        entries = entries.filter(Q(action__endswith=".open") | Q(action="vault.reveal"))
    if data.get("sebelum"):
        entries = entries.filter(seq__lt=data["sebelum"])
    rows = list(entries[: PAGE_SIZE + 1])
    next_query = ""
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        query = request.GET.copy()
        query["sebelum"] = str(rows[-1].seq)
        next_query = query.urlencode()
    with transaction.atomic():
        # Which record's (or person's) trail was looked at, by id only.
        actor = data.get("actor")
        object_type, object_id = data.get("object_type") or "", data.get("object_id") or ""
        if not (object_type or object_id) and actor is not None:
            object_type, object_id = "accounts.user", str(actor.pk)
        audit.record("audit.view", actor=request.user, request=request, object_type=object_type, object_id=object_id)
    return render(
        request,
        "vault/audit_log.html",
        {"form": form, "entries": rows, "next_query": next_query, "filtered": bool(request.GET)},
        status=status,
    )
