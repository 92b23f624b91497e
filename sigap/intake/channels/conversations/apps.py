from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "sigap.intake.channels.conversations"
    label = "conversations"
    verbose_name = _("Percakapan WhatsApp dan SMS")

    def ready(self) -> None:
        # Plug into seams other apps own: the report form's prefill registry
        # (?conversation=<id>) and the notifier registry (staff notices by WhatsApp).
        from sigap.intake.channels.conversations import notifier, prefill

        prefill.register()
        notifier.register()
