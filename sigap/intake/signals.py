"""Signals intake sends after a commit, so other parts of SIGAP can react without intake importing them.

* ``report_filed(sender=Report, report=...)``: a new report was stored, whatever
  its channel (public form, volunteer, API, staff form). Not sent for an
  idempotent replay.
* ``conversation_started(sender=Conversation, conversation=...)``: a WhatsApp or
  SMS sender opened a new conversation nobody has taken yet.
* ``report_risk_raised(sender=Report, report=..., old_risk=..., new_risk=...)``:
  an amendment (``intake.amend``) raised a report's computed risk.
* ``report_note_added(sender=Report, report=..., by=...)``: the one who submitted a
  report (a village volunteer above all) added a note to it (``actions.add_note``).

All are sent from ``transaction.on_commit``: a rolled-back change sends nothing.
The alerts app (``sigap.alerts``) listens to them; a failing receiver is
logged and never breaks the submission (``send_robust``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger("sigap.intake.signals")

report_filed = Signal()
conversation_started = Signal()
report_risk_raised = Signal()
report_note_added = Signal()


def send_on_commit(signal: Signal, sender: Any, **kwargs: Any) -> None:
    """Send ``signal`` when the current transaction commits; receivers' errors are logged by type only."""

    def fire() -> None:
        for receiver, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                logger.error("signal receiver %s failed: %s", getattr(receiver, "__qualname__", "?"),
                             type(result).__name__)

    transaction.on_commit(fire)
