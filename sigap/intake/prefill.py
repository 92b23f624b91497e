"""Pre-filling the staff report form from something recorded elsewhere.

Other parts of SIGAP register a source once (at import time of their app, in
``AppConfig.ready``)::

    register_prefill("conversation", conversation_prefill)

and ``/pengaduan/laporan/baru/?conversation=<id>`` then opens the report form
with what ``conversation_prefill(object_id, user)`` returns: a dict with any of

* ``channel``: a ``codes.Channel`` value,
* ``description``: text for the first chronology event,
* ``contact``: the id of a recorded ``Contact`` to attach the report to.

A function returns None for an id that does not exist or that ``user`` may not
see; the form then opens empty. Whatever a function returns is checked again
here (channel against the code list, the contact through ``attachable_contact``)
and a function that raises is treated as None, so a bad id is never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sigap.intake.access import can_manage_reports, can_record_contact
from sigap.intake.codes import Channel
from sigap.intake.models import Contact
from sigap.lib.params import parse_id

logger = logging.getLogger(__name__)

PrefillFunc = Callable[[str, Any], "Mapping[str, Any] | None"]

_REGISTRY: dict[str, PrefillFunc] = {}
MAX_ID_LENGTH = 64
MAX_DESCRIPTION = 10000


@dataclass(frozen=True)
class Prefill:
    channel: str | None = None
    description: str | None = None
    contact: Contact | None = None


def register_prefill(source_name: str, func: PrefillFunc) -> None:
    """Make ``?<source_name>=<id>`` pre-fill the report form through ``func``."""
    if not source_name.isidentifier():
        raise ValueError("a prefill source name is a plain identifier")
    _REGISTRY[source_name] = func


def registered_sources() -> list[str]:
    return sorted(_REGISTRY)


def attachable_contact(contact_id: Any, user: Any) -> Contact | None:
    """A recorded contact ``user`` may attach a new report to, or None.

    Not yet tied to a report, and recorded by ``user`` or seen by someone who
    manages reports (operators and managers take over each other's calls).
    """
    if not can_record_contact(user):
        return None
    pk = parse_id(str(contact_id))
    if pk is None:
        return None
    contact = Contact.objects.filter(pk=pk, report__isnull=True).first()
    if contact is None:
        return None
    if contact.operator_id != user.pk and not can_manage_reports(user):
        return None
    return contact


def _contact_prefill(object_id: str, user: Any) -> Mapping[str, Any] | None:
    contact = attachable_contact(object_id, user)
    if contact is None:
        return None
    return {"channel": contact.channel, "contact": contact.pk}


def prefill_for(params: Mapping[str, str], user: Any) -> Prefill:
    """Combine what every registered source named in ``params`` offers. Later sources do not override."""
    channel: str | None = None
    description: str | None = None
    contact: Contact | None = None
    for name in registered_sources():
        raw = params.get(name)
        if not raw or len(raw) > MAX_ID_LENGTH:
            continue
        try:
            data = _REGISTRY[name](raw, user)
        except Exception as error:
            # The id came from a URL: never let it break the form. The message of
            # the error may hold personal data, so only its type is logged.
            logger.warning("prefill source %s failed: %s", name, type(error).__name__)
            continue
        if not data:
            continue
        value = data.get("channel")
        if channel is None and isinstance(value, str) and value in Channel.values:
            channel = value
        value = data.get("description")
        if description is None and isinstance(value, str) and value.strip():
            description = value[:MAX_DESCRIPTION]
        value = data.get("contact")
        if contact is None and value is not None:
            contact = attachable_contact(value, user)
    return Prefill(channel=channel, description=description, contact=contact)


register_prefill("contact", _contact_prefill)
