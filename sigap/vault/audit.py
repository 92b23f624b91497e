"""Writing to the hash-chained audit log.

``record()`` must run inside the transaction of the change it records: if the
change rolls back, so does its entry, and a change cannot commit without it.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from sigap.core.logging import request_id_var
from sigap.vault.keyring import keyring
from sigap.vault.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def canonical(entry: AuditEntry) -> bytes:
    """The fields the hash covers, in a fixed order and format."""
    body = {
        "seq": entry.seq,
        "at": entry.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "reason": entry.reason,
        "request_id": entry.request_id,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(prev_hash: str, entry: AuditEntry, key: bytes | None = None) -> str:
    key = key or keyring().key("audit")
    return hmac.new(key, prev_hash.encode() + b"|" + canonical(entry), hashlib.sha256).hexdigest()


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    reason: str = "",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction (or its own)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_id = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", True) else None
    request_id = getattr(request, "request_id", "") if request is not None else ""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            reason=reason,
            request_id=request_id or (request_id_var.get() if request_id_var.get() != "-" else ""),
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(head.hash, entry)
        entry.save()
        AuditHead.objects.filter(id=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def record_many(action: str, objects: Iterable[models.Model], **kwargs: Any) -> None:
    for obj in objects:
        record(action, obj=obj, **kwargs)
