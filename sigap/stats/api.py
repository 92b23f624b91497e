from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from sigap.lib.api_errors import ApiError, ErrorOut
from sigap.stats.models import PublicStatsSnapshot

router = Router(tags=["public statistics"])


class YearQuery(Schema):
    year: int


# The shape of ``sigap.stats.public.compute``'s body, which the snapshot stores and this endpoint
# serves unchanged: the answer is validated against these schemas and written with
# ``exclude_unset``, so a cell keeps exactly its stored keys (``suppressed`` only on hidden cells).


class PublicCell(Schema):
    count: int | Literal["<5"] | None = Field(
        description='The number; "<5" for a count from 1 to 4; null when the cell is hidden.'
    )
    suppressed: Literal[True] | None = Field(
        None, description="Present (true) only on a cell hidden so that no small count can be worked out."
    )


class QuarterCells(Schema):
    Q1: PublicCell
    Q2: PublicCell
    Q3: PublicCell
    Q4: PublicCell


class KecamatanRow(Schema):
    kecamatan: str = Field(description="The kecamatan's code.")
    name: str
    quarters: QuarterCells
    total: PublicCell


class CasesByKecamatanQuarter(Schema):
    rows: list[KecamatanRow]
    totals: QuarterCells
    total: PublicCell


class SexCells(Schema):
    L: PublicCell
    P: PublicCell


class AgeGroupRow(Schema):
    age_group: str = Field(description="An age group code (0-5 ... 60+).")
    sex: SexCells
    total: PublicCell


class VictimsByAgeGroupSex(Schema):
    rows: list[AgeGroupRow]
    totals: SexCells
    total: PublicCell


class PublicStatsOut(Schema):
    year: int
    region: str = Field(description="The deployment's region code (SIGAP_REGION).")
    generated_at: str = Field(description="When the numbers were computed, ISO 8601 with offset.")
    notes: list[str]
    cases_by_kecamatan_quarter: CasesByKecamatanQuarter
    victims_by_age_group_sex: VictimsByAgeGroupSex
    cases_by_violence_type: dict[str, PublicCell] = Field(
        description="Violence type code -> cell (a case may have several types, so no total)."
    )


@router.get(
    "/stats",
    auth=None,
    response={200: PublicStatsOut, 404: ErrorOut, 422: ErrorOut},
    exclude_unset=True,
    summary="Anonymised yearly numbers (suppressed; no login)",
)
def public_stats(request: HttpRequest, query: Query[YearQuery]) -> dict[str, Any]:
    year = query.year
    if not 2000 <= year <= timezone.localdate().year:
        raise ApiError(422, _("Tahun tidak valid."), {"year": _("Tahun harus antara 2000 dan tahun ini.")})
    snapshot = PublicStatsSnapshot.objects.filter(year=year).first()
    if snapshot is None:
        raise ApiError(404, _("Statistik untuk tahun ini belum tersedia."))
    data: dict[str, Any] = snapshot.data
    return data
