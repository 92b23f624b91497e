"""Intake's after-commit signals, turned into alerts (intake does not import this app)."""

from __future__ import annotations

from typing import Any


def on_report_filed(sender: Any, report: Any, **kwargs: Any) -> None:
    from sigap.alerts.actions import alert_report

    alert_report(report)


def on_conversation_started(sender: Any, conversation: Any, **kwargs: Any) -> None:
    from sigap.alerts.actions import alert_conversation

    if conversation.assigned_to_id is None:
        alert_conversation(conversation)


def connect() -> None:
    from sigap.intake.signals import conversation_started, report_filed

    report_filed.connect(on_report_filed, dispatch_uid="alerts.report_filed")
    conversation_started.connect(on_conversation_started, dispatch_uid="alerts.conversation_started")
