"""Intake's after-commit signals, turned into alerts (intake does not import this app)."""

from __future__ import annotations

from typing import Any


def on_report_filed(sender: Any, report: Any, **kwargs: Any) -> None:
    from sigap.alerts.actions import alert_report

    alert_report(report)


def on_report_risk_raised(sender: Any, report: Any, **kwargs: Any) -> None:
    from sigap.alerts.actions import AlertReason, alert_report

    alert_report(report, reason=AlertReason.RISK_RAISED)


def note_recipients(report: Any, by: Any) -> list[Any]:
    """Who hears of a note added to a filed report: the assigned worker of the report's case; without one,
    the people ``report_recipients`` names for a new report of that risk. Never the note's author."""
    from django.apps import apps

    from sigap.alerts.actions import report_recipients

    users: list[Any] = []
    if apps.is_installed("sigap.cases"):
        link = apps.get_model("cases", "CaseReport").objects.filter(report=report).select_related(
            "case__assigned_to").first()
        if link is not None and link.case.assigned_to is not None and link.case.assigned_to.is_active:
            users = [link.case.assigned_to]
    if not users:
        users = report_recipients(report)
    return [user for user in users if user.pk != getattr(by, "pk", None)]


def on_report_note_added(sender: Any, report: Any, by: Any, **kwargs: Any) -> None:
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    from sigap.alerts.actions import _kecamatan
    from sigap.core.notify import notify
    from sigap.intake.access import files_as_volunteer

    with translation.override(settings.LANGUAGE_CODE):
        what = _("catatan baru dari relawan") if files_as_volunteer(by) else _("catatan baru dari pencatat laporan")
        text = _("%(number)s · %(what)s · Kec. %(kecamatan)s") % {
            "number": report.registration_number, "what": what, "kecamatan": _kecamatan(report.kecamatan_code)}
    notify(note_recipients(report, by), "alerts.report_note", text,
           link=reverse("intake:report_detail", args=[report.pk]))


def on_conversation_started(sender: Any, conversation: Any, **kwargs: Any) -> None:
    from sigap.alerts.actions import alert_conversation

    if conversation.assigned_to_id is None:
        alert_conversation(conversation)


def connect() -> None:
    from sigap.intake.signals import (
        conversation_started,
        report_filed,
        report_note_added,
        report_risk_raised,
    )

    report_filed.connect(on_report_filed, dispatch_uid="alerts.report_filed")
    report_risk_raised.connect(on_report_risk_raised, dispatch_uid="alerts.report_risk_raised")
    conversation_started.connect(on_conversation_started, dispatch_uid="alerts.conversation_started")
    report_note_added.connect(on_report_note_added, dispatch_uid="alerts.report_note_added")
