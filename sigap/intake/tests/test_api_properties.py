"""Property-based tests of POST /api/v1/reports: no input gives a 500, a rejected request saves nothing."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from sigap.accounts.roles import Role
from sigap.intake.api import issue_token
from sigap.intake.models import (
    ChronologyEvent,
    Contact,
    RegistrationCounter,
    Report,
    ReporterIdentity,
    Victim,
)
from sigap.intake.tests.factories import report_payload
from sigap.lib.testing import create_user, load_test_regions
from sigap.vault.models import AuditEntry

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["", "2026-13-40", "1900-01-01", "0001-01-01T00:00", "9999-12-31T23:59+14:00",
                       "18.11.01.2001", "seksual", "L", "P", "\x00", "\ud800", "1811010101010001"])
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)

PATHS = [
    ("channel",), ("reporter",), ("reporter", "name"), ("reporter", "phone"), ("reporter", "nik"),
    ("reporter", "declined_identity"), ("reporter", "relation"), ("victims",), ("victims", 0),
    ("victims", 0, "birth_date"), ("victims", 0, "age"), ("victims", 0, "sex"), ("victims", 0, "nik"),
    ("victims", 0, "desa"), ("victims", 0, "name"), ("victims", 0, "education"), ("perpetrators",),
    ("perpetrators", 0, "relation"), ("perpetrators", 0, "lives_with_victim"), ("chronology",),
    ("chronology", 0, "when"), ("chronology", 0, "desa"), ("chronology", 0, "description"),
    ("chronology", 0, "place"), ("violence_types",), ("sexual_violence_forms",), ("immediate_danger",),
    ("needs",), ("safe_contact",), ("safe_contact", "never_call_back"), ("consent",), ("consent", "process"),
    ("source",),
]


def counts() -> tuple[int, ...]:
    models = (Report, Victim, ReporterIdentity, ChronologyEvent, Contact, RegistrationCounter, AuditEntry)
    return tuple(m.objects.count() for m in models)


def set_path(payload: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


class ReportApiPropertyTests(HypothesisTestCase):
    token: str

    @classmethod
    def setUpTestData(cls) -> None:
        load_test_regions()
        cls.token = issue_token(create_user(Role.OPERATOR, "operator-properti"))

    def post(self, body: str | bytes) -> Any:
        return self.client.post(
            "/api/v1/reports", body, content_type="application/json",
            headers={"Authorization": f"Bearer {self.token}"},
        )

    def assertRejectedCleanly(self, response: Any, before: tuple[int, ...]) -> None:
        self.assertLess(response.status_code, 500)
        self.assertIn(response.status_code, (400, 422))
        error = response.json()["error"]
        self.assertTrue(error["message"])
        self.assertIsInstance(error["fields"], dict)
        self.assertEqual(counts(), before)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=JSON_VALUES)
    def test_arbitrary_json_is_refused_without_a_500_or_a_save(self, body: Any) -> None:
        before = counts()
        self.assertRejectedCleanly(self.post(json.dumps(body)), before)

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(raw=st.binary(max_size=200))
    def test_arbitrary_bytes_are_refused_without_a_500_or_a_save(self, raw: bytes) -> None:
        before = counts()
        self.assertRejectedCleanly(self.post(raw), before)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(path=st.sampled_from(PATHS), value=JSON_VALUES)
    def test_a_valid_report_with_one_field_replaced_is_saved_whole_or_not_at_all(
        self, path: tuple[Any, ...], value: Any
    ) -> None:
        payload = report_payload()
        set_path(payload, path, value)
        before = counts()
        response = self.post(json.dumps(payload))
        if response.status_code == 201:
            self.assertEqual(Report.objects.count(), before[0] + 1)
            self.assertEqual(Victim.objects.count(), before[1] + len(payload["victims"]))
        else:
            self.assertRejectedCleanly(response, before)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(name=st.text(max_size=300), description=st.text(max_size=300), phone=st.text(max_size=40))
    def test_any_text_in_free_fields_is_saved_or_refused_never_a_500(
        self, name: str, description: str, phone: str
    ) -> None:
        payload = report_payload()
        payload["victims"][0]["name"] = name
        payload["reporter"]["phone"] = phone
        payload["chronology"][0]["description"] = description
        before = counts()
        response = self.post(json.dumps(payload))
        if response.status_code != 201:
            self.assertRejectedCleanly(response, before)
