"""Who may download which village's pamphlet. Fails closed with 404.

Outreach and network managers: any desa of the deployment region. A village
volunteer: their own desa only.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sigap.accounts.roles import Perm, has_permission
from sigap.network.access import deployment_desa, is_village_volunteer
from sigap.regions.models import Region


def can_manage_pamphlets(user: Any) -> bool:
    return has_permission(user, Perm.MANAGE_OUTREACH) or has_permission(user, Perm.MANAGE_NETWORK)


def get_pamphlet_desa_for(user: Any, code: str) -> Region:
    if can_manage_pamphlets(user) or (is_village_volunteer(user) and user.desa_id == code):
        return deployment_desa(code)
    raise Http404
