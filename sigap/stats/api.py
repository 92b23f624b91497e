from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from sigap.lib.api_errors import ApiError
from sigap.stats.models import PublicStatsSnapshot

router = Router(tags=["public statistics"])


class YearQuery(Schema):
    year: int


@router.get("/stats", auth=None, summary="Anonymised yearly numbers (suppressed; no login)")
def public_stats(request: HttpRequest, query: Query[YearQuery]) -> dict[str, Any]:
    year = query.year
    if not 2000 <= year <= timezone.localdate().year:
        raise ApiError(422, _("Tahun tidak valid."), {"year": _("Tahun harus antara 2000 dan tahun ini.")})
    snapshot = PublicStatsSnapshot.objects.filter(year=year).first()
    if snapshot is None:
        raise ApiError(404, _("Statistik untuk tahun ini belum tersedia."))
    data: dict[str, Any] = snapshot.data
    return data
