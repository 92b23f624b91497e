"""What the person on duty may open because the alerts sent it to them (issue 15, security review).

A case worker on the roster is alerted to new reports and WhatsApp/SMS conversations that
the need-to-know rules (``Report.objects.visible_to``, ``Conversation.objects.visible_to``)
would otherwise hide from them. While they hold the running shift as duty person or backup
(``roster.on_duty``), these grants let them open, and take, exactly:

* an open conversation nobody has taken (not assigned), whose alert is still open (or
  acknowledged by them), and to which a notification of theirs links;
* a report still awaiting first contact (*diterima*, its alert not ended: no first contact,
  no case), whose alert is open (or acknowledged by them), and to which a notification of
  theirs links.

"Sent them" is read from their own notifications (``core.Notification.link`` is the alert
page), so a backup who was never escalated to does not gain the item. Outside the shift the
grants give nothing. The intake side audits every open they allow (``*_on_duty``). Once a
conversation is taken, the normal rule (assigned to them) applies.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from sigap.alerts import roster
from sigap.alerts.models import AlertState, ConversationAlert, ReportAlert
from sigap.core.models import Notification

NOTHING = Q(pk__in=[])


def on_shift_now(user: Any) -> bool:
    entry = roster.on_duty()
    return entry is not None and user.pk in (entry.duty_id, entry.backup_id)


def _still_theirs(user: Any) -> Q:
    return Q(state=AlertState.OPEN) | Q(state=AlertState.ACKNOWLEDGED, acknowledged_by=user)


def _notified(user: Any, links: dict[str, int]) -> list[int]:
    if not links:
        return []
    sent = Notification.objects.filter(recipient=user, link__in=list(links)).values_list("link", flat=True)
    return sorted({links[link] for link in sent})


def conversation_grant(user: Any) -> Q:
    """Conversations ``user`` may open and take now (see the module docstring)."""
    from django.urls import reverse

    from sigap.intake.channels.conversations.codes import ConversationState

    if not getattr(user, "is_authenticated", False) or not on_shift_now(user):
        return NOTHING
    waiting = (ConversationAlert.objects.filter(_still_theirs(user))
               .filter(conversation__assigned_to__isnull=True, conversation__state=ConversationState.OPEN)
               .values_list("conversation_id", flat=True))
    links = {reverse("alerts:conversation_alert", args=[pk]): pk for pk in waiting}
    ids = _notified(user, links)
    return Q(pk__in=ids, assigned_to__isnull=True) if ids else NOTHING


def report_grant(user: Any) -> Q:
    """Reports ``user`` may open now: awaiting first contact and alerted to them (see the module docstring)."""
    from django.urls import reverse

    from sigap.intake.codes import ReportStatus

    if not getattr(user, "is_authenticated", False) or not on_shift_now(user):
        return NOTHING
    waiting = (ReportAlert.objects.filter(_still_theirs(user))
               .filter(report__status=ReportStatus.DITERIMA).values_list("report_id", flat=True))
    links = {reverse("alerts:report_alert", args=[pk]): pk for pk in waiting}
    ids = _notified(user, links)
    return Q(pk__in=ids, status=ReportStatus.DITERIMA) if ids else NOTHING


def register() -> None:
    from sigap.intake.channels.conversations.models import (
        register_duty_grant as register_conversations,
    )
    from sigap.intake.models import register_duty_grant as register_reports

    register_reports(report_grant)
    register_conversations(conversation_grant)
