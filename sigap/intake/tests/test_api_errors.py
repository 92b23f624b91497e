"""Every answer under /api/v1/ that is an error has the API's JSON shape (docs/API.md, "Errors"),
translated, with the right status; the OpenAPI schema declares every status an endpoint answers."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from sigap import api as sigap_api
from sigap.intake import api as intake_api
from sigap.intake.api import issue_token
from sigap.intake.models import Report
from sigap.intake.tests.factories import report_payload
from sigap.lib.params import MAX_JSON_DEPTH
from sigap.lib.testing import SigapTestCase
from sigap.stats import public
from sigap.stats.models import PublicStatsSnapshot

NOT_FOUND_ID = "Alamat ini tidak ada di API."
NOT_FOUND_EN = "This address does not exist in the API."
NOT_ALLOWED_ID = "Metode permintaan ini tidak diizinkan untuk alamat ini."
NOT_ALLOWED_EN = "This request method is not allowed for this address."


class ApiErrorCase(SigapTestCase):
    def ask(self, method: str, path: str, **headers: str) -> Any:
        if method == "get":
            return self.api.get(path, headers=headers)
        return getattr(self.api, method)(path, data="{}", content_type="application/json", headers=headers)

    def setUp(self) -> None:
        intake_api.lookup_limiter.reset()
        intake_api.failure_limiter.reset()
        # As a real client: CSRF enforced, and an exception becomes the error answer instead of failing the test.
        self.api = Client(enforce_csrf_checks=True, raise_request_exception=False)

    def assertApiError(self, response: Any, status: int, message: str | None = None) -> dict[str, Any]:
        self.assertEqual(response.status_code, status, response.content)
        self.assertTrue(response["Content-Type"].startswith("application/json"), response["Content-Type"])
        body = json.loads(response.content)
        self.assertEqual(set(body), {"error"})
        self.assertEqual(set(body["error"]), {"message", "fields"})
        self.assertIsInstance(body["error"]["fields"], dict)
        self.assertTrue(body["error"]["message"])
        if message is not None:
            self.assertEqual(body["error"]["message"], message)
        return body


class UnknownPathTests(ApiErrorCase):
    def test_an_unknown_path_under_the_api_is_a_json_404_for_every_method(self) -> None:
        for path in ("/api/v1/tidak-ada", "/api/v1/regions", "/api/v1/regions/18/anak", "/api/v1/reports/",
                     "/api/v1/", "/api/v1/v2/reports"):
            for method in ("get", "post", "put", "delete"):
                with self.subTest(path=path, method=method):
                    self.assertApiError(self.ask(method, path), 404, NOT_FOUND_ID)

    def test_the_404_message_is_english_on_request(self) -> None:
        response = self.api.get("/api/v1/tidak-ada", headers={"Accept-Language": "en"})
        self.assertApiError(response, 404, NOT_FOUND_EN)

    def test_a_path_outside_the_api_keeps_the_sites_html_404(self) -> None:
        for path in ("/tidak-ada/", "/api/v2/reports", "/api/"):
            response = self.api.get(path)
            self.assertEqual(response.status_code, 404, path)
            self.assertTrue(response["Content-Type"].startswith("text/html"), path)

    def test_django_refusals_raised_inside_an_operation_keep_the_shape(self) -> None:
        with mock.patch("sigap.regions.api.Region.objects.filter", side_effect=Http404):
            self.assertApiError(self.api.get("/api/v1/regions/18"), 404, NOT_FOUND_ID)
        with mock.patch("sigap.regions.api.Region.objects.filter", side_effect=PermissionDenied):
            self.assertApiError(self.api.get("/api/v1/regions/18"), 403, "Akses ditolak.")

    def test_an_unknown_region_is_404_in_bahasa_indonesia_or_english(self) -> None:
        self.assertApiError(self.api.get("/api/v1/regions/99.99"), 404, "Wilayah tidak ditemukan.")
        response = self.api.get("/api/v1/regions/99.99", headers={"Accept-Language": "en"})
        self.assertApiError(response, 404, "Region not found.")


class WrongMethodTests(ApiErrorCase):
    def test_a_wrong_method_is_a_json_405_with_the_allowed_methods(self) -> None:
        cases = [
            ("get", "/api/v1/reports", "POST"),
            ("put", "/api/v1/reports", "POST"),
            ("delete", "/api/v1/regions/18", "GET"),
            ("post", "/api/v1/regions/18", "GET"),
            ("post", "/api/v1/track/ABCD-EFGH-JK", "GET"),
            ("patch", "/api/v1/public/stats?year=2026", "GET"),
            ("post", "/api/v1/openapi.json", "GET, HEAD"),
        ]
        for method, path, allowed in cases:
            with self.subTest(method=method, path=path):
                response = self.ask(method, path)
                self.assertApiError(response, 405, NOT_ALLOWED_ID)
                self.assertEqual(response["Allow"], allowed)
        self.assertFalse(Report.objects.exists())

    def test_the_405_message_is_english_on_request(self) -> None:
        response = self.api.get("/api/v1/reports", headers={"Accept-Language": "en"})
        self.assertApiError(response, 405, NOT_ALLOWED_EN)
        self.assertEqual(response["Allow"], "POST")

    def test_the_schema_is_still_served_to_get(self) -> None:
        response = self.api.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["info"]["version"], "1")


class RefusedBeforeTheEndpointTests(ApiErrorCase):
    def test_a_nul_in_the_url_is_a_json_400_under_the_api_and_plain_text_elsewhere(self) -> None:
        self.assertApiError(self.api.get("/api/v1/regions/18%00"), 400, "Permintaan tidak sah.")
        response = self.api.get("/api/v1/public/stats?year=2026%00", headers={"Accept-Language": "en"})
        self.assertApiError(response, 400, "Invalid request.")
        response = self.api.get("/lacak/?kode=%00")
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response["Content-Type"].startswith("text/plain"))

    def test_a_disallowed_host_is_a_json_400_under_the_api(self) -> None:
        with self.assertLogs("django.security.DisallowedHost", level="ERROR"):
            response = self.api.get("/api/v1/regions/18", headers={"Host": "bukan-kami.example"})
        self.assertApiError(response, 400, "Permintaan tidak dapat diproses.")

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
    def test_a_form_body_over_the_limit_is_a_json_413(self) -> None:
        token = issue_token(self.operator)
        response = self.api.post("/api/v1/reports", data={"x": "y" * 500}, headers={"Authorization": f"Bearer {token}"})
        self.assertApiError(response, 413, "Isi permintaan terlalu besar.")
        self.assertFalse(Report.objects.exists())

    def test_a_fault_outside_any_view_is_a_json_500_under_the_api_and_the_sites_page_elsewhere(self) -> None:
        factory = RequestFactory()
        self.assertApiError(sigap_api.server_error(factory.get("/api/v1/regions/18")), 500,
                            "Terjadi kesalahan pada server.")
        page = sigap_api.server_error(factory.get("/kasus/"))
        self.assertEqual(page.status_code, 500)
        self.assertTrue(page["Content-Type"].startswith("text/html"))

    def test_the_sites_handlers_answer_pages_outside_the_api(self) -> None:
        request = RequestFactory().get("/kasus/")
        for handler, status in ((sigap_api.bad_request, 400), (sigap_api.permission_denied, 403),
                                (sigap_api.page_not_found, 404)):
            response = handler(request, Exception())
            self.assertEqual(response.status_code, status)
            self.assertTrue(response["Content-Type"].startswith("text/html"), handler.__name__)


class BodyTests(ApiErrorCase):
    def post(self, body: str, **headers: str) -> Any:
        headers["Authorization"] = f"Bearer {issue_token(self.operator)}"
        return self.api.post("/api/v1/reports", body, content_type="application/json", headers=headers)

    def test_json_nested_too_deep_is_400_saying_so_and_stores_nothing(self) -> None:
        # Valid JSON, but never parsed: 400 like a body that is not JSON, not 422 (docs/API.md, "Conventions").
        deep = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
        body = self.assertApiError(self.post(deep), 400)
        self.assertEqual(body["error"]["message"],
                         f"Isi permintaan bersarang terlalu dalam (paling banyak {MAX_JSON_DEPTH} tingkat).")
        body = self.assertApiError(self.post(deep, **{"Accept-Language": "en"}), 400)
        self.assertEqual(body["error"]["message"], f"The request body is nested too deeply (at most {MAX_JSON_DEPTH} levels).")
        self.assertFalse(Report.objects.exists())

    def test_json_at_the_depth_limit_is_parsed_and_validated(self) -> None:
        payload = report_payload()
        nested: Any = "x"
        for _level in range(MAX_JSON_DEPTH - 1):
            nested = [nested]
        payload["ignored"] = nested  # the body object itself is the 64th level
        response = self.post(json.dumps(payload))
        self.assertEqual(response.status_code, 201, response.content)

    def test_a_body_that_is_not_json_is_400_with_its_own_message(self) -> None:
        self.assertApiError(self.post("{bukan json"), 400, "Isi permintaan harus JSON yang sah.")


class SchemaDeclaresEveryStatusTests(ApiErrorCase):
    EXPECTED = {
        ("post", "/api/v1/reports"): {"201", "400", "401", "403", "409", "413", "422", "503"},
        ("get", "/api/v1/track/{tracking_code}"): {"200", "404", "429"},
        ("get", "/api/v1/regions/{code}"): {"200", "404"},
        ("get", "/api/v1/public/stats"): {"200", "404", "422"},
    }

    def test_each_operation_declares_every_status_it_answers_with_the_error_schema(self) -> None:
        schema = self.api.get("/api/v1/openapi.json").json()
        operations = {(method, path): operation for path, item in schema["paths"].items()
                      for method, operation in item.items()}
        self.assertEqual(set(operations), set(self.EXPECTED))
        for key, statuses in self.EXPECTED.items():
            responses = operations[key]["responses"]
            self.assertEqual(set(responses), statuses, key)
            for status in statuses:
                ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
                if status.startswith(("4", "5")):
                    self.assertEqual(ref, "#/components/schemas/ErrorOut", (key, status))
        stats_ok = operations[("get", "/api/v1/public/stats")]["responses"]["200"]
        self.assertEqual(stats_ok["content"]["application/json"]["schema"]["$ref"],
                         "#/components/schemas/PublicStatsOut")
        cell = schema["components"]["schemas"]["PublicCell"]
        self.assertEqual(cell["required"], ["count"])
        self.assertEqual(set(cell["properties"]), {"count", "suppressed"})

    def test_the_public_statistics_are_served_exactly_as_stored(self) -> None:
        year = timezone.localdate().year
        snapshot = public.refresh(year)
        data = snapshot.data
        data["cases_by_kecamatan_quarter"]["total"] = {"count": None, "suppressed": True}
        data["cases_by_kecamatan_quarter"]["rows"][0]["quarters"]["Q2"] = {"count": "<5"}
        data["victims_by_age_group_sex"]["totals"]["P"] = {"count": 12}
        data["cases_by_violence_type"]["fisik"] = {"count": None, "suppressed": True}
        PublicStatsSnapshot.objects.filter(pk=snapshot.pk).update(data=data)
        response = self.api.get(f"/api/v1/public/stats?year={year}")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json(), PublicStatsSnapshot.objects.get(pk=snapshot.pk).data)
        self.assertNotIn("suppressed", response.json()["victims_by_age_group_sex"]["totals"]["P"])

    def test_the_public_statistics_refusals_have_the_shape(self) -> None:
        year = timezone.localdate().year
        self.assertApiError(self.api.get(f"/api/v1/public/stats?year={year}"), 404)
        body = self.assertApiError(self.api.get("/api/v1/public/stats?year=1999"), 422)
        self.assertIn("year", body["error"]["fields"])
        self.assertApiError(self.api.get("/api/v1/public/stats"), 422)
