"""The case worker's appointments of the day on the "Hari ini" home (``sigap.core.home``).

Items carry the time, the kind of appointment and the case number only: no place,
attendee or name, like notifications.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from sigap.accompaniment import actions
from sigap.accompaniment.codes import AppointmentStatus
from sigap.accounts.roles import Perm, has_permission
from sigap.cases.models import Case
from sigap.core.home import Item, Section, register_sections


def sections(user: Any, now: datetime.datetime) -> list[Section]:
    if not has_permission(user, Perm.WORK_CASES):
        return []
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = list(actions.appointments_for(user, start=start, end=start + datetime.timedelta(days=1)))
    # An appointment on a colleague's case they attend: linked to their page of that appointment (where they
    # record its outcome), the case being closed to them.
    open_cases = set(Case.objects.visible_to(user).filter(pk__in={a.case_id for a in today})
                     .values_list("pk", flat=True)) if today else set()
    items = [
        Item(
            text=f"{timezone.localtime(a.starts_at):%H.%M} · {a.get_kind_display()} · {a.case.number}"
            + ("" if a.case_id in open_cases else f" · {gettext('kasus rekan')}"),
            link=(reverse("accompaniment:case", args=[a.case_id]) if a.case_id in open_cases
                  else reverse("accompaniment:appointment", args=[a.pk])),
            note=str(a.get_status_display()),
            urgent=a.status == AppointmentStatus.SCHEDULED and a.starts_at < now,
        )
        for a in today
    ]
    return [Section(
        key="jadwal-hari-ini", title=gettext_lazy("Jadwal pendampingan hari ini"),
        empty=gettext_lazy("Tidak ada jadwal hari ini."), items=items,
        more_link=reverse("accompaniment:calendar"),
    )]


def register() -> None:
    register_sections(sections)
