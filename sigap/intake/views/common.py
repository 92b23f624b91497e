"""What the intake screens share: one-time form tokens, submitting a report form, keyset pages."""

from __future__ import annotations

import copy
import datetime
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from pydantic import ValidationError

from sigap.intake.access import village_problems
from sigap.intake.actions import (
    Idempotency,
    IdempotencyConflict,
    SubmittedReport,
    submit_report,
    unknown_needs_reason,
)
from sigap.intake.ages import case_types_label
from sigap.intake.codes import PUBLIC_STATUS, ViolenceType
from sigap.intake.forms import ReportEntry
from sigap.intake.models import Contact, Report
from sigap.intake.triage import reason_labels
from sigap.intake.validation import ReportInput, ReportInvalid, check_report
from sigap.lib.params import parse_id
from sigap.lib.pydantic_errors import fields_from_errors

# --- one-time form tokens ---------------------------------------------------------------
#
# Every report form carries a random token, signed so only tokens this server
# issued are accepted. The token is the submission's idempotency key: a double
# click, a refresh of the answer page or a retried POST replays the first answer
# (same report, same tracking code and PIN) instead of filing a second report.

_TOKEN_SALT = "sigap.intake.form-token"  # noqa: S105 - a signing namespace, not a secret


def issue_form_token() -> str:
    return signing.TimestampSigner(salt=_TOKEN_SALT).sign(secrets.token_urlsafe(24))


def form_token_key(signed: str | None) -> str | None:
    """The idempotency key inside a token this server issued recently, or None."""
    if not signed or len(signed) > 200:
        return None
    try:
        raw = signing.TimestampSigner(salt=_TOKEN_SALT).unsign(
            signed, max_age=datetime.timedelta(hours=settings.SIGAP_IDEMPOTENCY_HOURS)
        )
    except signing.BadSignature:
        return None
    return f"form:{raw}"


# --- submitting ---------------------------------------------------------------------------


@dataclass
class Outcome:
    submitted: SubmittedReport | None = None
    problems: dict[str, str] = field(default_factory=dict)
    refused: bool = False  # ``admit`` said no: a limit, not a problem of the form


def submit_entry(
    request: HttpRequest,
    entry: ReportEntry,
    *,
    by: Any,
    channel: str | None = None,
    source: str = "",
    contact: Contact | None = None,
    token: str | None = None,
    admit: Callable[[], bool] | None = None,
) -> Outcome:
    """Validate the form through validation.py and file it, or put the errors on the form.

    Nothing is saved unless everything is valid (``submit_report`` is one transaction).
    ``admit``, when given, is asked only for a submission that would be stored (valid, with a
    good token); False refuses it (``Outcome.refused``) and nothing is stored.
    """
    payload = entry.payload()
    if channel:
        payload["channel"] = channel
    if source:
        payload["source"] = source
    problems = entry.management_problems()
    data, fields = validate_all(payload, unknown_needs_reason=unknown_needs_reason(by))
    # A village volunteer reports only for their own desa: said in the same round
    # as every other message (submit_report checks it again).
    victims = payload.get("victims")
    victim_desa = [v.get("desa") if isinstance(v, dict) else None for v in victims] if isinstance(victims, list) else []
    village = village_problems(by, victim_desa)
    if village:
        data = None
        for path, message in village.items():
            fields.setdefault(path, message)
    if data is None:
        entry.apply_errors(fields)
        for problem in problems:
            entry.details.add_error(None, problem)
        return Outcome(problems=fields)
    key = form_token_key(token)
    if key is None:
        # A missing, forged or expired token: ask for one more press with a fresh token,
        # rather than risk filing the same report twice.
        message = _("Formulir ini sudah kedaluwarsa. Periksa isian lalu tekan Kirim sekali lagi.")
        entry.apply_errors({})
        entry.details.add_error(None, message)
        return Outcome(problems={"form_token": message})
    if admit is not None and not admit():
        return Outcome(refused=True)
    idempotency = Idempotency(key=key, request_digest=Idempotency.digest_of(payload))
    try:
        submitted = submit_report(
            data, by=by, channel=channel, request=request, source=source, idempotency=idempotency, contact=contact
        )
    except ReportInvalid as error:
        entry.apply_errors(error.fields)
        return Outcome(problems=error.fields)
    except IdempotencyConflict:
        message = _(
            "Formulir ini sudah pernah dikirim dengan isi yang berbeda. Laporan pertama sudah tersimpan; "
            "periksa isian lalu tekan Kirim untuk mengirimnya sebagai laporan baru."
        )
        entry.apply_errors({})
        entry.details.add_error(None, message)
        return Outcome(problems={"form_token": message})
    return Outcome(submitted=submitted)


