"""Who may reach conversations: helpers on top of ``Conversation.objects.visible_to``. Fail closed."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sigap.accounts.roles import Perm, has_permission
from sigap.intake.channels.conversations.models import Conversation, ConversationQuerySet
from sigap.lib.params import parse_id


def can_use_inbox(user: Any) -> bool:
    return has_permission(user, Perm.RECORD_CONTACT)


def can_assign(user: Any) -> bool:
    """Handing a conversation to someone else: whoever works the inbox."""
    return has_permission(user, Perm.RECORD_CONTACT)


def conversations_for(user: Any, *, on_duty: bool = False) -> ConversationQuerySet:
    return Conversation.objects.visible_to(user, on_duty=on_duty)


def get_conversation_for(user: Any, pk: Any, *, on_duty: bool = False) -> Conversation:
    """The conversation if ``user`` may see it; Http404 otherwise (also for malformed ids).

    ``on_duty=True`` only to open it (page, media) or take it: the duty grants apply too."""
    conversation_id = parse_id(pk)
    if conversation_id is None:
        raise Http404
    conversation = conversations_for(user, on_duty=on_duty).filter(pk=conversation_id).first()
    if conversation is None:
        raise Http404
    return conversation


def reached_on_duty(user: Any, conversation: Conversation) -> bool:
    """True when ``user`` reaches ``conversation`` only through a duty grant (audited as such)."""
    from sigap.intake.channels.conversations.models import _DUTY_GRANTS

    if not _DUTY_GRANTS or has_permission(user, Perm.VIEW_REPORTS):
        return False
    return not conversations_for(user).filter(pk=conversation.pk).exists()
