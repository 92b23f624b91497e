"""The "Hari ini" sections of the staff home (``sigap.core.home``), per role.

* hotline team (records contacts): new reports not yet acknowledged, conversations
  waiting, call-backs due (from handovers), handovers waiting for this user's confirmation;
* manager (approves plans): overdue reports, overdue tasks, open cases without a
  worker, plans and closures waiting for approval, the roster's next gaps;
* case worker (works cases): own tasks due today or overdue, new assignments;
* volunteer: the status of the reports they submitted.

Items carry numbers, kinds and times only.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.accounts.roles import Perm, has_permission
from sigap.alerts import actions, roster
from sigap.alerts.models import AlertState, Handover, ReportAlert, RosterEntry
from sigap.core.home import Item, Section, register_sections
from sigap.intake.codes import ReportStatus, Risk
from sigap.intake.models import Report
from sigap.lib.timewords import due_words

SHOWN = 10
NEW_ASSIGNMENT_DAYS = 3
GAP_DAYS = 7


def _report_item(report: Report, now: datetime.datetime, link: str) -> Item:
    return Item(
        text=f"{report.registration_number} · {report.get_risk_display()} · {report.get_channel_display()}",
        link=link,
        note=due_words(report.response_due_at, now),
        urgent=report.response_due_at < now or report.risk == Risk.TINGGI,
    )


def _hotline(user: Any, now: datetime.datetime) -> list[Section]:
    from sigap.intake.channels.conversations.models import Conversation

    waiting_alerts = (
        ReportAlert.objects.filter(state=AlertState.OPEN, report__status=ReportStatus.DITERIMA)
        .select_related("report").order_by("report__response_due_at", "pk")
    )
    reports = Section(
        key="laporan-baru", title=gettext_lazy("Laporan baru belum ditangani"),
        empty=gettext_lazy("Tidak ada laporan baru yang menunggu."),
        items=[_report_item(a.report, now, actions.alert_link(a.report)) for a in waiting_alerts[:SHOWN]],
    )
    total = waiting_alerts.count() if len(reports.items) == SHOWN else len(reports.items)
    reports.count = total or None
    # The person on duty also sees, by reference only, the untaken conversations their alerts sent them.
    chats = Conversation.objects.visible_to(user, on_duty=True).open().filter(waiting_since__isnull=False)
    from django.conf import settings

    limit = datetime.timedelta(minutes=settings.SIGAP_CHAT_RESPONSE_MINUTES)
    chat_items = []
    for c in chats.order_by("waiting_since", "pk")[:SHOWN]:
        due = (c.waiting_since or now) + limit
        chat_items.append(Item(
            text=_("Percakapan %(channel)s #%(ref)s") % {"channel": c.get_channel_display(), "ref": c.pk}
            + ("" if c.assigned_to_id else " · " + _("belum diambil")),
            link=reverse("conversations:detail", args=[c.pk]), note=due_words(due, now), urgent=due < now))
    conversations = Section(key="percakapan", title=gettext_lazy("Percakapan menunggu balasan"), items=chat_items,
                            empty=gettext_lazy("Tidak ada percakapan yang menunggu."),
                            count=chats.count() or None, more_link=reverse("conversations:inbox"))
    return [reports, _unreached(now), conversations, _callbacks(now), _handovers(user)]


def _unreached(now: datetime.datetime) -> Section:
    """Reports whose call-backs failed (not answered, number inactive, not a safe time): still open."""
    rows, total = actions.unreached_reports(SHOWN)
    return Section(
        key="belum-terhubung", title=gettext_lazy("Belum berhasil dihubungi"),
        empty=gettext_lazy("Tidak ada laporan dengan percobaan kontak yang gagal."),
        items=[Item(text=_("%(number)s · %(n)d percobaan · terakhir %(when)s %(result)s (%(user)s)")
                    % {"number": u.report.registration_number, "n": u.attempts,
                       "when": timezone.localtime(u.last.attempted_at).strftime("%H.%M"),
                       "result": u.last.get_result_display().lower(), "user": u.last.by.username},
                    link=actions.alert_link(u.report), note=due_words(u.report.response_due_at, now),
                    urgent=u.report.response_due_at < now) for u in rows],
        count=total or None,
    )


def _callbacks(now: datetime.datetime) -> Section:
    """Call-backs handed over and not yet made, the earliest due first (references only)."""
    waiting = actions.open_callbacks().order_by("due_at", "pk")
    shown = list(waiting[:SHOWN])
    return Section(
        key="telepon-balik", title=gettext_lazy("Telepon balik"),
        empty=gettext_lazy("Tidak ada telepon balik yang menunggu."),
        items=[Item(text=_("%(reference)s · dari serah terima %(user)s")
                    % {"reference": c.reference, "user": c.handover.written_by.username},
                    link=reverse("alerts:handover") + f"#telepon-balik-{c.pk}", note=due_words(c.due_at, now),
                    urgent=c.due_at < now) for c in shown],
        count=(waiting.count() if len(shown) == SHOWN else len(shown)) or None,
        more_link=reverse("alerts:handover"),
    )


def _handovers(user: Any) -> Section:
    handovers = [h for h in Handover.objects.filter(acknowledged_at__isnull=True).select_related("written_by")[:50]
                 if actions.may_acknowledge_handover(h, user)][:SHOWN]
    return Section(
        key="serah-terima", title=gettext_lazy("Serah terima dan telepon balik"),
        empty=gettext_lazy("Tidak ada serah terima yang menunggu konfirmasi Anda."),
        items=[Item(text=_("Serah terima %(shift)s %(date)s dari %(user)s")
                    % {"shift": roster.slot(h.date, h.shift).label,
                       "date": formats.date_format(h.date, "SHORT_DATE_FORMAT"), "user": h.written_by.username},
                    link=reverse("alerts:handover") + f"#serah-terima-{h.pk}", urgent=True) for h in handovers],
    )


def _manager(user: Any, now: datetime.datetime) -> list[Section]:
    from sigap.cases.codes import CaseStatus, ClosureStatus, PlanStatus
    from sigap.cases.models import Case, Closure, InterventionPlan, Task

    overdue_reports = Report.objects.filter(status=ReportStatus.DITERIMA, response_due_at__lt=now).order_by(
        "response_due_at", "pk")
    shown = list(overdue_reports[:SHOWN])
    sections = [Section(
        key="laporan-lewat", title=gettext_lazy("Laporan lewat batas respons"),
        empty=gettext_lazy("Tidak ada laporan yang lewat batas respons."),
        items=[_report_item(r, now, reverse("intake:report_detail", args=[r.pk])) for r in shown],
        count=(overdue_reports.count() if len(shown) == SHOWN else len(shown)) or None,
        more_link=reverse("cases:awaiting_reports"),
    )]
    tasks = Task.objects.overdue(now).filter(case__status=CaseStatus.OPEN).select_related("case").order_by("due_at")
    task_list = list(tasks[:SHOWN])
    sections.append(Section(
        key="tugas-lewat", title=gettext_lazy("Tugas kasus lewat tenggat"),
        empty=gettext_lazy("Tidak ada tugas yang lewat tenggat."),
        items=[Item(text=f"{t.case.number} · {t.get_kind_display()}", link=reverse("cases:case_detail", args=[t.case_id]),
                    note=due_words(t.due_at, now), urgent=True) for t in task_list],
        count=(tasks.count() if len(task_list) == SHOWN else len(task_list)) or None,
    ))
    unassigned = Case.objects.filter(status=CaseStatus.OPEN, assigned_to__isnull=True).order_by("opened_at", "pk")
    sections.append(Section(
        key="tanpa-pendamping", title=gettext_lazy("Kasus tanpa pendamping"),
        empty=gettext_lazy("Semua kasus terbuka punya pendamping."),
        items=[Item(text=f"{c.number} · {c.get_risk_display()}", link=reverse("cases:assign", args=[c.pk]),
                    urgent=c.risk == Risk.TINGGI) for c in unassigned[:SHOWN]],
        count=unassigned.count() or None,
    ))
    plans = InterventionPlan.objects.filter(status=PlanStatus.SUBMITTED).select_related("case")[:SHOWN]
    closures = Closure.objects.filter(status=ClosureStatus.SUBMITTED).select_related("case")[:SHOWN]
    approvals = [Item(text=_("Rencana intervensi %(number)s") % {"number": p.case.number},
                      link=reverse("cases:plan", args=[p.case_id])) for p in plans]
    approvals += [Item(text=_("Penutupan kasus %(number)s") % {"number": c.case.number},
                       link=reverse("cases:closure", args=[c.case_id])) for c in closures]
    sections.append(Section(key="persetujuan", title=gettext_lazy("Menunggu persetujuan Anda"), items=approvals,
                            empty=gettext_lazy("Tidak ada rencana atau penutupan yang menunggu.")))
    gaps = roster_gaps(now)
    sections.append(Section(
        key="jadwal-kosong", title=gettext_lazy("Kekosongan jadwal piket berikutnya"),
        empty=gettext_lazy("Jadwal piket 7 hari ke depan lengkap."),
        items=[Item(text=f"{formats.date_format(g.date, 'SHORT_DATE_FORMAT')} · {g.label}",
                    link=reverse("alerts:roster") + f"?mulai={g.date.isoformat()}",
                    urgent=g.start < now + datetime.timedelta(days=1)) for g in gaps[:SHOWN]],
        count=len(gaps) or None,
    ))
    return sections


def roster_gaps(now: datetime.datetime, days: int = GAP_DAYS) -> list[roster.Slot]:
    slots = roster.slots_between(now, now + datetime.timedelta(days=days))
    planned = set(RosterEntry.objects.filter(date__gte=slots[0].date, date__lte=slots[-1].date)
                  .values_list("date", "shift"))
    return [s for s in slots if (s.date, s.shift) not in planned]


def _case_worker(user: Any, now: datetime.datetime) -> list[Section]:
    from sigap.cases.actions import open_tasks_for
    from sigap.cases.models import Case

    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    tasks = open_tasks_for(user).filter(due_at__lte=end_of_day)
    task_list = list(tasks[:SHOWN])
    since = now - datetime.timedelta(days=NEW_ASSIGNMENT_DAYS)
    new_cases = Case.objects.filter(assigned_to=user, assigned_at__gte=since).order_by("-assigned_at")[:SHOWN]
    return [
        Section(key="tugas-saya", title=gettext_lazy("Tugas saya hari ini dan yang lewat tenggat"),
                empty=gettext_lazy("Tidak ada tugas untuk hari ini."),
                items=[Item(text=f"{t.case.number} · {t.get_kind_display()}",
                            link=reverse("cases:case_detail", args=[t.case_id]), note=due_words(t.due_at, now),
                            urgent=t.due_at < now) for t in task_list],
                count=(tasks.count() if len(task_list) == SHOWN else len(task_list)) or None,
                more_link=reverse("cases:my_work")),
        Section(key="penugasan-baru", title=gettext_lazy("Penugasan baru"),
                empty=gettext_lazy("Tidak ada kasus baru yang ditugaskan kepada Anda."),
                items=[Item(text=f"{c.number} · {c.get_risk_display()}", link=reverse("cases:case_detail", args=[c.pk]),
                            urgent=c.risk == Risk.TINGGI) for c in new_cases]),
    ]


def _volunteer(user: Any, now: datetime.datetime) -> list[Section]:
    from sigap.intake.views.common import public_status_label

    mine = list(Report.objects.filter(submitted_by=user).only("pk", "registration_number", "created_at", "status")
                .order_by("-created_at")[:SHOWN])
    return [Section(
        key="laporan-saya", title=gettext_lazy("Laporan yang saya kirim"),
        empty=gettext_lazy("Anda belum mengirim laporan."),
        items=[Item(text=f"{r.registration_number} · {formats.date_format(timezone.localtime(r.created_at), 'SHORT_DATE_FORMAT')}",
                    note=str(public_status_label(r))) for r in mine],  # the coarse status only
        more_link=reverse("intake:volunteer_home"),
    )]


def sections(user: Any, now: datetime.datetime) -> list[Section]:
    found: list[Section] = []
    if has_permission(user, Perm.RECORD_CONTACT) and (
        has_permission(user, Perm.VIEW_REPORTS) or _on_duty(user, now)
    ):
        found += _hotline(user, now)
    elif has_permission(user, Perm.RECORD_CONTACT):
        waiting = _handovers(user)  # e.g. a case worker on the next shift: the call-backs handed to them
        found += [_callbacks(now), waiting] if waiting.items else []
    if has_permission(user, Perm.APPROVE_PLANS):
        found += _manager(user, now)
    if has_permission(user, Perm.WORK_CASES) and not has_permission(user, Perm.APPROVE_PLANS):
        found += _case_worker(user, now)
    if has_permission(user, Perm.SUBMIT_VILLAGE_REPORT):
        found += _volunteer(user, now)
    return found


def _on_duty(user: Any, now: datetime.datetime) -> bool:
    entry = roster.on_duty(now)
    return entry is not None and user.pk in (entry.duty_id, entry.backup_id)


def register() -> None:
    register_sections(sections)
