"""Accompaniment figures for where the office reports: the statistics dashboard and the monthly report.

Counts of cases and rupiah sums only, each event counted in the period of its
own date (a restitution ordered in March counts in March, whenever it was
requested; a case that entered penyidikan and P-21 in one month counts once in
each stage): nothing that names a case, a person or a place below the
kecamatan. Read from the accompaniment tables when asked: they hold tens of rows
a month per district, and every filter is on a dated plain column.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.accompaniment.codes import (
    AppointmentKind,
    AppointmentStatus,
    JusticeStage,
    LpskStatus,
    ProtectionKind,
)
from sigap.accompaniment.models import (
    Appointment,
    JusticeStep,
    LpskApplication,
    Protection,
    Restitution,
)


@dataclass(frozen=True)
class Row:
    label: str
    cases: int
    amount: int | None = None  # rupiah, where the row is about money


@dataclass
class Figures:
    justice: list[Row] = field(default_factory=list)  # cases entering each stage of the criminal process
    accompanied: int = 0  # justice steps at which the victim was accompanied
    hearings: int = 0  # court hearings attended
    protections: list[Row] = field(default_factory=list)
    lpsk: list[Row] = field(default_factory=list)
    restitution: list[Row] = field(default_factory=list)

    def process_rows(self) -> list[list[Any]]:
        """Cases per justice stage, protection and LPSK step; then hearings and accompanied steps (events)."""
        return [[row.label, row.cases] for row in self.justice + self.protections + self.lpsk] + [
            [_("Sidang yang dihadiri (jadwal)"), self.hearings],
            [_("Tahap proses hukum dengan korban didampingi"), self.accompanied],
        ]

    def money_rows(self) -> list[list[Any]]:
        """Cases and rupiah per restitution step."""
        return [[row.label, row.cases, row.amount or 0] for row in self.restitution]

    @property
    def empty(self) -> bool:
        rows = self.justice + self.protections + self.lpsk + self.restitution
        return not (self.hearings or self.accompanied or any(r.cases for r in rows))


def _day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return (timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)),
            timezone.make_aware(datetime.datetime.combine(end, datetime.time.min)))


def _cases(queryset: Any, **filters: Any) -> int:
    return int(queryset.filter(**filters).aggregate(n=Count("case", distinct=True))["n"] or 0)


def figures(start: datetime.date, end: datetime.date, kecamatan: str = "") -> Figures:
    """What happened from ``start`` up to (not including) ``end``, in one kecamatan or the whole region."""
    where = Q(case__kecamatan_code=kecamatan) if kecamatan else Q()
    since, until = _day_bounds(start, end)
    out = Figures()

    steps = JusticeStep.objects.filter(where, on__gte=start, on__lt=end)
    by_stage = dict(steps.values_list("stage").annotate(n=Count("case", distinct=True)))
    out.justice = [Row(str(label), by_stage.get(value, 0)) for value, label in JusticeStage.choices]
    out.accompanied = steps.filter(accompanied=True).count()
    out.hearings = Appointment.objects.filter(where, kind=AppointmentKind.HEARING, status=AppointmentStatus.ATTENDED,
                                              starts_at__gte=since, starts_at__lt=until).count()

    protections = dict(Protection.objects.filter(where, granted_at__gte=since, granted_at__lt=until)
                       .values_list("kind").annotate(n=Count("case", distinct=True)))
    out.protections = [Row(str(label), protections.get(value, 0)) for value, label in ProtectionKind.choices]

    lpsk = LpskApplication.objects.filter(where)
    out.lpsk = [
        Row(_("Permohonan dikirim ke LPSK"), _cases(lpsk, sent_at__gte=since, sent_at__lt=until)),
        Row(_("Diterima LPSK"), _cases(lpsk, status=LpskStatus.ACCEPTED, decided_at__gte=since,
                                       decided_at__lt=until)),
        Row(_("Ditolak LPSK"), _cases(lpsk, status=LpskStatus.REJECTED, decided_at__gte=since,
                                      decided_at__lt=until)),
    ]

    restitution = Restitution.objects.filter(where)
    for label, day, amount in (
        (_("Restitusi diajukan"), "requested_on", "requested_amount"),
        (_("Restitusi dinilai LPSK"), "assessed_on", "assessed_amount"),
        (_("Restitusi diputus pengadilan"), "ordered_on", "ordered_amount"),
        (_("Restitusi dibayar pelaku"), "paid_on", "paid_amount"),
        (_("Kompensasi Dana Bantuan Korban"), "compensation_on", "compensation_amount"),
    ):
        row = restitution.filter(**{f"{day}__gte": start, f"{day}__lt": end}).aggregate(
            n=Count("case", distinct=True), total=Sum(amount))
        out.restitution.append(Row(label, int(row["n"] or 0), int(row["total"] or 0)))
    # Refused in the period: the rupiah are what had been asked for.
    row = restitution.filter(refused_on__gte=start, refused_on__lt=end).aggregate(
        n=Count("case", distinct=True), total=Sum("requested_amount"))
    out.restitution.append(Row(_("Restitusi tidak dikabulkan (jumlah diajukan)"), int(row["n"] or 0),
                               int(row["total"] or 0)))
    return out

