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

from django.db import connections, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from sigap.core.logging import request_id_var
from sigap.vault.keyring import keyring
from sigap.vault.models import AuditEntry, AuditHead

GENESIS = "0" * 64

# JSON string escaping as json.dumps(ensure_ascii=False) does it (C-accelerated).
_json_string = json.encoder.encode_basestring


def utc_stamp(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


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
    return canonical_stamped(seq, utc_stamp(at), actor_id, action, object_type, object_id, reason, request_id)


def canonical_stamped(
    seq: int,
    stamp: str,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    reason: str,
    request_id: str,
) -> bytes:
    """``canonical_values`` with the time already formatted by ``utc_stamp``."""
    actor = "null" if actor_id is None else str(int(actor_id))
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


# The head this connection wrote last, (seq, hash): a guess, checked by the
# compare-and-swap in record(); a wrong guess costs two more statements, never a fork.
_LAST_HEAD = "_sigap_audit_head"


def _locked_head() -> tuple[int, str]:
    head = AuditHead.objects.select_for_update().filter(id=1).values_list("seq", "hash").first()
    if head is None:
        created, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        head = (created.seq, created.hash)
    return head


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
    """Append one entry to the chain, inside the caller's transaction (or its own).

    Two statements when this connection wrote the head last (every entry after
    the first in one transaction, a quiet server): a compare-and-swap ``UPDATE``
    of the head from the values it wrote, which also takes the head's row lock
    until the transaction ends, and the ``INSERT``. When another connection moved
    the head meanwhile (or a rollback undid ours) the swap matches no row, and
    the head is read under ``SELECT ... FOR UPDATE`` and updated: four
    statements. Either way the entry links to the head as it is under the lock,
    so concurrent writers form one chain (SQLite's IMMEDIATE transactions
    serialise them anyway). No savepoint: a failed audit write must fail the
    caller's whole transaction, not just this part of it.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_id = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", True) else None
    request_id = getattr(request, "request_id", "") if request is not None else ""
    entry = AuditEntry(
        at=timezone.now(),
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        reason=reason,
        request_id=request_id or (request_id_var.get() if request_id_var.get() != "-" else ""),
    )
    key = keyring().key("audit")
    connection = transaction.get_connection()

    def link(head: tuple[int, str]) -> None:
        entry.seq, entry.prev_hash = head[0] + 1, head[1]
        entry.hash = chain_hash(key, entry.prev_hash, canonical(entry))

    with transaction.atomic(savepoint=False):
        guess: tuple[int, str] | None = getattr(connection, _LAST_HEAD, None)
        swapped = False
        if guess is not None:
            link(guess)
            swapped = AuditHead.objects.filter(id=1, seq=guess[0], hash=guess[1]).update(
                seq=entry.seq, hash=entry.hash
            ) == 1
        if not swapped:
            link(_locked_head())
            AuditHead.objects.filter(id=1).update(seq=entry.seq, hash=entry.hash)
        entry.save(force_insert=True)
        setattr(connection, _LAST_HEAD, (entry.seq, entry.hash))
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


def _stamp_reader(connection: Any) -> Any:
    """A function turning ``at`` as a raw cursor returns it into ``utc_stamp``'s text.

    SQLite hands back the text Django wrote (naive UTC, ``YYYY-MM-DD HH:MM:SS[.ffffff]``),
    reformatted here without building a datetime; anything else is parsed. A value
    that cannot be read gives an empty stamp, so that entry fails its hash check.
    """
    zone = connection.timezone

    def from_value(value: Any) -> str:
        try:
            if isinstance(value, str):
                if len(value) == 26 and value[10] == " " and value[19] == "." and zone is datetime.UTC:
                    return f"{value[:10]}T{value[11:]}+00:00"
                value = datetime.datetime.fromisoformat(value)
            if value.tzinfo is None:
                value = value.replace(tzinfo=zone)
            return utc_stamp(value)
        except (TypeError, ValueError, AttributeError):
            return ""

    return from_value


def _chain_hasher(key: bytes) -> Any:
    """``chain_hash`` for many entries: the keyed HMAC state is set up once and copied per entry."""
    # OpenSSL's HMAC object: copy() skips the key schedule and hmac.HMAC's Python wrappers.
    try:
        from _hashlib import hmac_new
    except ImportError:  # pragma: no cover - Python built without OpenSSL
        return lambda prev, canonical_entry: chain_hash(key, prev, canonical_entry)
    keyed = hmac_new(key, digestmod="sha256")

    def digest(prev: str, canonical_entry: bytes) -> str:
        state = keyed.copy()
        state.update(prev.encode() + b"|" + canonical_entry)
        return str(state.hexdigest())

    return digest


def verify_chain(*, chunk_size: int = 5000, anchors: dict[int, str] | None = None) -> ChainReport:
    """Walk the whole chain in ``seq`` order and stop at the first entry that does not hold.

    Detects an entry changed (its hash no longer matches), removed (a gap in
    ``seq``), inserted or moved (the previous-hash link breaks), and a chain cut
    short or extended behind the head's back (``AuditHead`` disagrees).
    ``anchors`` maps sequence numbers to hashes copied off the machine earlier
    (``audit_head``); they catch a rewrite by someone holding the audit key.

    Rows are read with plain SQL in keyset pages of ``chunk_size``: no model
    instances and no per-row field converters, which cost more than the HMAC.
    """
    hasher = _chain_hasher(keyring().key("audit"))
    anchors = dict(anchors or {})
    report = ChainReport()
    expected_seq = 1
    prev = GENESIS
    connection = connections[AuditEntry.objects.db]
    stamp_of = _stamp_reader(connection)
    quote = connection.ops.quote_name
    columns = {f.attname: f.column for f in AuditEntry._meta.concrete_fields}
    select = ", ".join(quote(columns[name]) for name in VERIFY_COLUMNS)
    seq_column = quote(columns["seq"])
    # Identifiers come from the model's metadata, quoted; values are parameters.
    sql = (
        f"SELECT {select} FROM {quote(AuditEntry._meta.db_table)} "  # noqa: S608
        f"WHERE {seq_column} > %s ORDER BY {seq_column} LIMIT %s"
    )
    after = -(2**62)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [after, chunk_size])
            batch = cursor.fetchall()
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
            canonical_entry = canonical_stamped(
                seq, stamp_of(at), actor_id, action, object_type, object_id, reason, request_id
            )
            if hasher(prev, canonical_entry) != stored:
                report.problem = ChainProblem(seq, "was altered: its hash does not match its content")
                return report
            if anchors:
                anchored = anchors.pop(seq, None)
                if anchored is not None and anchored != stored:
                    report.problem = ChainProblem(seq, "differs from the anchored head copied earlier")
                    return report
            prev = stored
            expected_seq = seq + 1
            report.checked += 1
        report.last_seq, report.last_hash = batch[-1][0], prev
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
