from __future__ import annotations

import datetime

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def elapsed(delta: datetime.timedelta | None) -> str:
    """A duration as the office reads it: "2 hari 3 jam", "4 jam 10 menit", "25 menit"."""
    if delta is None:
        return ""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)s hari %(h)s jam") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s jam %(m)s menit") % {"h": hours, "m": minutes}
    return _("%(m)s menit") % {"m": minutes}


@register.filter
def overdue(value: datetime.datetime | None, now: datetime.datetime) -> bool:
    return value is not None and value < now
