from __future__ import annotations

import io
import json
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, override_settings

from sigap.intake import api as intake_api
from sigap.intake.api import issue_token
from sigap.intake.models import ApiToken, IdempotencyRecord, Report, TrackingCode
from sigap.intake.tests.factories import create_report, report_payload
from sigap.lib.testing import DESA_A, SigapTestCase
from sigap.vault.models import AuditEntry


class ApiTestCase(SigapTestCase):
    def setUp(self) -> None:
        intake_api.lookup_limiter.reset()
        intake_api.failure_limiter.reset()
        self.api = Client()

    def post_report(self, body: Any, token: str | None = None, **headers: str) -> Any:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.api.post("/api/v1/reports", data, content_type="application/json", headers=headers)


class PostReportTests(ApiTestCase):
    def test_operator_files_a_report_and_gets_number_code_pin_risk_and_type(self) -> None:
        response = self.post_report(report_payload(), issue_token(self.operator))
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(set(body), {"registration_number", "tracking_code", "pin", "risk", "case_type",
                                     "victim_case_types"})
        self.assertRegex(body["registration_number"], r"^1811-\d{4}-000001$")
        self.assertEqual((body["risk"], body["case_type"], body["victim_case_types"]), ("sedang", "AMPK", ["AMPK"]))
        self.assertEqual(Report.objects.get().submitted_by, self.operator)

    def test_each_filing_role_may_post_and_the_others_get_403(self) -> None:
        for user in (self.operator, self.manager, self.case_worker, self.volunteer_a):
            self.assertEqual(self.post_report(report_payload(), issue_token(user)).status_code, 201, user.username)
        for user in (self.admin, self.data_officer, self.partner):
            response = self.post_report(report_payload(), issue_token(user))
            self.assertEqual(response.status_code, 403, user.username)
            self.assertIn("message", response.json()["error"])
        self.assertEqual(Report.objects.count(), 4)

    def test_missing_wrong_or_revoked_token_is_401_json(self) -> None:
        token = issue_token(self.operator)
        ApiToken.objects.update(revoked_at="2026-01-01T00:00Z")
        for bad in (None, "salah", token):
            response = self.post_report(report_payload(), bad)
            self.assertEqual(response.status_code, 401)
            self.assertEqual(response.json()["error"]["fields"], {})
        self.assertEqual(Report.objects.count(), 0)

    def test_invalid_input_is_422_with_indonesian_messages_per_field_and_saves_nothing(self) -> None:
        token = issue_token(self.operator)
        payload = report_payload()
        payload["victims"][0].update({"sex": "X", "birth_date": "2999-01-01"})
        payload["channel"] = "merpati"
        response = self.post_report(payload, token)
        self.assertEqual(response.status_code, 422)
        fields = response.json()["error"]["fields"]
        self.assertIn("Nilai tidak dikenal", fields["channel"])
        self.assertIn("victims.0.sex", fields)
        payload = report_payload()
        payload["victims"][0]["birth_date"] = "2999-01-01"
        fields = self.post_report(payload, token).json()["error"]["fields"]
        self.assertEqual(fields, {"victims.0.birth_date": "Tanggal lahir tidak boleh di masa depan."})
        self.assertEqual(Report.objects.count(), 0)

    def test_body_that_is_not_json_is_400(self) -> None:
        response = self.post_report("{not json", issue_token(self.operator))
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.json()["error"]["message"])

    def test_idempotent_retry_returns_the_first_answer_and_creates_nothing(self) -> None:
        token = issue_token(self.operator)
        first = self.post_report(report_payload(), token, **{"Idempotency-Key": "kirim-001"})
        self.assertEqual(first.status_code, 201)
        audit_count = AuditEntry.objects.count()
        again = self.post_report(report_payload(), token, **{"Idempotency-Key": "kirim-001"})
        self.assertEqual((again.status_code, again.json()), (201, first.json()))
        self.assertEqual((Report.objects.count(), TrackingCode.objects.count()), (1, 1))
        self.assertEqual(AuditEntry.objects.count(), audit_count)
        # The stored answer is sealed.
        with connection.cursor() as cursor:
            cursor.execute("SELECT response FROM intake_idempotencyrecord")
            raw = bytes(cursor.fetchone()[0])
        self.assertNotIn(first.json()["pin"].encode(), raw)
        self.assertEqual(IdempotencyRecord.objects.get().report, Report.objects.get())

    def test_same_key_with_another_body_is_409_and_creates_nothing(self) -> None:
        token = issue_token(self.operator)
        self.post_report(report_payload(), token, **{"Idempotency-Key": "kirim-002"})
        response = self.post_report(report_payload(needs="Lain"), token, **{"Idempotency-Key": "kirim-002"})
        self.assertEqual(response.status_code, 409)
        self.assertEqual(Report.objects.count(), 1)

    def test_keys_are_per_user(self) -> None:
        self.post_report(report_payload(), issue_token(self.operator), **{"Idempotency-Key": "k"})
        response = self.post_report(report_payload(), issue_token(self.manager), **{"Idempotency-Key": "k"})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(Report.objects.count(), 2)

    def test_openapi_schema_documents_the_intake_endpoints(self) -> None:
        schema = self.api.get("/api/v1/openapi.json").json()
        self.assertIn("/api/v1/reports", schema["paths"])
        self.assertIn("/api/v1/track/{tracking_code}", schema["paths"])
        self.assertIn("ReportInput", schema["components"]["schemas"])


