"""Who opened or took out which records in a period, from the audit log.

UU 27/2022 Pasal 46 gives the office 3x24 hours to notify the people whose data
a breach touched. After a suspected breach (a stolen laptop, an account used by
someone else, a lost backup disk) this answers the first question quickly:
which records were opened, revealed, exported or downloaded, and by which
accounts. It lists ids only; the office looks them up inside SIGAP.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from sigap.accounts.models import User
from sigap.vault.models import AuditEntry

# Action names are "<area>.<verb>..." (intake.report.open, intake.report.reveal_reporter,
# stats.export, ops.backup_export, cases.document_download, ...).
ACCESS_MARKERS = ("open", "reveal", "export", "download")


@dataclass
class Group:
    key: tuple[str, ...]
    count: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    others: set[str] = field(default_factory=set)
    first: datetime.datetime | None = None
    last: datetime.datetime | None = None

    def add(self, entry: AuditEntry, other: str) -> None:
        self.count += 1
        self.actions[entry.action] += 1
        if other:
            self.others.add(other)
        self.first = entry.at if self.first is None or entry.at < self.first else self.first
        self.last = entry.at if self.last is None or entry.at > self.last else self.last


@dataclass
class BreachReport:
    since: datetime.datetime
    until: datetime.datetime
    entries: int
    by_object: list[Group]
    by_user: list[Group]
    roles: dict[str, str]


def access_entries(since: datetime.datetime, until: datetime.datetime) -> list[AuditEntry]:
    matches = reduce(or_, (Q(action__icontains=marker) for marker in ACCESS_MARKERS))
    return list(
        AuditEntry.objects.filter(at__gte=since, at__lt=until).filter(matches)
        .only("seq", "at", "actor_id", "action", "object_type", "object_id").order_by("seq")
    )


def build(since: datetime.datetime, until: datetime.datetime) -> BreachReport:
    entries = access_entries(since, until)
    objects: dict[tuple[str, ...], Group] = defaultdict(lambda: Group(()))
    users: dict[tuple[str, ...], Group] = defaultdict(lambda: Group(()))
    for entry in entries:
        actor = str(entry.actor_id) if entry.actor_id is not None else ""
        target = f"{entry.object_type}#{entry.object_id}" if entry.object_type else ""
        object_key = (entry.object_type, entry.object_id)
        objects[object_key].key = object_key
        objects[object_key].add(entry, actor)
        user_key = (actor,)
        users[user_key].key = user_key
        users[user_key].add(entry, target)
    actor_ids = [int(g.key[0]) for g in users.values() if g.key[0]]
    roles = {str(pk): role for pk, role in User.objects.filter(pk__in=actor_ids).values_list("pk", "role")}
    return BreachReport(
        since=since,
        until=until,
        entries=len(entries),
        by_object=sorted(objects.values(), key=lambda g: (-g.count, g.key)),
        by_user=sorted(users.values(), key=lambda g: (-g.count, g.key)),
        roles=roles,
    )


def parse_moment(text: str, *, end: bool) -> datetime.datetime:
    """A date (the whole day, in the office's time zone) or an ISO date-time."""
    text = text.strip()
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        moment = datetime.datetime.fromisoformat(text)
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    if end:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
