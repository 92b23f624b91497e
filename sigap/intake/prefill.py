"""Pre-filling the report form from something already recorded: nothing is asked twice.

One mechanism serves every way into a report:

* a recorded contact (``?contact=<id>``, registered here): the channel, the
  caller's number as the reporter's phone and the contact's note as the first
  chronology draft;
* a WhatsApp/SMS conversation (``?conversation=<id>``, registered by the
  channels app): the channel and the messages as the chronology draft;
* a village volunteer's own form: the volunteer as the reporter (name, phone,
  relation "relawan"), editable (``prefill_for`` adds it for every volunteer).

Only ids travel in the URL; phone numbers and notes are read here, server-side,
through each source's access rule. Other parts of SIGAP register a source once
(at import time of their app, in ``AppConfig.ready``)::

    register_prefill("conversation", conversation_prefill)

and ``/pengaduan/laporan/baru/?conversation=<id>`` then opens the report form
with what ``conversation_prefill(object_id, user)`` returns: a dict with any of

* ``channel``: a ``codes.Channel`` value,
* ``description``: text for the first chronology event,
* ``reporter_name``, ``reporter_phone``: the reporter's name and number,
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

from django.apps import apps

from sigap.intake.access import can_manage_reports, can_record_contact, files_as_volunteer
from sigap.intake.codes import Channel, ReporterRelation
from sigap.intake.models import Contact
from sigap.lib.params import parse_id

logger = logging.getLogger(__name__)

PrefillFunc = Callable[[str, Any], "Mapping[str, Any] | None"]

_REGISTRY: dict[str, PrefillFunc] = {}
MAX_ID_LENGTH = 64
MAX_DESCRIPTION = 10000
MAX_NAME = 200
MAX_PHONE = 32


@dataclass(frozen=True)
class Prefill:
    channel: str | None = None
    description: str | None = None
    contact: Contact | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    reporter_relation: str | None = None

    def initial(self) -> dict[str, str]:
        """The ``initial`` of ``forms.ReportEntry``."""
        values = {
            "channel": self.channel,
            "description": self.description,
            "reporter_name": self.reporter_name,
            "reporter_phone": self.reporter_phone,
            "relation": self.reporter_relation,
        }
        return {key: value for key, value in values.items() if value}


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
    return {"channel": contact.channel, "contact": contact.pk, "reporter_phone": contact.caller_phone,
            "description": contact.note}


def volunteer_reporter(user: Any) -> dict[str, str]:
    """A village volunteer as the reporter of their own report: name, phone, relation "relawan"."""
    if not files_as_volunteer(user):
        return {}
    result = {"reporter_relation": str(ReporterRelation.RELAWAN)}
    name = user.get_full_name().strip()
    phone = ""
    try:
        member_model = apps.get_model("network", "Member")
    except LookupError:
        member_model = None
    if member_model is not None:
        member = member_model.objects.filter(user_id=user.pk, left_at__isnull=True).first()
        if member is not None:
            name = name or (member.name or "")
            phone = member.phone or ""
    if name:
        result["reporter_name"] = name[:MAX_NAME]
    if phone:
        result["reporter_phone"] = phone[:MAX_PHONE]
    return result


def _text(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value.strip() else None


def prefill_for(params: Mapping[str, str], user: Any) -> Prefill:
    """Combine what every registered source named in ``params`` offers. Later sources do not override.

    A village volunteer's form starts with the volunteer as the reporter.
    """
    channel: str | None = None
    description: str | None = None
    contact: Contact | None = None
    reporter: dict[str, str | None] = {"reporter_name": None, "reporter_phone": None}
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
        if description is None:
            description = _text(data.get("description"), MAX_DESCRIPTION)
        for key, limit in (("reporter_name", MAX_NAME), ("reporter_phone", MAX_PHONE)):
            if reporter[key] is None:
                reporter[key] = _text(data.get(key), limit)
        value = data.get("contact")
        if contact is None and value is not None:
            contact = attachable_contact(value, user)
    own = volunteer_reporter(user)
    return Prefill(
        channel=channel,
        description=description,
        contact=contact,
        reporter_name=reporter["reporter_name"] or own.get("reporter_name"),
        reporter_phone=reporter["reporter_phone"] or own.get("reporter_phone"),
        reporter_relation=own.get("reporter_relation"),
    )


register_prefill("contact", _contact_prefill)
