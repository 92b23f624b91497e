"""The contact log on the dashboard: contacts by outcome, silent/prank calls,
repeat callers, contacts per report, and "dari mana tahu layanan ini" of contacts.

Contacts are not in the tally: these are a few GROUP BY queries over the
period's contacts, read through the ``started_at`` and ``(outcome, started_at)``
indexes (a period holds thousands of contacts, not millions). A repeat caller is
a caller number (its blind index) with more than one contact in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from sigap.intake.codes import ContactOutcome, HeardFrom
from sigap.intake.models import Contact
from sigap.stats.forms import Period, month_bounds


@dataclass
class ContactFigures:
    total: int
    by_outcome: dict[str, int]
    silent: int
    repeat_callers: int
    with_report: int
    reports: int
    by_heard_from: dict[str, int]

    @property
    def per_report(self) -> float | None:
        """Contacts tied to a report per report they are tied to."""
        return round(self.with_report / self.reports, 1) if self.reports else None


def period_contacts(period: Period) -> QuerySet[Contact]:
    start, _end = month_bounds(period.start)
    _start, end = month_bounds(period.end)
    contacts = Contact.objects.filter(started_at__gte=start, started_at__lt=end)
    if period.kecamatan:
        contacts = contacts.filter(
            Q(kecamatan_code=period.kecamatan) | Q(kecamatan_code="", report__kecamatan_code=period.kecamatan)
        )
    return contacts


def figures(period: Period) -> ContactFigures:
    contacts = period_contacts(period)
    by_outcome = {row["outcome"]: row["n"] for row in contacts.values("outcome").annotate(n=Count("id"))}
    by_heard = {row["heard_from"]: row["n"] for row in contacts.values("heard_from").annotate(n=Count("id"))}
    repeat = (
        contacts.exclude(caller_phone_index="")
        .values("caller_phone_index")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    tied = contacts.filter(report__isnull=False).aggregate(n=Count("id"), reports=Count("report", distinct=True))
    return ContactFigures(
        total=sum(by_outcome.values()),
        by_outcome=by_outcome,
        silent=by_outcome.get(ContactOutcome.SILENT, 0),
        repeat_callers=repeat,
        with_report=tied["n"] or 0,
        reports=tied["reports"] or 0,
        by_heard_from=by_heard,
    )


def sections(period: Period) -> list[Any]:
    """Two small dashboard sections: the contact log, and how contacts learned of the hotline."""
    from sigap.stats import charts
    from sigap.stats.dashboard import Section, percent

    found = figures(period)
    outcome_rows: list[list[Any]] = [
        [str(label), found.by_outcome.get(code, 0), percent(found.by_outcome.get(code, 0), found.total)]
        for code, label in ContactOutcome.choices
    ]
    title = _("Kontak per hasil")
    summary: list[list[Any]] = [
        [_("Semua kontak"), found.total, None],
        [_("Diam, iseng, atau salah sambung"), found.silent, percent(found.silent, found.total)],
        [_("Penelepon berulang (nomor dengan lebih dari satu kontak)"), found.repeat_callers, None],
        [_("Kontak per laporan (kontak yang terkait laporan dibagi jumlah laporannya)"),
         found.per_report if found.per_report is not None else "—", None],
    ]
    heard_rows: list[list[Any]] = [
        [str(label), found.by_heard_from.get(code, 0), percent(found.by_heard_from.get(code, 0), found.total)]
        for code, label in HeardFrom.choices
    ]
    heard_rows.append([_("Tidak ditanyakan"), found.by_heard_from.get("", 0),
                       percent(found.by_heard_from.get("", 0), found.total)])
    heard_title = _("Dari mana tahu layanan ini (kontak)")
    return [
        Section(
            key="contacts", title=title, headers=[_("Hasil kontak"), _("Kontak"), _("% kontak")],
            rows=outcome_rows + summary,
            chart=charts.hbars(title, [(row[0], [row[1]]) for row in outcome_rows], [_("Kontak")]),
            note=_("Setiap telepon, chat, SMS dan kunjungan yang dicatat dalam periode ini, termasuk yang tidak "
                   "menjadi laporan."),
        ),
        Section(
            key="contact_heard_from", title=heard_title, headers=[heard_title, _("Kontak"), _("% kontak")],
            rows=heard_rows,
            chart=charts.hbars(heard_title, [(row[0], [row[1]]) for row in heard_rows], [_("Kontak")]),
        ),
    ]
