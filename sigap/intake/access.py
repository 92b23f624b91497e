"""Who may do what with reports: the helpers views and the API call. Fail closed.

The row-level rule itself is ``Report.objects.visible_to(user)``; everything
here is built on it or on ``has_permission``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sigap.accounts.roles import Perm, has_permission
from sigap.intake.models import Report

FULL = "full"
COARSE = "coarse"


def can_file_report(user: Any) -> bool:
    """Operators, managers, case workers (file_report) and volunteers (submit_village_report)."""
    return has_permission(user, Perm.FILE_REPORT) or has_permission(user, Perm.SUBMIT_VILLAGE_REPORT)


def can_record_contact(user: Any) -> bool:
    return has_permission(user, Perm.RECORD_CONTACT)


def can_manage_reports(user: Any) -> bool:
    """Override risk, link duplicates, see caller history: operators and managers."""
    return has_permission(user, Perm.VIEW_REPORTS)


def report_access_level(user: Any) -> str | None:
    """``"full"``: the whole (decrypted, non-identity) report; ``"coarse"``: registration
    number, dates and public status only (volunteers); None: nothing."""
    if has_permission(user, Perm.VIEW_REPORTS) or has_permission(user, Perm.WORK_CASES):
        return FULL
    if has_permission(user, Perm.SUBMIT_VILLAGE_REPORT):
        return COARSE
    return None


def get_report_for(user: Any, pk: Any) -> Report:
    """The report if ``user`` may see it; Http404 otherwise (also for malformed ids)."""
    try:
        report_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    report = Report.objects.visible_to(user).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report
