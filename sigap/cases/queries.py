"""Read-side queries of the case screens, each a bounded number of SQL statements.

The case list is keyset-paginated on (opened_at, id) and never counts the whole
table: it counts up to ``COUNT_CAP`` matching rows and says "more than" past
that. Every filter column is on ``Case`` itself and indexed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from sigap.accounts.models import User
from sigap.cases.access import case_filter
from sigap.cases.actions import worker_roles
from sigap.cases.codes import CaseStatus, Stage
from sigap.cases.models import Case, CaseReport, CaseViolence, Task
from sigap.intake.codes import Risk, ViolenceType
from sigap.intake.models import Contact, Report, ReporterIdentity, Victim
from sigap.lib.params import parse_id
from sigap.regions.models import Region
from sigap.vault.blind import (
    NotNormalisable,
    nik_index,
    normalise_nik,
    normalise_phone,
    phone_index,
)

PAGE_SIZE = 25
COUNT_CAP = 1000
LIST_COLUMNS = (
    "number", "registration_number", "stage", "status", "risk", "case_type", "kecamatan_code", "desa__name",
    "desa__code", "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name", "opened_at",
    "next_due_at", "has_sexual_violence", "police_deadline_at", "police_referred_at",
)


@dataclass
class CaseFilters:
    status: str = "open"  # open | closed | all
    stage: str = ""
    risk: str = ""
    kecamatan: str = ""
    desa: str = ""
    worker: int | None = None
    overdue: bool = False
    violence: str = ""
    number: str = ""
    phone: str = ""
    nik: str = ""
    after: tuple[datetime.datetime, int] | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def identifier_lookup(self) -> str:
        return "nik" if self.nik else "phone" if self.phone else ""


def _cursor(value: str) -> tuple[datetime.datetime, int] | None:
    try:
        micros, pk = value.split("-", 1)
        number = parse_id(pk)
        if number is None or not micros.isascii():
            return None
        return datetime.datetime.fromtimestamp(int(micros) / 1_000_000, tz=datetime.UTC), number
    except (ValueError, OverflowError, OSError):
        return None


def cursor_for(case: Any) -> str:
    opened: datetime.datetime = case.opened_at
    return f"{int(opened.timestamp() * 1_000_000)}-{case.pk}"


def parse_filters(params: QueryDict) -> CaseFilters:
    """Read the list's query string; unknown values are ignored rather than failing."""

    f = CaseFilters()
    f.status = params.get("status", "open") if params.get("status") in ("open", "closed", "all") else "open"
    f.stage = params.get("stage", "") if params.get("stage") in Stage.values else ""
    f.risk = params.get("risk", "") if params.get("risk") in Risk.values else ""
    f.violence = params.get("violence", "") if params.get("violence") in ViolenceType.values else ""
    kecamatan = params.get("kecamatan", "")
    f.kecamatan = kecamatan if kecamatan.count(".") == 2 and len(kecamatan) <= 8 else ""
    desa = params.get("desa", "")
    f.desa = desa if desa.count(".") == 3 and len(desa) <= 13 else ""
    worker = params.get("worker", "")
    f.worker = parse_id(worker)
    f.overdue = params.get("overdue") == "1"
    f.number = params.get("q", "").strip()[:30]
    after = params.get("after", "")
    f.after = _cursor(after) if after else None
    return f


def parse_identifier(params: QueryDict, f: CaseFilters) -> CaseFilters:
    """The phone number or NIK to look up, from a POST body (never a query string: docs/SECURITY.md)."""
    from django.utils.translation import gettext as _

    phone, nik = params.get("phone", "").strip()[:32], params.get("nik", "").strip()[:32]
    if nik:
        try:
            f.nik = normalise_nik(nik.replace(".", "").replace("-", ""))
        except NotNormalisable:
            f.errors["nik"] = _("NIK harus 16 angka.")
    if phone:
        try:
            f.phone = normalise_phone(phone)
        except NotNormalisable:
            f.errors["phone"] = _("Nomor telepon tidak sah.")
    return f


