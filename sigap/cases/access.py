"""Who sees and does what with cases. One rule per model, failing closed.

* manager (view_all_cases): every case of the deployment's regency;
* case worker (work_cases): the cases assigned to them;
* operator (view_reports): the cases they opened, or opened from a report they
  filed, until the case is assigned; read only;
* data officer (view_stats): no case, only de-identified rows
  (``deidentified_rows``);
* partner (view_referrals): no case; the referrals sent to their agency, and of
  those only the fields the letter holds;
* volunteer, administrator, anyone else: nothing.

Records that belong to a case (notes, tasks, plans, ...) are visible with their
case (``CaseChildQuerySet.visible_to``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from sigap.accounts.roles import Perm, has_permission
from sigap.lib.params import parse_id

if TYPE_CHECKING:
    from sigap.cases.models import Case, Referral

NOTHING = Q(pk__in=[])


def _region_code() -> str:
    return str(settings.SIGAP_REGION).replace(".", "")


def case_filter(user: Any, prefix: str = "") -> Q:
    """The condition on ``Case`` rows that ``user`` may see.

    ``prefix`` ("case__") applies it from a model that points at a case.
    """
    p = prefix
    if has_permission(user, Perm.VIEW_ALL_CASES):
        # A deployment serves one regency and opens cases only under its code
        # (``actions.open_case``), so "all cases of the region" is every case.
        # No region condition here: it would steer SQLite to the number index.
        return Q()
    if has_permission(user, Perm.WORK_CASES):
        return Q(**{f"{p}assigned_to": user})
    if has_permission(user, Perm.VIEW_REPORTS):
        return Q(**{f"{p}assigned_to__isnull": True}) & (
            Q(**{f"{p}opened_by": user}) | Q(**{f"{p}primary_report__submitted_by": user})
        )
    return NOTHING


def report_grant(user: Any) -> Q:
    """The reports of the cases ``user`` may see, as a condition on intake's ``Report``.

    Registered with ``sigap.intake.models.register_case_worker_grant`` (``apps.py``):
    a case worker sees a report when they see its case, i.e. when it is assigned to them.
    """
    from sigap.cases.models import CaseReport

    return Q(pk__in=CaseReport.objects.filter(case_filter(user, "case__")).values("report_id"))


def referral_filter(user: Any) -> Q:
    """Partners: the referrals sent to their (active) agency. Staff: the referrals of cases they see."""
    if has_permission(user, Perm.VIEW_REFERRALS):
        return Q(partner__members__user=user, partner__active=True)
    if has_permission(user, Perm.VIEW_ALL_CASES) or has_permission(user, Perm.WORK_CASES) or has_permission(
        user, Perm.VIEW_REPORTS
    ):
        from sigap.cases.models import Case

        return Q(case__in=Case.objects.visible_to(user).values("pk"))
    return NOTHING


def _int(pk: Any) -> int:
    number = parse_id(pk)
    if number is None:
        raise Http404
    return number


def get_case_for(user: Any, pk: Any) -> Case:
    """The case if ``user`` may see it; Http404 otherwise (no hint that it exists)."""
    from sigap.cases.models import Case

    case = (
        Case.objects.visible_to(user)
        .select_related("assigned_to", "opened_by", "desa")
        .filter(pk=_int(pk))
        .first()
    )
    if case is None:
        raise Http404
    return case


def get_referral_for(user: Any, pk: Any) -> Referral:
    from sigap.cases.models import Referral

    referral = Referral.objects.visible_to(user).select_related("partner", "case").filter(pk=_int(pk)).first()
    if referral is None:
        raise Http404
    return referral


def can_open_cases(user: Any) -> bool:
    """Operators and managers open cases from the reports they see."""
    return has_permission(user, Perm.VIEW_REPORTS)


def reports_awaiting_case(user: Any) -> Any:
    """The reports ``user`` may open a case from: those they see, still open (diterima or ditangani) and in
    no case yet. The conditions ``actions.open_case`` checks again under its lock; empty for anyone who
    may not open cases."""
    from sigap.intake.codes import OPEN_STATUSES
    from sigap.intake.models import Report

    if not can_open_cases(user):
        return Report.objects.none()
    return Report.objects.visible_to(user).filter(status__in=OPEN_STATUSES, case_link__isnull=True)


def open_case_link(user: Any, report: Any) -> str:
    """ "Buka kasus" for the report page: the awaiting list with this report ticked, only when ``user`` may
    open a case from it (registered with intake in ``CasesConfig.ready``); "" otherwise."""
    from django.urls import reverse

    if not reports_awaiting_case(user).filter(pk=report.pk).exists():
        return ""
    return f"{reverse('cases:awaiting_reports')}?pilih={report.pk}#report-{report.pk}"


def can_assign(user: Any) -> bool:
    return has_permission(user, Perm.ASSIGN_CASES)


def can_approve(user: Any) -> bool:
    return has_permission(user, Perm.APPROVE_PLANS)


def can_work(user: Any, case: Case) -> bool:
    """Record anything on ``case``: its assigned worker, or a manager."""
    if has_permission(user, Perm.VIEW_ALL_CASES) and has_permission(user, Perm.WORK_CASES):
        return case.region_code == _region_code()
    return has_permission(user, Perm.WORK_CASES) and case.assigned_to_id == getattr(user, "pk", None)


def is_partner_user(user: Any) -> bool:
    return has_permission(user, Perm.VIEW_REFERRALS)


def can_see_deidentified(user: Any) -> bool:
    return has_permission(user, Perm.VIEW_STATS)


# Columns a data officer may see: no names, no numbers that lead back to a record.
DEIDENTIFIED_COLUMNS = (
    "stage",
    "status",
    "risk",
    "case_type",
    "kecamatan_code",
    "has_sexual_violence",
    "reported_at",
    "opened_at",
    "first_contact_at",
    "assessed_at",
    "first_service_at",
    "closed_at",
)


def deidentified_rows(user: Any) -> Any:
    """Case rows without identifiers or desa (a desa narrows a child's case to a handful of homes)."""
    from sigap.cases.models import Case

    if not can_see_deidentified(user):
        return Case.objects.none().values(*DEIDENTIFIED_COLUMNS)
    return Case.objects.order_by("-opened_at", "-id").values(*DEIDENTIFIED_COLUMNS)
