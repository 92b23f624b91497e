from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sigap.core import home


@require_GET
def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/public_home.html")


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """ "Hari ini": what needs the user today, per role (sections from ``sigap.core.home``)."""
    sections = home.sections_for(request.user, timezone.now())
    return render(request, "core/staff_home.html", {"sections": sections})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
