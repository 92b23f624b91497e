"""Who may do what with reports: the helpers views and the API call. Fail closed.

The row-level rule itself is ``Report.objects.visible_to(user)``; everything
here is built on it or on ``has_permission``.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from sigap.accounts.roles import Perm, has_permission
from sigap.intake.models import Report
from sigap.lib.params import parse_id

FULL = "full"
COARSE = "coarse"


def can_file_report(user: Any) -> bool:
    """Operators, managers, case workers (file_report) and volunteers (submit_village_report)."""
    return has_permission(user, Perm.FILE_REPORT) or has_permission(user, Perm.SUBMIT_VILLAGE_REPORT)


def village_of(user: Any) -> str | None:
    """The one desa a village volunteer files reports for, or None (no desa: nothing may be filed).

    Only for users who file as volunteers (submit_village_report without
    file_report). The desa is the account's; when the account belongs to a
    village network member (``sigap.network``), that membership must be active
    and in the same desa, or the volunteer files for no desa at all.
    """
    desa = getattr(user, "desa_id", None)
    if not desa:
        return None
    try:
        member_model = apps.get_model("network", "Member")
    except LookupError:
        return str(desa)
    member = member_model.objects.filter(user_id=user.pk).values("desa_id", "left_at").first()
    if member is not None and (member["left_at"] is not None or member["desa_id"] != desa):
        return None
    return str(desa)


def files_as_volunteer(user: Any) -> bool:
    return has_permission(user, Perm.SUBMIT_VILLAGE_REPORT) and not has_permission(user, Perm.FILE_REPORT)


def village_problems(user: Any, victim_desa: list[Any]) -> dict[str, str]:
    """Messages for the victims' desa a volunteer may not report for: ``{"victims.N.desa": ...}``.

    A volunteer (relawan PATBM / SAPA, contact point) reports from their own desa
    only: every victim must live there. Other filers get no message. Chronology
    events may happen anywhere (a school or market in the next village).
    """
    if not files_as_volunteer(user):
        return {}
    own = village_of(user)
    if own is None:
        message = _("Akun relawan ini tidak terikat pada desa mana pun, jadi belum dapat mengirim laporan. "
                    "Hubungi UPTD PPA.")
        return {"victims": message}
    from sigap.regions.models import Region

    name = Region.objects.filter(code=own).values_list("name", flat=True).first() or own
    message = _("Relawan hanya dapat melaporkan korban yang tinggal di desanya sendiri (%(desa)s). "
                "Untuk desa lain, hubungi hotline UPTD PPA.") % {"desa": name}
    return {
        f"victims.{index}.desa": message
        for index, desa in enumerate(victim_desa)
        if desa and str(desa) != own
    }


def can_record_contact(user: Any) -> bool:
    return has_permission(user, Perm.RECORD_CONTACT)


def can_manage_reports(user: Any) -> bool:
    """Override risk, link duplicates, see caller history: operators and managers."""
    return has_permission(user, Perm.VIEW_REPORTS)


def can_list_reports(user: Any) -> bool:
    """The staff report list: whoever sees whole reports (operators and managers
    every report, case workers those of their cases and those they filed)."""
    return report_access_level(user) == FULL


def report_access_level(user: Any) -> str | None:
    """``"full"``: the whole (decrypted, non-identity) report; ``"coarse"``: registration
    number, dates and public status only (volunteers); None: nothing."""
    if has_permission(user, Perm.VIEW_REPORTS) or has_permission(user, Perm.WORK_CASES):
        return FULL
    if has_permission(user, Perm.SUBMIT_VILLAGE_REPORT):
        return COARSE
    return None


def sees_victim_details(user: Any, report: Report) -> bool:
    """Need to know for a victim's address, NIK and safe-contact times (security review finding 3).

    The manager (who assigns cases) and the case worker of the report's case see them
    in full, audited as part of opening the report; everyone else sees them masked
    and may reveal them with a reason (``victim_reveal_allowed``).
    """
    if has_permission(user, Perm.ASSIGN_CASES):
        return True
    return is_assigned_case_worker(user, report)


def is_assigned_case_worker(user: Any, report: Report) -> bool:
    """True when ``user`` works the case (through the registered grants) this report belongs to."""
    from sigap.intake.models import _CASE_WORKER_GRANTS

    if not has_permission(user, Perm.WORK_CASES) or not _CASE_WORKER_GRANTS:
        return False
    condition = Q(pk__in=[])
    for grant in _CASE_WORKER_GRANTS:
        condition |= grant(user)
    return Report.objects.filter(pk=report.pk).filter(condition).exists()


def get_report_for(user: Any, pk: Any, *, on_duty: bool = False) -> Report:
    """The report if ``user`` may see it; Http404 otherwise (also for malformed ids).

    ``on_duty=True`` only where a report is opened (``actions.open_report``): the duty grants
    of ``Report.objects.visible_to`` apply too."""
    report_id = parse_id(pk)
    if report_id is None:
        raise Http404
    report = Report.objects.visible_to(user, on_duty=on_duty).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


def reached_on_duty(user: Any, report: Report) -> bool:
    """True when ``user`` reaches ``report`` only through a duty grant (not the normal rule)."""
    from sigap.intake.models import _DUTY_GRANTS

    if not _DUTY_GRANTS or has_permission(user, Perm.VIEW_REPORTS):
        return False
    return not Report.objects.visible_to(user).filter(pk=report.pk).exists()


def contacts_visible_to(user: Any) -> Any:
    """The contact log's rule: operators and managers (view_reports) see every contact; others none."""
    from sigap.intake.models import Contact

    if has_permission(user, Perm.VIEW_REPORTS):
        return Contact.objects.all()
    return Contact.objects.none()
