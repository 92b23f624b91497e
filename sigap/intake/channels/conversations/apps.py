from __future__ import annotations

import importlib.util

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "sigap.intake.channels.conversations"
    label = "conversations"
    verbose_name = _("Percakapan WhatsApp dan SMS")

    def ready(self) -> None:
        # Plug into seams other apps own, when they exist in this tree: the report
        # form's prefill registry (intake UI) and the notifier registry (core).
        if importlib.util.find_spec("sigap.intake.prefill") is not None:
            from sigap.intake.channels.conversations.prefill import register

            register()
        if importlib.util.find_spec("sigap.core.notify") is not None:
            from sigap.intake.channels.conversations.notifier import register as register_notifier

            register_notifier()
