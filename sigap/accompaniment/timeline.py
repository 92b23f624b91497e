"""Accompaniment on the case timeline (``sigap.cases.timeline.register_source``): each appointment outcome
recorded, with who recorded it; when that was the worker who attended a colleague's case, it says so."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sigap.accompaniment.models import Appointment
from sigap.cases.timeline import Entry


def _who(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _when(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def appointment_outcomes(case: Any, user: Any = None) -> list[Entry]:
    entries = []
    for a in (Appointment.objects.filter(case=case, outcome_at__isnull=False)
              .select_related("outcome_by", "rescheduled_to")):
        title = _("Jadwal %(kind)s %(when)s: %(status)s") % {
            "kind": a.get_kind_display(), "when": _when(a.starts_at), "status": a.get_status_display()}
        if a.rescheduled_to is not None:
            title += " → " + _when(a.rescheduled_to.starts_at)
        if a.outcome_by_id is not None and a.outcome_by_id == a.worker_id and a.outcome_by_id != case.assigned_to_id:
            title += " · " + _("dicatat oleh pendamping yang hadir")
        entries.append(Entry(a.outcome_at, "appointment", title, body=a.outcome_note, by=_who(a.outcome_by)))
    return entries
