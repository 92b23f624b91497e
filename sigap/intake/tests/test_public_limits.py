"""Public limits hold behind the proxy and cannot be used up by someone else's junk.

Security review findings 4 (tracking limits keyed by the socket address: behind
nginx one attacker locked /lacak and the tracking API for every reporter) and 5
(bot posts used up everyone's /lapor budget).
"""

from __future__ import annotations

from typing import Any

from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from sigap.intake.models import Report
from sigap.intake.tests.factories import create_report
from sigap.intake.tests.form_data import report_form_data
from sigap.intake.views import public
from sigap.lib.clientip import client_ip
from sigap.lib.testing import SigapTestCase

LAPOR = reverse("intake:public_report")
LACAK = reverse("intake:track")
PROXY = "127.0.0.1"


def behind_proxy(real_ip: str) -> dict[str, Any]:
    """What gunicorn sees behind the documented nginx: the socket is loopback, X-Real-IP the client."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": real_ip}


class LimitsTestCase(SigapTestCase):
    def setUp(self) -> None:
        super().setUp()
        self._limits = [(limiter, limiter.limit) for limiter in public.ALL_LIMITERS]
        for limiter in public.ALL_LIMITERS:
            limiter.reset()

    def tearDown(self) -> None:
        for limiter, limit in self._limits:
            limiter.limit = limit
            limiter.reset()
        super().tearDown()


class ClientAddressTests(LimitsTestCase):
    def test_x_real_ip_is_believed_only_from_a_configured_proxy(self) -> None:
        factory = RequestFactory()
        self.assertEqual(client_ip(factory.get("/", **behind_proxy("203.0.113.9"))), "203.0.113.9")
        spoofed = factory.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP="203.0.113.9")
        self.assertEqual(client_ip(spoofed), "198.51.100.7")
        self.assertEqual(client_ip(factory.get("/", **behind_proxy("not an address"))), PROXY)
        with override_settings(SIGAP_TRUSTED_PROXIES=["10.0.0.2"]):
            self.assertEqual(client_ip(factory.get("/", **behind_proxy("203.0.113.9"))), PROXY)

    def test_wrong_tracking_lookups_from_one_client_behind_nginx_do_not_lock_out_another(self) -> None:
        attacker, reporter = Client(), Client()
        for _i in range(public.intake_api.failure_limiter.limit):
            attacker.post(LACAK, {"code": "AAAA-BBBB-CC", "pin": "123456"}, **behind_proxy("203.0.113.66"))
        self.assertEqual(
            attacker.post(LACAK, {"code": "AAAA-BBBB-CC", "pin": "123456"},
                          **behind_proxy("203.0.113.66")).status_code, 429)
        submitted = create_report(None)
        response = reporter.post(LACAK, {"code": submitted.tracking_code, "pin": submitted.pin},
                                 **behind_proxy("203.0.113.7"))
        self.assertEqual(response.status_code, 200)
        api = reporter.get(f"/api/v1/track/{submitted.tracking_code}", HTTP_X_TRACKING_PIN=submitted.pin,
                           **behind_proxy("203.0.113.8"))
        self.assertEqual(api.status_code, 200)
        self.assertEqual(
            attacker.get(f"/api/v1/track/{submitted.tracking_code}", HTTP_X_TRACKING_PIN=submitted.pin,
                         **behind_proxy("203.0.113.66")).status_code, 429)

    def test_a_client_cannot_escape_the_limit_by_writing_x_real_ip_itself(self) -> None:
        client = Client()
        for n in range(public.intake_api.failure_limiter.limit):
            client.post(LACAK, {"code": "AAAA-BBBB-CC", "pin": "123456"},
                        REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP=f"203.0.113.{n}")
        response = client.post(LACAK, {"code": "AAAA-BBBB-CC", "pin": "123456"},
                               REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP="203.0.113.200")
        self.assertEqual(response.status_code, 429)


class LaporBudgetTests(LimitsTestCase):
    def post(self, data: dict[str, Any], ip: str) -> Any:
        return Client().post(LAPOR, data, **behind_proxy(ip))

    def test_junk_posts_do_not_use_up_the_budget_of_genuine_reporters(self) -> None:
        public.submit_global_limiter.limit = 3
        public.submit_ip_limiter.limit = 1000
        for n in range(10):  # a bot: honeypot filled, or empty posts that fail validation
            self.post({**report_form_data(public=True), public.HONEYPOT: "http://spam"}, f"203.0.113.{n}")
            self.post({}, f"203.0.113.{n}")
        for n in range(3):
            response = self.post(report_form_data(public=True), f"198.51.100.{n}")
            self.assertEqual(response.status_code, 200, n)
        self.assertEqual(Report.objects.count(), 3)
        # The fourth genuine report in the minute meets the global limit, with the hotline number.
        refused = self.post(report_form_data(public=True), "198.51.100.99")
        self.assertContains(refused, "Terlalu banyak", status_code=429)
        self.assertContains(refused, 'href="tel:081271857372"', status_code=429)
        self.assertIn("hotline", refused.content.decode().split("<main", 1)[1].split("</main>", 1)[0])
        self.assertEqual(Report.objects.count(), 3)

    def test_the_per_client_limit_still_counts_every_post(self) -> None:
        public.submit_ip_limiter.limit = 2
        for _i in range(2):
            self.post({}, "203.0.113.5")
        self.assertEqual(self.post(report_form_data(public=True), "203.0.113.5").status_code, 429)
        self.assertEqual(self.post(report_form_data(public=True), "203.0.113.6").status_code, 200)

    def test_the_honeypot_refusal_names_the_hotline(self) -> None:
        response = self.post({**report_form_data(public=True), public.HONEYPOT: "x"}, "203.0.113.5")
        self.assertContains(response, "hubungi hotline 0812 7185 7372", status_code=400)
