"""Counts over the village network: a few grouped queries, never one per desa."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from sigap.network.models import Member, MemberKind, PatbmGroup
from sigap.regions.models import Region


@dataclass
class VillageNetwork:
    desa: Region
    kecamatan: Region | None = None
    has_contact_point: bool = False
    contact_point_printable: bool = False
    has_patbm_group: bool = False
    patbm_size: int = 0
    sapa_count: int = 0
    accounts: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def has_patbm(self) -> bool:
        return self.has_patbm_group or self.patbm_size > 0


def deployment_villages(kecamatan_code: str = "") -> list[Region]:
    villages = Region.objects.in_deployment().desa().order_by("code")
    if kecamatan_code:
        villages = villages.filter(parent_id=kecamatan_code)
    return list(villages)


def village_networks(villages: list[Region]) -> list[VillageNetwork]:
    codes = [v.code for v in villages]
    kecamatan = {k.code: k for k in Region.objects.filter(code__in={v.parent_id for v in villages})}
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (
        Member.objects.active()
        .filter(desa_id__in=codes)
        .values("desa_id", "kind")
        .annotate(n=Count("id"), accounts=Count("user", distinct=True))
    ):
        counts[row["desa_id"]][row["kind"]] = row["n"]
        counts[row["desa_id"]]["accounts"] = counts[row["desa_id"]].get("accounts", 0) + row["accounts"]
    printable = set(
        Member.objects.active()
        .filter(desa_id__in=codes, kind=MemberKind.CONTACT_POINT, may_print=True)
        .values_list("desa_id", flat=True)
    )
    groups = set(PatbmGroup.objects.filter(desa_id__in=codes).values_list("desa_id", flat=True))
    result = []
    for village in villages:
        c = counts.get(village.code, {})
        result.append(
            VillageNetwork(
                desa=village,
                kecamatan=kecamatan.get(village.parent_id or ""),
                has_contact_point=c.get(MemberKind.CONTACT_POINT, 0) > 0,
                contact_point_printable=village.code in printable,
                has_patbm_group=village.code in groups,
                patbm_size=c.get(MemberKind.PATBM, 0),
                sapa_count=c.get(MemberKind.SAPA, 0),
                accounts=c.get("accounts", 0),
            )
        )
    return result


def printable_contact(desa_code: str) -> Member | None:
    """The desa's contact point if they agreed to be printed on pamphlets."""
    return (
        Member.objects.active()
        .filter(desa_id=desa_code, kind=MemberKind.CONTACT_POINT, may_print=True)
        .first()
    )


def printable_contacts(codes: list[str]) -> dict[str, Member]:
    return {
        m.desa_id: m
        for m in Member.objects.active().filter(desa_id__in=codes, kind=MemberKind.CONTACT_POINT, may_print=True)
    }
