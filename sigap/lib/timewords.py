"""Time left before a deadline, or time past it, in words ("sisa 40 menit", "lewat 2 jam")."""

from __future__ import annotations

import datetime

from django.utils.translation import ngettext


def _amount(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return ngettext("%(n)d menit", "%(n)d menit", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d jam", "%(n)d jam", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)d hari", "%(n)d hari", days) % {"n": days}


def is_overdue(due: datetime.datetime, now: datetime.datetime) -> bool:
    return due < now


def due_words(due: datetime.datetime | None, now: datetime.datetime) -> str:
    """``sisa 40 menit`` before ``due``, ``lewat 2 jam`` after it; empty without a deadline."""
    from django.utils.translation import gettext as _

    if due is None:
        return ""
    if due < now:
        return _("lewat %(amount)s") % {"amount": _amount((now - due).total_seconds())}
    return _("sisa %(amount)s") % {"amount": _amount((due - now).total_seconds())}
