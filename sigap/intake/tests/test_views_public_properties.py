"""Property-based tests of the public form /lapor: no input gives a 500, and a report is saved whole or not at all."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from sigap.intake.models import (
    ChronologyEvent,
    IdempotencyRecord,
    Perpetrator,
    RegistrationCounter,
    Report,
    ReporterIdentity,
    ReportViolence,
    TrackingCode,
    Victim,
)
from sigap.intake.tests.form_data import report_form_data
from sigap.intake.views import public
from sigap.lib.testing import load_test_regions
from sigap.vault.models import AuditEntry

FIELDS = [
    "reporter-declined_identity", "reporter-declined_reason", "reporter-name", "reporter-phone", "reporter-nik",
    "reporter-address", "reporter-relation",
    "victims-TOTAL_FORMS", "victims-INITIAL_FORMS", "victims-0-name", "victims-0-birth_date", "victims-0-age",
    "victims-0-sex", "victims-0-nik", "victims-0-address", "victims-0-desa", "victims-0-desa_other",
    "victims-0-disability", "victims-1-sex", "victims-1-desa", "victims-1-age",
    "perpetrators-TOTAL_FORMS", "perpetrators-0-relation", "perpetrators-0-is_child", "perpetrators-0-sex",
    "chronology-TOTAL_FORMS", "chronology-0-date", "chronology-0-time", "chronology-0-place",
    "chronology-0-desa", "chronology-0-desa_other", "chronology-0-description", "chronology-0-approximate",
    "violence_types", "sexual_violence_forms", "immediate_danger", "needs", "safe_times", "safe_channel",
    "never_call_back", "consent_process", "consent_statistics", "src", "form_token", "add", "situs_web",
]

VALUES = (
    st.text(max_size=30)
    | st.sampled_from([
        "", "on", "ya", "P", "L", "X", "18.11.01.2001", "18.11.02.2001", "18.10.01.1001", "99.99.99.9999", "lain",
        "2014-05-01", "01/05/2014", "31/02/2020", "2999-01-01", "0001-01-01", "1899-12-31", "12", "-1", "200",
        "19:00", "25:61", "seksual", "psikis", "kbgo", "rumah_tangga", "orang_tua", "ya", "tidak", "1", "0",
        "1000", "-5", "abc", "\x00", "0812-0000-1111", "+62", "1811014101140001", "1811010000000000",
        "victims", "chronology", "perpetrators", "pamflet-2026", "A" * 300, "x" * 10001,
    ])
)


def counts() -> tuple[int, ...]:
    models = (Report, Victim, Perpetrator, ReporterIdentity, ChronologyEvent, ReportViolence, TrackingCode,
              RegistrationCounter, IdempotencyRecord, AuditEntry)
    return tuple(m.objects.count() for m in models)


def complete(report: Report) -> bool:
    return (
        report.victims.exists() and report.events.exists() and report.violence.exists()
        and TrackingCode.objects.filter(report=report).exists()
        and report.channel == "web" and report.submitted_by_id is None
    )


class PublicFormPropertyTests(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_test_regions()

    def setUp(self) -> None:
        for limiter in public.ALL_LIMITERS:
            limiter.reset()
        # The flood limits are tested elsewhere; here every example must reach the form.
        self._limits = [(limiter, limiter.limit) for limiter in public.ALL_LIMITERS]
        for limiter in public.ALL_LIMITERS:
            limiter.limit = 10**9

    def tearDown(self) -> None:
        for limiter, limit in self._limits:
            limiter.limit = limit

    def check(self, data: dict[str, Any]) -> None:
        before = counts()
        reports_before = set(Report.objects.values_list("pk", flat=True))
        response = self.client.post("/lapor", data)
        self.assertIn(response.status_code, (200, 400), response.status_code)
        after = counts()
        new = Report.objects.exclude(pk__in=reports_before)
        if response.status_code == 200 and "submitted" in (response.context or {}):
            self.assertLessEqual(new.count(), 1)
            for report in new:
                self.assertTrue(complete(report))
        else:
            self.assertEqual(after, before, "a rejected form changed the database")

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dictionaries(st.sampled_from(FIELDS), st.lists(VALUES, min_size=1, max_size=3), max_size=12))
    def test_random_changes_to_a_valid_form_never_give_a_500_or_a_partial_save(
        self, changes: dict[str, list[str]]
    ) -> None:
        data: dict[str, Any] = report_form_data(public=True)
        data.update(changes)
        self.check(data)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dictionaries(st.text(max_size=25), st.lists(VALUES, max_size=3), max_size=15))
    def test_arbitrary_posts_never_give_a_500(self, data: dict[str, list[str]]) -> None:
        self.check(data)
