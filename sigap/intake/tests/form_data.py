"""POST bodies of the intake screens, as a browser would send them. Invented people only."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from sigap.intake.views.common import issue_form_token
from sigap.lib.testing import DESA_A


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }


def report_form_data(**overrides: Any) -> dict[str, Any]:
    """A valid report form about a 12-year-old girl in desa A (psychological violence).

    ``public=True``: the public form's fields (consent checkbox, no channel).
    A value of None leaves the field out.
    """
    public = bool(overrides.pop("public", False))
    last_week = timezone.localtime() - datetime.timedelta(days=7)
    data: dict[str, Any] = {
        "form_token": issue_form_token(),
        "reporter-name": "Budi Contoh",
        "reporter-phone": "0812-0000-1111",
        "reporter-address": "Jalan Contoh 1",
        "reporter-relation": "tetangga",
        **management("victims", 1),
        "victims-0-name": "Siti Contoh",
        "victims-0-age": "12",
        "victims-0-sex": "P",
        "victims-0-desa": DESA_A,
        **management("perpetrators", 1),
        "perpetrators-0-relation": "tetangga",
        "perpetrators-0-sex": "L",
        **management("chronology", 1),
        "chronology-0-date": last_week.strftime("%Y-%m-%d"),
        "chronology-0-time": "19:00",
        "chronology-0-place": "rumah_tangga",
        "chronology-0-desa": DESA_A,
        "chronology-0-description": "Uraian kejadian contoh.",
        "violence_types": ["psikis"],
        "needs": "Pendampingan.",
        "safe_times": "sore",
        "consent_refer": "on",
        "consent_statistics": "on",
    }
    if public:
        data["consent_process"] = "on"
    else:
        data["channel"] = "telepon"
        data["consent_process"] = "ya"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def contact_form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "telepon",
        "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "duration": "4:30",
        "caller_phone": "0812-0000-2222",
        "outcome": "informasi",
        "note": "Menanyakan layanan.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