def report_ids_for_identifier(*, phone: str = "", nik: str = "") -> set[int]:
    """Reports tied to a phone number or NIK, found by blind index and confirmed by decrypting."""
    found: set[int] = set()
    if nik:
        index = nik_index(nik) or ""
        for victim in Victim.objects.filter(nik_index=index).only("report_id", "nik"):
            if victim.nik == nik:
                found.add(victim.report_id)
        identities = [i.pk for i in ReporterIdentity.objects.filter(nik_index=index).only("pk", "nik") if i.nik == nik]
        if identities:
            found.update(Report.objects.filter(reporter_id__in=identities).values_list("pk", flat=True))
    if phone:
        index = phone_index(phone) or ""

        def same(stored: str | None) -> bool:
            try:
                return bool(stored) and normalise_phone(str(stored)) == phone
            except NotNormalisable:
                return False

        identities = [i.pk for i in ReporterIdentity.objects.filter(phone_index=index).only("pk", "phone")
                      if same(i.phone)]
        if identities:
            found.update(Report.objects.filter(reporter_id__in=identities).values_list("pk", flat=True))
        for contact in Contact.objects.filter(caller_phone_index=index, report__isnull=False).only(
            "report_id", "caller_phone"
        ):
            if same(contact.caller_phone):
                found.add(contact.report_id)  # type: ignore[arg-type]
    return found


def case_conditions(user: Any, f: CaseFilters, now: datetime.datetime | None = None, prefix: str = "") -> Q:
    """Visibility and every filter but the violence type, as one condition (``prefix`` "case__" from
    ``CaseViolence``)."""
    p = prefix
    lookups: dict[str, Any] = {}
    status = f.status
    # A closed case is at terminasi and has no open task (actions keep it so): a stage or
    # "overdue" implies the status, and a contradiction matches nothing without a query
    # (otherwise the database scans every closed case looking for one at asesmen).
    implied = "open" if f.overdue or (f.stage and f.stage != Stage.TERMINASI) else (
        "closed" if f.stage == Stage.TERMINASI else "")
    if implied:
        if status in ("open", "closed") and status != implied:
            return Q(pk__in=[])
        status = implied
    if status == "open":
        lookups["status"] = CaseStatus.OPEN
    elif status == "closed":
        lookups["status"] = CaseStatus.CLOSED
    if f.stage:
        lookups["stage"] = f.stage
    if f.risk:
        lookups["risk"] = f.risk
    if f.kecamatan:
        lookups["kecamatan_code"] = f.kecamatan
    if f.desa:
        lookups["desa_id"] = f.desa
    if f.worker:
        lookups["assigned_to_id"] = f.worker
    if f.overdue:
        lookups["next_due_at__lt"] = now or timezone.now()
    if f.number:
        # Two exact, indexed lookups; one OR across them would scan the table.
        ids = set(Case.objects.filter(number=f.number).values_list("pk", flat=True))
        ids.update(CaseReport.objects.filter(report__registration_number=f.number).values_list("case_id", flat=True))
        lookups["pk__in"] = ids
    if f.phone or f.nik:
        report_ids = report_ids_for_identifier(phone=f.phone, nik=f.nik)
        found = set(CaseReport.objects.filter(report_id__in=report_ids).values_list("case_id", flat=True))
        lookups["pk__in"] = found & lookups["pk__in"] if "pk__in" in lookups else found
    return case_filter(user, p) & Q(**{f"{p}{key}": value for key, value in lookups.items()})


def filtered_cases(user: Any, f: CaseFilters, now: datetime.datetime | None = None) -> QuerySet[Case]:
    qs = Case.objects.filter(case_conditions(user, f, now))
    if f.violence:
        qs = qs.filter(Exists(CaseViolence.objects.filter(case=OuterRef("pk"), violence_type=f.violence)))
    return qs


