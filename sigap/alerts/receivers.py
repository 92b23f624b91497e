"""Intake's after-commit signals, turned into alerts (intake does not import this app)."""

from __future__ import annotations

from typing import Any


def on_report_filed(sender: Any, report: Any, **kwargs: Any) -> None:
    from sigap.alerts.actions import alert_report

    alert_report(report)


def on_report_risk_raised(sender: Any, report: Any, **kwargs: Any) -> None:
    from sigap.alerts.actions import AlertReason, alert_report

    alert_report(report, reason=AlertReason.RISK_RAISED)


def on_conversation_started(sender: Any, conversation: Any, **kwargs: Any) -> None:
    from sigap.alerts.actions import alert_conversation

    if conversation.assigned_to_id is None:
        alert_conversation(conversation)


def connect() -> None:
    from sigap.intake.signals import conversation_started, report_filed, report_risk_raised

    report_filed.connect(on_report_filed, dispatch_uid="alerts.report_filed")
    report_risk_raised.connect(on_report_risk_raised, dispatch_uid="alerts.report_risk_raised")
    conversation_started.connect(on_conversation_started, dispatch_uid="alerts.conversation_started")
