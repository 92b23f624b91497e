from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def reveal_roles_exist(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A typo in SIGAP_REVEAL_ROLES would silently let nobody (or the wrong role) reveal."""
    from sigap.accounts.roles import Role

    unknown = [role for role in settings.SIGAP_REVEAL_ROLES if role not in Role.values]
    if unknown:
        return [
            checks.Error(
                f"SIGAP_REVEAL_ROLES names unknown roles: {', '.join(unknown)}",
                hint=f"Use some of: {', '.join(Role.values)}",
                id="vault.E010",
            )
        ]
    return []