def bounded_count(user: Any, f: CaseFilters, now: datetime.datetime | None = None) -> int:
    """How many cases match, counting no further than COUNT_CAP + 1.

    With a violence type the count starts from ``CaseViolence``'s (type, case)
    index, so a rare type costs its own rows, not a scan of every case.
    """
    if f.violence:
        rows = CaseViolence.objects.filter(violence_type=f.violence).filter(case_conditions(user, f, now, "case__"))
        return rows.values("pk")[: COUNT_CAP + 1].count()
    return filtered_cases(user, f, now).order_by().values("pk")[: COUNT_CAP + 1].count()


@dataclass
class CasePage:
    rows: list[dict[str, Any]]
    next_cursor: str
    count: int
    count_capped: bool


def case_page(user: Any, f: CaseFilters, now: datetime.datetime | None = None) -> CasePage:
    """One page of the list (two queries: the rows and a bounded count)."""
    now = now or timezone.now()
    count = bounded_count(user, f, now)
    page_qs = filtered_cases(user, f, now)
    if f.after is not None:
        # (opened_at, id) < cursor, written as a range on opened_at so it reads the index.
        opened, pk = f.after
        page_qs = page_qs.filter(opened_at__lte=opened).exclude(opened_at=opened, pk__gte=pk)
    rows = list(page_qs.order_by("-opened_at", "-id").values("pk", *LIST_COLUMNS)[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    stage_labels, risk_labels = dict(Stage.choices), dict(Risk.choices)
    for row in rows:
        row["stage_label"] = stage_labels.get(row["stage"], row["stage"])
        row["risk_label"] = risk_labels.get(row["risk"], row["risk"])
        row["overdue"] = row["next_due_at"] is not None and row["next_due_at"] < now
        first, last = row["assigned_to__first_name"] or "", row["assigned_to__last_name"] or ""
        row["worker_name"] = f"{first} {last}".strip() or row["assigned_to__username"] or ""
    next_cursor = ""
    if more and rows:
        last_row = rows[-1]
        next_cursor = f"{int(last_row['opened_at'].timestamp() * 1_000_000)}-{last_row['pk']}"
    return CasePage(rows=rows, next_cursor=next_cursor, count=min(count, COUNT_CAP), count_capped=count > COUNT_CAP)


def workers() -> list[User]:
    return list(User.objects.filter(role__in=worker_roles(), is_active=True).order_by("first_name", "username"))


@dataclass
class WorkerLoad:
    user: User
    open_cases: int
    overdue_tasks: int


def worker_loads(now: datetime.datetime | None = None) -> list[WorkerLoad]:
    """Each worker's open cases and overdue tasks (three queries whatever the numbers)."""
    now = now or timezone.now()
    people = workers()
    ids = [u.pk for u in people]
    open_counts = dict(
        Case.objects.filter(status=CaseStatus.OPEN, assigned_to_id__in=ids)
        .values("assigned_to_id").annotate(n=Count("pk")).values_list("assigned_to_id", "n")
    )
    overdue = dict(
        Task.objects.filter(done_at__isnull=True, due_at__lt=now, case__status=CaseStatus.OPEN,
                    case__assigned_to_id__in=ids)
        .values("case__assigned_to_id").annotate(n=Count("pk")).values_list("case__assigned_to_id", "n")
    )
    return [WorkerLoad(u, open_counts.get(u.pk, 0), overdue.get(u.pk, 0)) for u in people]


def kecamatan_choices() -> list[tuple[str, str]]:
    return list(Region.objects.in_deployment().kecamatan().order_by("code").values_list("code", "name"))


def desa_choices(kecamatan: str) -> list[tuple[str, str]]:
    if not kecamatan:
        return []
    return list(Region.objects.desa().filter(parent_id=kecamatan).order_by("code").values_list("code", "name"))
