"""Helpers that build intake data for tests. Invented people only."""

from __future__ import annotations

import copy
import datetime
from typing import Any

from django.utils import timezone

from sigap.intake.actions import SubmittedReport, submit_report
from sigap.intake.validation import ReportInput
from sigap.lib.testing import DESA_A

# A village of Kabupaten Pringsewu (18.10), outside the default deployment.
OTHER_DISTRICT_DESA = "18.10.01.1001"
VICTIM_NIK = "1811014101140001"  # invented: woman born 01-01-2014 in 18.11.01
REPORTER_PHONE = "0812-0000-1111"


def report_payload(**overrides: Any) -> dict[str, Any]:
    """A valid API body (docs/API.md) about a 12-year-old girl in desa A; override any key."""
    last_week = timezone.localtime() - datetime.timedelta(days=7)
    payload: dict[str, Any] = {
        "channel": "whatsapp",
        "reporter": {
            "declined_identity": False,
            "name": "Budi Contoh",
            "phone": REPORTER_PHONE,
            "nik": None,
            "address": "Jalan Contoh 1",
            "relation": "tetangga",
        },
        "victims": [
            {
                "name": "Siti Contoh",
                "birth_date": (timezone.localdate() - datetime.timedelta(days=365 * 12 + 30)).isoformat(),
                "age": None,
                "sex": "P",
                "nik": None,
                "address": "Dusun Contoh",
                "desa": DESA_A,
                "education": "sd",
                "occupation": "pelajar",
                "disability": False,
            }
        ],
        "perpetrators": [
            {"name": None, "relation": "tetangga", "sex": "L", "lives_with_victim": False, "holds_office": False}
        ],
        "chronology": [
            {
                "when": last_week.strftime("%Y-%m-%dT%H:%M"),
                "approximate": False,
                "place": "rumah_tangga",
                "desa": DESA_A,
                "description": "Uraian kejadian contoh.",
            }
        ],
        "violence_types": ["psikis"],
        "sexual_violence_forms": [],
        "immediate_danger": False,
        "needs": "Pendampingan.",
        "safe_contact": {"never_call_back": False, "safe_times": "sore"},
        "consent": {"process": True, "refer": True, "police": False, "statistics": True},
        "source": "pamflet-2026-desa",
    }
    payload = copy.deepcopy(payload)
    payload.update(overrides)
    return payload


def adult_victim(**overrides: Any) -> dict[str, Any]:
    victim = report_payload()["victims"][0]
    victim.update({"name": "Rina Contoh", "birth_date": None, "age": 30, "occupation": "ibu_rumah_tangga"})
    victim.update(overrides)
    return victim


def create_report(by: Any, **overrides: Any) -> SubmittedReport:
    """Submit a report through the real action."""
    return submit_report(ReportInput.model_validate(report_payload(**overrides)), by=by)
