from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from sigap.lib.api_errors import ApiError, ErrorOut
from sigap.regions.models import Region

router = Router(tags=["regions"])


class RegionChild(Schema):
    code: str
    name: str


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
    children: list[RegionChild]


@router.get(
    "/{code}",
    response={200: RegionOut, 404: ErrorOut},
    auth=None,
    summary="One region with its direct children",
)
def get_region(request: HttpRequest, code: str) -> dict[str, object]:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ApiError(404, _("Wilayah tidak ditemukan."))
    children = list(Region.objects.filter(parent_id=region.code).order_by("code").values("code", "name"))
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "parent": region.parent_id,
        "children": children,
    }
