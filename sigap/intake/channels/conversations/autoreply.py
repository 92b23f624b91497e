"""The automatic answer to a message that arrives outside office hours.

It names the emergency numbers and when an operator will answer. A sender gets
it at most once per ``AUTO_REPLY_EVERY`` per conversation, and only when the
safety rule allows an automatic message (``safety.send_refusal``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.intake.channels.conversations import actions, outbound
from sigap.intake.channels.conversations.hours import office_hours
from sigap.intake.channels.conversations.models import Conversation

AUTO_REPLY_EVERY = datetime.timedelta(hours=12)
DAY_NAMES = (
    gettext_lazy("Senin"),
    gettext_lazy("Selasa"),
    gettext_lazy("Rabu"),
    gettext_lazy("Kamis"),
    gettext_lazy("Jumat"),
    gettext_lazy("Sabtu"),
    gettext_lazy("Minggu"),
)


def auto_reply_text(now: datetime.datetime) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        opening = office_hours().next_opening(now)
        values = {
            "office": settings.SIGAP_OFFICE_NAME,
            "emergency": ", ".join(settings.SIGAP_EMERGENCY_NUMBERS),
        }
        text = _(
            "Terima kasih telah menghubungi %(office)s. Pesan Anda sudah kami terima, tetapi saat ini di luar "
            "jam layanan. Jika Anda atau orang lain dalam bahaya, segera hubungi %(emergency)s."
        ) % values
        if opening is not None:
            when = _("%(day)s pukul %(time)s %(zone)s") % {
                "day": DAY_NAMES[opening.weekday()],
                "time": opening.strftime("%H.%M"),
                "zone": opening.tzname() or "",
            }
            text += " " + _("Petugas kami akan membalas mulai %(when)s.") % {"when": when.strip()}
        return text


def maybe_auto_reply(conversation_id: int, *, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    if office_hours().is_open(now):
        return "office_open"
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
        if conversation is None or not conversation.is_open:
            return "skipped"
        if conversation.auto_reply_at is not None and now - conversation.auto_reply_at < AUTO_REPLY_EVERY:
            return "already_sent"
        queued = actions.queue_auto_reply(conversation, auto_reply_text(now), now=now)
    if queued is None:
        return "refused"
    # Already in the worker: send now rather than queue another task.
    return outbound.deliver(queued.pk, now=now)