# Stand-ins for required values that failed the first layer of validation, so the
# second layer (check_report) can still judge everything else in the same round.
_STAND_INS: dict[str, Any] = {
    "sex": "P",
    "desa": "00.00.00.0000",  # unknown: check_report flags it, but that field already has its message
    "when": "2000-01-01T00:00",
    "description": "-",
    "channel": "telepon",
    "process": True,
    "violence_types": list(ViolenceType.values),
    "declined_identity": True,
}


def _stand_in(payload: Any, path: list[str]) -> bool:
    """Replace the value at ``path`` by a stand-in (or drop it); False when the path cannot be patched."""
    node = payload
    for part in path[:-1]:
        if isinstance(node, list) and part.isascii() and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    leaf = path[-1]
    if isinstance(node, list):
        # An element of a list of codes: the whole list gets the stand-in.
        return _stand_in(payload, path[:-1])
    if not isinstance(node, dict):
        return False
    if leaf in _STAND_INS:
        node[leaf] = copy.deepcopy(_STAND_INS[leaf])
    elif leaf in {"victims", "chronology"}:
        return False
    else:
        node.pop(leaf, None)
    return True


def validate_all(payload: dict[str, Any], *, unknown_needs_reason: bool = True
                 ) -> tuple[ReportInput | None, dict[str, str]]:
    """Every problem of a report form in one round: (valid input, {}) or (None, {path: message}).

    validation.py checks shapes first and the calendar/database rules only on a
    well-shaped report. A person fixing a form should not meet a second wave of
    messages, so when shapes fail, the broken values are replaced by stand-ins and
    the rules run on the rest; their messages are added where a field has none yet.
    """
    try:
        data = ReportInput.model_validate(payload)
    except ValidationError as error:
        fields = fields_from_errors(error.errors())
    else:
        problems = check_report(data, unknown_needs_reason=unknown_needs_reason)
        return (data, {}) if not problems else (None, problems)
    patched = copy.deepcopy(payload)
    if not all(_stand_in(patched, path.split(".")) for path in fields):
        return None, fields
    try:
        stand_in = ReportInput.model_validate(patched)
    except ValidationError:
        return None, fields
    for path, message in check_report(stand_in, unknown_needs_reason=unknown_needs_reason).items():
        fields.setdefault(path, message)
    return None, fields


def risk_context(report: Report) -> dict[str, Any]:
    return {
        "risk": report.risk,
        "risk_label": report.get_risk_display(),
        "risk_reasons": reason_labels(list(report.risk_reasons or [])),
        "response_due_at": report.response_due_at,
        # Every case type its victims have (issue 14: the case type belongs to each victim).
        "case_type_label": case_types_label(report.victims.values_list("case_type", flat=True)),
    }


def public_status_label(report_or_status: Report | str) -> str:
    status = report_or_status if isinstance(report_or_status, str) else PUBLIC_STATUS.get(report_or_status.status)
    labels = {
        "diterima": _("Diterima"),
        "ditangani": _("Sedang ditangani"),
        "selesai": _("Selesai"),
    }
    return str(labels.get(status or "diterima", labels["diterima"]))


# --- keyset pages -------------------------------------------------------------------------
#
# Lists are ordered newest first by (created_at, id) and paged by the last row
# seen, never by OFFSET or a COUNT(*) of everything: the thousandth page of a
# million reports costs what the first one does.


@dataclass
class KeysetPage:
    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None


def _encode(row: Any) -> str:
    micros = int(row.created_at.timestamp() * 1_000_000)
    return f"{micros}_{row.pk}"


def _decode(cursor: str | None) -> tuple[datetime.datetime, int] | None:
    if not cursor or len(cursor) > 40:
        return None
    micros, _sep, pk = cursor.partition("_")
    try:
        number = parse_id(pk)
        if number is None or not micros.isascii():
            return None
        moment = datetime.datetime.fromtimestamp(int(micros) / 1_000_000, tz=datetime.UTC)
        return moment, number
    except (ValueError, OverflowError, OSError):
        return None