class ApiConsentTests(ApiTestCase):
    """UU PDP: a consent is an explicit act. What the body does not say is not given."""

    def test_a_missing_statistics_consent_is_not_given_even_with_the_processing_consent(self) -> None:
        body = report_payload(consent={"process": True})
        response = self.post_report(body, issue_token(self.operator))
        self.assertEqual(response.status_code, 201, response.content)
        report = Report.objects.get()
        self.assertTrue(report.consent_process)
        self.assertEqual((report.consent_statistics, report.consent_refer, report.consent_police),
                         (False, False, False))

    def test_an_explicit_statistics_consent_is_stored(self) -> None:
        body = report_payload(consent={"process": True, "statistics": True})
        self.assertEqual(self.post_report(body, issue_token(self.operator)).status_code, 201)
        self.assertTrue(Report.objects.get().consent_statistics)

    def test_the_schema_says_a_missing_consent_is_not_given(self) -> None:
        schema = self.api.get("/api/v1/openapi.json").json()["components"]["schemas"]["ConsentInput"]
        self.assertEqual(schema["required"], ["process"])
        for name in ("refer", "police", "statistics"):
            self.assertIs(schema["properties"][name]["default"], False, name)
        self.assertIn("NOT given", schema["properties"]["statistics"]["description"])


class TrackEndpointTests(ApiTestCase):
    def test_status_and_hotline_only_for_the_right_code_and_pin(self) -> None:
        submitted = create_report(self.operator)
        response = self.api.get(f"/api/v1/track/{submitted.tracking_code}",
                                headers={"X-Tracking-Pin": submitted.pin})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "diterima", "hotline": "0812 7185 7372"})
        for secret in ("Siti", "Budi", DESA_A, submitted.registration_number, "sedang", "AMPK"):
            self.assertNotIn(secret, response.content.decode())

    def test_wrong_code_wrong_pin_or_pin_in_the_query_string_is_404(self) -> None:
        submitted = create_report(self.operator)
        wrong = f"{(int(submitted.pin) + 1) % 1000000:06d}"
        cases = [
            (f"/api/v1/track/{submitted.tracking_code}", {"X-Tracking-Pin": wrong}),
            ("/api/v1/track/ZZZZ-ZZZZ-ZZ", {"X-Tracking-Pin": submitted.pin}),
            (f"/api/v1/track/{submitted.tracking_code}?pin={submitted.pin}", {}),
        ]
        for url, headers in cases:
            response = self.api.get(url, headers=headers)
            self.assertEqual(response.status_code, 404, url)
            self.assertEqual(set(response.json()), {"error"})

    @override_settings(SIGAP_TRACKING_MAX_FAILURES=100)
    def test_repeated_failures_from_one_client_are_429(self) -> None:
        submitted = create_report(self.operator)
        statuses = [self.api.get("/api/v1/track/AAAA-BBBB-CC", headers={"X-Tracking-Pin": "000000"}).status_code
                    for _ in range(12)]
        self.assertEqual(statuses[:10], [404] * 10)
        self.assertEqual(statuses[10:], [429, 429])
        # Even the right PIN is refused while the client is throttled.
        response = self.api.get(f"/api/v1/track/{submitted.tracking_code}", headers={"X-Tracking-Pin": submitted.pin})
        self.assertEqual(response.status_code, 429)

    def test_wrong_pins_lock_the_code_with_429(self) -> None:
        submitted = create_report(self.operator)
        wrong = f"{(int(submitted.pin) + 1) % 1000000:06d}"
        for _ in range(5):
            self.api.get(f"/api/v1/track/{submitted.tracking_code}", headers={"X-Tracking-Pin": wrong})
        intake_api.failure_limiter.reset()  # another client address
        response = self.api.get(f"/api/v1/track/{submitted.tracking_code}", headers={"X-Tracking-Pin": submitted.pin})
        self.assertEqual(response.status_code, 429)


class CreateApiUserCommandTests(ApiTestCase):
    def run_command(self, *args: str) -> str:
        out = io.StringIO()
        call_command("create_api_user", *args, stdout=out)
        return out.getvalue()

    def test_prints_a_working_token_alone_on_the_last_line(self) -> None:
        output = self.run_command("relawan-api", "--role", "volunteer", "--desa", DESA_A)
        token = output.strip().splitlines()[-1]
        self.assertEqual(self.post_report(report_payload(channel="relawan"), token).status_code, 201)
        submitter = Report.objects.get().submitted_by
        self.assertEqual(submitter.username if submitter else None, "relawan-api")
        second = self.run_command("relawan-api", "--role", "volunteer", "--desa", DESA_A).strip().splitlines()[-1]
        self.assertNotEqual(second, token)

    def test_refuses_a_volunteer_without_desa_and_a_role_change(self) -> None:
        with self.assertRaises(CommandError):
            self.run_command("relawan-x", "--role", "volunteer")
        self.run_command("mitra-api", "--role", "partner")
        with self.assertRaises(CommandError):
            self.run_command("mitra-api", "--role", "operator")
