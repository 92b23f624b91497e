"""Helpers that build cases for tests, through the real actions. Invented people only."""

from __future__ import annotations

from typing import Any

from sigap.cases import actions
from sigap.cases.models import Case
from sigap.intake.models import Report
from sigap.intake.tests.factories import adult_victim, create_report, report_payload
from sigap.network import actions as network_actions
from sigap.network.models import Partner
from sigap.regions.models import Region


def sexual_violence(*, perpetrator_is_child: bool | None = False, adult: bool = True) -> dict[str, Any]:
    """Report overrides for a sexual-violence report (an adult woman by default)."""
    overrides: dict[str, Any] = {
        "violence_types": ["seksual"],
        "sexual_violence_forms": ["pelecehan_fisik"],
        "perpetrators": [{"name": "Terlapor Contoh", "relation": "tetangga", "sex": "L",
                          "lives_with_victim": False, "holds_office": False, "is_child": perpetrator_is_child}],
        "consent": {"process": True, "refer": True, "police": True},
    }
    if adult:
        overrides["victims"] = [adult_victim()]
    return overrides


def create_reports(by: Any, n: int, **overrides: Any) -> list[Report]:
    return [create_report(by, **overrides).report for _ in range(n)]


def create_case(opener: Any, *, assign_to: Any = None, manager: Any = None, reports: list[Report] | None = None,
                **overrides: Any) -> Case:
    """Open a case from a fresh report (or ``reports``); assign it when ``assign_to`` is given."""
    if reports is None:
        reports = [create_report(opener, **overrides).report]
    case = actions.open_case(reports, by=opener)
    if assign_to is not None:
        actions.assign_case(case, assign_to, by=manager or opener)
    case.refresh_from_db()
    return case


def create_partner(partner_type: str = "police_uppa", *, name: str | None = None, members: tuple[Any, ...] = (),
                   added_by: Any = None, services: tuple[str, ...] = ("penegakan_hukum",),
                   active: bool = True) -> Partner:
    partner = network_actions.save_partner(
        None,
        data={"name": name or f"Mitra uji {partner_type}", "partner_type": partner_type, "active": active,
              "address": "Jl. Contoh", "contact_name": "Narahubung Contoh", "phone": "0812 3333 4444"},
        services=services,
        kecamatan=Region.objects.none(),
        by=added_by,
    )
    for user in members:
        network_actions.add_partner_member(partner, user, by=added_by)
    return partner


def move_to(case: Case, stage: str, *, by: Any) -> Case:
    """Walk the case forward stage by stage up to ``stage`` (assessment and plan approval as needed)."""
    from sigap.cases.codes import STAGE_ORDER, Stage

    order = list(Stage.values)
    while STAGE_ORDER[case.stage] < STAGE_ORDER[stage]:
        nxt = order[STAGE_ORDER[case.stage] + 1]
        if nxt == Stage.RENCANA and not case.assessments.exists():
            actions.record_assessment(case, {"psychological": "Cemas."}, by=by)
        if nxt == Stage.PELAKSANAAN:
            import datetime

            from django.utils import timezone

            plan = actions.save_plan(case, by=by, goals="Korban aman dan pulih.")
            actions.add_plan_item(plan, by=by, service="pendampingan", responsible_user=by,
                                  due_date=timezone.localdate() + datetime.timedelta(days=7))
            actions.submit_plan(plan, by=by)
            manager = by
            actions.approve_plan(plan, by=manager, comment="Setuju.")
        else:
            actions.move_stage(case, nxt, by=by)
        case.refresh_from_db()
    return case


__all__ = ["adult_victim", "create_case", "create_partner", "create_reports", "move_to", "report_payload",
           "sexual_violence"]
