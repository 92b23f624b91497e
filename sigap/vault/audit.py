"""Writing to the hash-chained audit log.

``record()`` must run inside the transaction of the change it records: if the
change rolls back, so does its entry, and a change cannot commit without it.
"""

from __future__ import annotations

import datetime
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from sigap.core.logging import request_id_var
from sigap.vault.keyring import keyring
from sigap.vault.models import AuditEntry, AuditHead

GENESIS = "0" * 64

# JSON string escaping as json.dumps(ensure_ascii=False) does it (C-accelerated).
_json_string = json.encoder.encode_basestring


def canonical_values(
    seq: int,
    at: datetime.datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    reason: str,
    request_id: str,
) -> bytes:
    """The fields the hash covers, in a fixed order and format.

    Byte for byte ``json.dumps({...}, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` of the entry's fields, written out by hand because
    ``verify_audit`` computes it for every entry (a test keeps the two equal).
    """
    actor = "null" if actor_id is None else str(int(actor_id))
    stamp = at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return (
        f'{{"action":{_json_string(action)},"actor":{actor},"at":"{stamp}",'
        f'"object_id":{_json_string(object_id)},"object_type":{_json_string(object_type)},'
        f'"reason":{_json_string(reason)},"request_id":{_json_string(request_id)},"seq":{int(seq)}}}'
    ).encode()


def canonical(entry: AuditEntry) -> bytes:
    return canonical_values(
        entry.seq,
        entry.at,
        entry.actor_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.reason,
        entry.request_id,
    )


def chain_hash(key: bytes, prev_hash: str, canonical_entry: bytes) -> str:
    return hmac.digest(key, prev_hash.encode() + b"|" + canonical_entry, "sha256").hex()


def entry_hash(prev_hash: str, entry: AuditEntry, key: bytes | None = None) -> str:
    return chain_hash(key or keyring().key("audit"), prev_hash, canonical(entry))


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


def opened(obj: models.Model, *, request: HttpRequest) -> AuditEntry:
    """Every open of a confidential record (report, case) is one entry."""
    return record(f"{obj._meta.label_lower}.open", actor=getattr(request, "user", None), obj=obj, request=request)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str

    def __str__(self) -> str:
        return f"entry #{self.seq}: {self.message}"


@dataclass
class ChainReport:
    checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    problem: ChainProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


VERIFY_COLUMNS = (
    "seq", "at", "actor_id", "action", "object_type", "object_id", "reason", "request_id", "prev_hash", "hash",
)


def verify_chain(*, chunk_size: int = 5000, anchors: dict[int, str] | None = None) -> ChainReport:
    """Walk the whole chain in ``seq`` order and stop at the first entry that does not hold.

    Detects an entry changed (its hash no longer matches), removed (a gap in
    ``seq``), inserted or moved (the previous-hash link breaks), and a chain cut
    short or extended behind the head's back (``AuditHead`` disagrees).
    ``anchors`` maps sequence numbers to hashes copied off the machine earlier
    (``audit_head``); they catch a rewrite by someone holding the audit key.
    """
    key = keyring().key("audit")
    anchors = dict(anchors or {})
    report = ChainReport()
    expected_seq = 1
    prev = GENESIS
    rows = AuditEntry.objects.order_by("seq").values_list(*VERIFY_COLUMNS)
    after = 0
    while True:
        batch = list(rows.filter(seq__gt=after)[:chunk_size]) if after else list(rows[:chunk_size])
        if not batch:
            break
        for seq, at, actor_id, action, object_type, object_id, reason, request_id, prev_hash, stored in batch:
            if seq != expected_seq:
                if seq > expected_seq:
                    message = f"missing: the chain jumps from #{expected_seq - 1} to #{seq}"
                    report.problem = ChainProblem(expected_seq, message)
                else:
                    report.problem = ChainProblem(seq, f"out of place (expected #{expected_seq})")
                return report
            if prev_hash != prev:
                report.problem = ChainProblem(
                    seq, "does not link to the entry before it (an entry was inserted, removed or reordered)"
                )
                return report
            canonical_entry = canonical_values(seq, at, actor_id, action, object_type, object_id, reason, request_id)
            if chain_hash(key, prev, canonical_entry) != stored:
                report.problem = ChainProblem(seq, "was altered: its hash does not match its content")
                return report
            anchored = anchors.pop(seq, None)
            if anchored is not None and anchored != stored:
                report.problem = ChainProblem(seq, "differs from the anchored head copied earlier")
                return report
            prev = stored
            expected_seq = seq + 1
            report.checked += 1
            report.last_seq, report.last_hash = seq, stored
        after = batch[-1][0]
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, GENESIS)
    if report.last_seq < head_seq:
        report.problem = ChainProblem(
            report.last_seq + 1, f"missing: the head records #{head_seq} but the chain ends at #{report.last_seq}"
        )
    elif report.last_seq > head_seq:
        report.problem = ChainProblem(head_seq + 1, f"is beyond the recorded head #{head_seq} (inserted)")
    elif report.last_hash != head_hash:
        report.problem = ChainProblem(report.last_seq, "does not match the hash recorded in the head")
    elif anchors:
        first = min(anchors)
        report.problem = ChainProblem(first, "is anchored but no longer in the chain")
    return report
