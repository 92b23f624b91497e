from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sigap.stats.models import PublicStatsSnapshot


@require_GET
def public_numbers(request: HttpRequest) -> HttpResponse:
    """The public page of anonymised numbers, read from the stored snapshot."""
    years = list(PublicStatsSnapshot.objects.order_by("-year").values_list("year", flat=True))
    try:
        year = int(request.GET.get("tahun", "") or (years[0] if years else timezone.localdate().year))
    except ValueError:
        year = years[0] if years else timezone.localdate().year
    snapshot = PublicStatsSnapshot.objects.filter(year=year).first()
    return render(
        request,
        "stats/public_numbers.html",
        {"snapshot": snapshot, "data": snapshot.data if snapshot else None, "year": year, "years": years},
    )
