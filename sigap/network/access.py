"""Who may see which village's network. Fails closed.

* manage_network (manager, admin): every desa of the deployment region;
* a village volunteer (submit_village_report with a desa): their own desa only;
* everyone else: none. A desa outside the deployment region is never found.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from sigap.accounts.roles import Perm, has_permission
from sigap.network.models import Member
from sigap.regions.models import Region


def deployment_desa(code: str) -> Region:
    return get_object_or_404(Region.objects.in_deployment().desa(), code=code)


def is_village_volunteer(user: Any) -> bool:
    return has_permission(user, Perm.SUBMIT_VILLAGE_REPORT) and bool(getattr(user, "desa_id", None))


def can_see_village(user: Any, desa_code: str) -> bool:
    if has_permission(user, Perm.MANAGE_NETWORK):
        return True
    return is_village_volunteer(user) and user.desa_id == desa_code


def get_village_for(user: Any, code: str) -> Region:
    """The desa if ``user`` may see its network, else 404 (no hint that it exists)."""
    if not can_see_village(user, code):
        raise Http404
    return deployment_desa(code)


def get_member_for_manager(user: Any, pk: int) -> Member:
    if not has_permission(user, Perm.MANAGE_NETWORK):
        raise Http404
    return get_object_or_404(
        Member.objects.select_related("desa", "user").filter(desa__code__startswith=_region_prefix()), pk=pk
    )


def _region_prefix() -> str:
    from django.conf import settings

    return settings.SIGAP_REGION + "."
