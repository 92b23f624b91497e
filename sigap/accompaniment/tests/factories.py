"""Cases for accompaniment tests, made through the real actions. Invented people only."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from sigap.cases.tests.factories import create_case, sexual_violence
from sigap.lib.testing import DESA_A


def chronology(hours_ago: float) -> list[dict[str, Any]]:
    when = timezone.localtime() - datetime.timedelta(hours=hours_ago)
    return [{"when": when.strftime("%Y-%m-%dT%H:%M"), "approximate": False, "place": "rumah_tangga",
             "desa": DESA_A, "description": "Uraian kejadian contoh."}]


def rape_case(test: Any, *, hours_ago: float = 10, adult: bool = True, relation: str = "tetangga",
              lives_with_victim: bool = False, perpetrator_name: str = "Terlapor Contoh") -> Any:
    """A sexual-violence case assigned to the test's case worker, incident ``hours_ago`` hours ago."""
    overrides = sexual_violence(adult=adult)
    overrides["violence_types"] = ["seksual"]
    overrides["sexual_violence_forms"] = ["pelecehan_fisik"]
    overrides["perpetrators"] = [{"name": perpetrator_name, "relation": relation, "sex": "L",
                                  "lives_with_victim": lives_with_victim, "holds_office": False, "is_child": False}]
    overrides["chronology"] = chronology(hours_ago)
    return create_case(test.operator, assign_to=test.case_worker, manager=test.manager, **overrides)


def plain_case(test: Any) -> Any:
    return create_case(test.operator, assign_to=test.case_worker, manager=test.manager)
