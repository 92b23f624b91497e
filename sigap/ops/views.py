from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sigap.accounts.roles import Perm
from sigap.accounts.views import permission_required
from sigap.ops import schedule


@require_GET
@permission_required(Perm.MANAGE_SETTINGS)
def status(request: HttpRequest) -> HttpResponse:
    return render(request, "ops/status.html", {"status": schedule.status()})


@require_POST
@permission_required(Perm.MANAGE_SETTINGS)
def backup_now(request: HttpRequest) -> HttpResponse:
    if schedule.enqueue_backup():
        messages.success(request, _("Pencadangan dijadwalkan; worker latar belakang akan menjalankannya sebentar lagi."))
    else:
        messages.info(request, _("Sudah ada pencadangan yang menunggu atau sedang berjalan."))
    return redirect("ops:status")