def keyset_page(queryset: QuerySet[Any], params: Mapping[str, str], size: int = 25) -> KeysetPage:
    """One page of ``queryset`` newest first; ``params["after"]``/``["before"]`` are cursors."""
    after = _decode(params.get("after"))
    before = _decode(params.get("before")) if after is None else None
    if before is not None:
        moment, pk = before
        rows = list(
            queryset.filter(Q(created_at__gt=moment) | Q(created_at=moment, pk__gt=pk))
            .order_by("created_at", "pk")[: size + 1]
        )
        has_more = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(
            rows=rows,
            next_cursor=_encode(rows[-1]) if rows else None,
            prev_cursor=_encode(rows[0]) if rows and has_more else None,
        )
    query = queryset
    if after is not None:
        moment, pk = after
        query = query.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk))
    rows = list(query.order_by("-created_at", "-pk")[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        next_cursor=_encode(rows[-1]) if rows and has_more else None,
        prev_cursor=_encode(rows[0]) if rows and after is not None else None,
    )


def query_without(params: QueryDict, *names: str) -> str:
    """The query string of ``params`` without ``names`` (for page links that keep the filters)."""
    copy = params.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()


# --- deadline order: reports awaiting a response first, by deadline, then the rest newest first ---------
#
# Two keyset segments chained: A = status "diterima" by (response_due_at, id)
# ascending (overdue on top, as the earliest deadlines come first), B = every
# other report by (created_at, id) descending. A cursor names its segment
# ("a"/"b") so each page is still one or two index range scans, never OFFSET.


@dataclass(frozen=True)
class _Segment:
    name: str
    queryset: QuerySet[Any]
    field: str
    descending: bool

    def ordered(self, backwards: bool) -> QuerySet[Any]:
        down = self.descending != backwards
        return self.queryset.order_by(f"-{self.field}" if down else self.field, "-pk" if down else "pk")

    def beyond(self, cursor: tuple[datetime.datetime, int], backwards: bool) -> QuerySet[Any]:
        moment, pk = cursor
        op = "lt" if self.descending != backwards else "gt"
        return self.ordered(backwards).filter(
            Q(**{f"{self.field}__{op}": moment}) | Q(**{self.field: moment, f"pk__{op}": pk})
        )

    def encode(self, row: Any) -> str:
        micros = int(getattr(row, self.field).timestamp() * 1_000_000)
        return f"{self.name}{micros}_{row.pk}"


def _decode_segment(cursor: str | None) -> tuple[str, tuple[datetime.datetime, int]] | None:
    if not cursor or cursor[0] not in "ab":
        return None
    decoded = _decode(cursor[1:])
    return (cursor[0], decoded) if decoded is not None else None


def deadline_page(queryset: QuerySet[Any], params: Mapping[str, str], *, awaiting: Q, size: int = 25) -> KeysetPage:
    """One page: rows matching ``awaiting`` by response deadline (earliest first), then the rest newest first."""
    first = _Segment("a", queryset.filter(awaiting), "response_due_at", descending=False)
    second = _Segment("b", queryset.exclude(awaiting), "created_at", descending=True)
    segments = [first, second]
    after = _decode_segment(params.get("after"))
    before = _decode_segment(params.get("before")) if after is None else None
    backwards = before is not None
    cursor = after or before
    order = list(reversed(segments)) if backwards else segments
    rows: list[tuple[_Segment, Any]] = []
    started = cursor is None
    for segment in order:
        if not started and cursor is not None and segment.name != cursor[0]:
            continue
        wanted = size + 1 - len(rows)
        if wanted <= 0:
            break
        if not started and cursor is not None:
            found = segment.beyond(cursor[1], backwards)
            started = True
        else:
            found = segment.ordered(backwards)
        rows.extend((segment, row) for row in found[:wanted])
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    plain = [row for _segment, row in rows]
    if not rows:
        return KeysetPage(rows=[], next_cursor=None, prev_cursor=None)
    first_cursor, last_cursor = rows[0][0].encode(rows[0][1]), rows[-1][0].encode(rows[-1][1])
    if backwards:
        return KeysetPage(rows=plain, next_cursor=last_cursor, prev_cursor=first_cursor if has_more else None)
    return KeysetPage(rows=plain, next_cursor=last_cursor if has_more else None,
                      prev_cursor=first_cursor if after is not None else None)
