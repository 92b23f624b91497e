"""The one rule every message to a sender passes before it is queued and again before it is sent.

``send_refusal(conversation, ...)`` returns None (send) or a ``Refusal`` whose
code the operator sees as a translated reason. In order:

1. the channel is configured (empty credentials: off);
2. "never contact": set by an operator on any conversation with this number,
   or by intake (``caller_history``: a contact marked do-not-call-back, a report
   tied to the number with "jangan pernah telepon balik", or a report whose safe
   channel is "jangan dihubungi");
3. WhatsApp's 24-hour customer-service window: outside it only an approved
   template may go;
4. safe times and safe channel, from the most recent report tied to the number
   that states them (``hours.parse_safe_times`` explains what is understood):
   time ranges -> refused outside them; anything the machine cannot read, or a
   safe channel other than this one -> the operator must confirm they checked
   ("ask before sending"); automatic messages are never confirmed, so they are
   not sent.

What was tied to the number is looked up with intake's ``caller_history`` as a
system check, not as the person sending: every tied report counts, including
those the sender may not open.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sigap.accounts.roles import Role
from sigap.intake.channels.conversations.hours import parse_safe_times, within
from sigap.intake.channels.conversations.inbound import sender_index
from sigap.intake.channels.conversations.models import Conversation
from sigap.intake.channels.conversations.providers import provider_for
from sigap.intake.codes import SafeChannel
from sigap.intake.models import Report
from sigap.intake.queries import caller_history

REFUSALS: dict[str, Promise] = {
    "channel_off": _("Saluran ini belum dikonfigurasi. Pesan tidak dikirim."),
    "never_contact": _("Nomor ini ditandai “jangan pernah hubungi”. Pesan tidak dikirim."),
    "never_call_back": _(
        "Laporan atau kontak yang terkait nomor ini meminta agar nomor ini tidak dihubungi. Pesan tidak dikirim."
    ),
    "window_closed": _(
        "Sudah lebih dari 24 jam sejak pesan terakhir pengirim. WhatsApp hanya mengizinkan templat yang disetujui."
    ),
    "outside_safe_time": _(
        "Sekarang di luar waktu aman yang disebut pelapor. Pesan tidak dikirim; coba lagi pada waktu aman."
    ),
    "safe_time_unclear": _(
        "Pelapor menyebut waktu aman yang tidak dapat dibaca sistem. Periksa waktu aman, lalu centang konfirmasi."
    ),
    "other_safe_channel": _(
        "Pelapor menyebut saluran aman yang lain. Periksa saluran aman, lalu centang konfirmasi."
    ),
    "no_template": _("Templat ini tidak ada dalam daftar templat yang disetujui."),
}


def refusal_text(code: str) -> str:
    text = REFUSALS.get(code)
    return str(text) if text is not None else str(_("Pesan tidak dapat dikirim."))


@dataclass(frozen=True)
class Refusal:
    code: str

    @property
    def message(self) -> str:
        return refusal_text(self.code)

    @property
    def needs_confirmation(self) -> bool:
        return self.code in {"safe_time_unclear", "other_safe_channel"}


class _SafetyCheck:
    """The principal the safety rule runs ``caller_history`` as: every tied report counts."""

    pk = None
    is_authenticated = True
    is_active = True
    role = Role.OPERATOR


SAFETY_CHECK = _SafetyCheck()


@dataclass(frozen=True)
class ContactFacts:
    never_contact: bool = False
    safe_times: str | None = None
    safe_channel: str = ""


def contact_facts(conversation: Conversation) -> ContactFacts:
    """What intake and earlier conversations say about reaching this sender."""
    sender = conversation.sender
    never = any(
        c.sender == sender
        for c in Conversation.objects.filter(
            channel__in=("whatsapp", "sms"), sender_index=sender_index(sender), never_contact=True
        ).only("pk", "sender")
    )
    history = caller_history(sender, SAFETY_CHECK)
    never = never or history.do_not_call_back
    safe_times: str | None = None
    safe_channel = ""
    if history.registration_numbers:
        reports = Report.objects.filter(registration_number__in=history.registration_numbers).order_by("-created_at")
        for report in reports.only("pk", "safe_times", "safe_channel", "never_call_back"):
            never = never or report.never_call_back or report.safe_channel == SafeChannel.TIDAK_DIHUBUNGI
            if safe_times is None and safe_channel == "" and (report.safe_times or report.safe_channel):
                safe_times, safe_channel = report.safe_times, report.safe_channel
    return ContactFacts(never_contact=never, safe_times=safe_times, safe_channel=safe_channel)


def send_refusal(
    conversation: Conversation,
    *,
    template: bool = False,
    safe_time_confirmed: bool = False,
    automatic: bool = False,
    now: datetime.datetime | None = None,
    facts: ContactFacts | None = None,
) -> Refusal | None:
    now = now or timezone.now()
    provider = provider_for(conversation.channel)
    if not provider.enabled():
        return Refusal("channel_off")
    if conversation.never_contact:
        return Refusal("never_contact")
    facts = facts or contact_facts(conversation)
    if facts.never_contact:
        return Refusal("never_call_back")
    if provider.window_hours is not None and not template:
        last = conversation.last_inbound_at
        if last is None or now - last > datetime.timedelta(hours=provider.window_hours):
            return Refusal("window_closed")
    confirmed = safe_time_confirmed and not automatic
    if facts.safe_times:
        ranges = parse_safe_times(facts.safe_times)
        if ranges is not None:
            if not within(ranges, now):
                return Refusal("outside_safe_time")
        elif not confirmed:
            return Refusal("safe_time_unclear")
    if facts.safe_channel and facts.safe_channel != conversation.channel and not confirmed:
        return Refusal("other_safe_channel")
    return None


def describe(facts: ContactFacts) -> dict[str, Any]:
    """For the conversation page: what the operator should know before writing."""
    ranges = parse_safe_times(facts.safe_times)
    return {
        "never_contact": facts.never_contact,
        "safe_times": facts.safe_times,
        "safe_times_understood": ranges is not None,
        "safe_channel": SafeChannel(facts.safe_channel).label if facts.safe_channel in SafeChannel.values else "",
    }
