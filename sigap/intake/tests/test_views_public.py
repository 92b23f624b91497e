"""The public report form /lapor and the tracking page /lacak: no login, flood-proof, nothing personal shown."""

from __future__ import annotations

import time
from typing import Any
from unittest.mock import patch

from django.test import Client
from django.urls import reverse

from sigap.core.models import RateWindow
from sigap.intake.actions import SubmittedReport, track
from sigap.intake.models import IdempotencyRecord, Report, ReporterIdentity, TrackingCode, Victim
from sigap.intake.tests.factories import OTHER_DISTRICT_DESA, create_report
from sigap.intake.tests.form_data import report_form_data
from sigap.intake.views import public
from sigap.lib.ratelimit import SharedWindowLimiter
from sigap.lib.testing import DESA_A, DESA_B, SigapTestCase

LAPOR = reverse("intake:public_report")
LACAK = reverse("intake:track")


def reset_limits() -> None:
    for limiter in public.ALL_LIMITERS:
        limiter.reset()


class PublicTestCase(SigapTestCase):
    def setUp(self) -> None:
        reset_limits()
        self.addCleanup(reset_limits)

    def post(self, data: dict[str, Any], ip: str = "10.0.0.1", client: Client | None = None) -> Any:
        return (client or self.client).post(LAPOR, data, REMOTE_ADDR=ip)


class PublicFormTests(PublicTestCase):
    def test_paths_are_lapor_and_lacak(self) -> None:
        self.assertEqual(LAPOR, "/lapor")
        self.assertEqual(LACAK, "/lacak")

    def test_form_needs_no_login_and_shows_the_way_out_and_emergency_numbers(self) -> None:
        page = self.client.get(LAPOR)
        self.assertEqual(page.status_code, 200)
        for text in ("Keluar cepat", "tel:110", "tel:129", "Kami akan merahasiakan identitas pelapor",
                     "Saya setuju laporan ini diterima", "Kirim laporan"):
            self.assertContains(page, text)
        self.assertContains(page, 'name="situs_web"')  # the honeypot
        self.assertNotContains(page, "<script>")  # no inline script (CSP script-src 'self')
        self.assertNotContains(page, 'name="channel"')
        self.assertIn("script-src 'self'", page["Content-Security-Policy"])

    def test_public_report_is_saved_on_the_web_channel_and_shows_code_and_pin(self) -> None:
        response = self.post(report_form_data(public=True))
        self.assertEqual(response.status_code, 200)
        report = Report.objects.get()
        self.assertEqual(report.channel, "web")
        self.assertIsNone(report.submitted_by)
        submitted = response.context["submitted"]
        self.assertContains(response, submitted.tracking_code)
        self.assertContains(response, submitted.pin)
        self.assertEqual(track(submitted.tracking_code, submitted.pin), "diterima")

    def test_consent_is_required_in_plain_words(self) -> None:
        response = self.post(report_form_data(public=True, consent_process=None))
        self.assertEqual(response.status_code, 400)
        self.assertIn("consent_process", response.context["entry"].details.errors)
        self.assertFalse(Report.objects.exists())

    def test_a_double_submit_creates_one_report(self) -> None:
        data = report_form_data(public=True)
        first = self.post(data)
        second = self.post(data)
        self.assertEqual(Report.objects.count(), 1)
        self.assertEqual(first.context["submitted"].tracking_code, second.context["submitted"].tracking_code)
        record = IdempotencyRecord.objects.get()
        self.assertIsNone(record.user)

    def test_a_reused_token_with_other_content_files_nothing_new_without_asking(self) -> None:
        data = report_form_data(public=True)
        self.post(data)
        changed = {**data, "chronology-0-description": "Isi lain."}
        response = self.post(changed)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "sudah pernah dikirim", status_code=400)
        self.assertEqual(Report.objects.count(), 1)
        fresh = self.post({**changed, "form_token": response.context["form_token"]})
        self.assertEqual(fresh.status_code, 200)
        self.assertEqual(Report.objects.count(), 2)

    def test_honeypot_filled_saves_nothing(self) -> None:
        response = self.post(report_form_data(public=True, situs_web="http://spam.example"))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Report.objects.exists())

    def test_bad_input_rerenders_in_indonesian_and_saves_nothing(self) -> None:
        data = report_form_data(public=True, **{"victims-0-sex": "", "chronology-0-description": "",
                                                "reporter-phone": "abc", "reporter-address": ""})
        response = self.post(data)
        self.assertEqual(response.status_code, 400)
        for message in ("Laporan belum tersimpan", "Wajib diisi.", "Uraikan apa yang terjadi.",
                        "Nomor telepon tidak sah."):
            self.assertContains(response, message, status_code=400)
        self.assertFalse(Report.objects.exists())
        self.assertFalse(ReporterIdentity.objects.exists())

    def test_qr_code_link_preselects_the_desa_and_records_the_source(self) -> None:
        page = self.client.get(LAPOR, {"desa": DESA_B, "src": "pamflet-2026"})
        self.assertContains(page, f'<option value="{DESA_B}" selected>', html=False)
        self.assertContains(page, 'name="src" value="pamflet-2026"')
        data = report_form_data(public=True, src="pamflet-2026",
                                **{"victims-0-desa": DESA_B, "chronology-0-desa": DESA_B})
        self.post(data)
        report = Report.objects.get()
        self.assertEqual(report.source, "pamflet-2026")
        self.assertEqual(report.desa_id, DESA_B)

    def test_a_desa_outside_the_regency_goes_into_the_code_input(self) -> None:
        page = self.client.get(LAPOR, {"desa": OTHER_DISTRICT_DESA})
        self.assertContains(page, f'name="victims-0-desa_other" value="{OTHER_DISTRICT_DESA}"')
        self.assertContains(page, '<option value="lain" selected>', html=False)

    def test_bad_desa_and_source_parameters_are_ignored(self) -> None:
        for params in ({"desa": "99.99.99.9999", "src": "A B"}, {"desa": "<x>", "src": "x" * 41},
                       {"desa": "18.11.01", "src": "ok-src\n"}):
            page = self.client.get(LAPOR, params)
            self.assertEqual(page.status_code, 200)
            self.assertNotContains(page, 'name="src"')
            self.assertNotContains(page, '" selected>Wiralaga I')
        self.post(report_form_data(public=True, src="Bukan Sah!"))
        self.assertEqual(Report.objects.get().source, "")

    def test_add_another_event_without_javascript(self) -> None:
        response = self.post(report_form_data(public=True, add="chronology"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="chronology-1-description"')
        # the new row starts in the desa of the row before
        self.assertContains(response, f'<option value="{DESA_A}" selected>', html=False)
        self.assertFalse(Report.objects.exists())


class FloodTests(PublicTestCase):
    """The limiters' clocks stand still in the middle of a minute and an hour: on a slow machine a loop of
    posts could otherwise cross a window's end, where the sliding count lets one more through."""

    def setUp(self) -> None:
        super().setUp()
        frozen = (time.time() // 3600) * 3600 + 1830.0
        for limiter in (public.submit_ip_limiter, public.submit_global_limiter, public.page_ip_limiter,
                        public.page_global_limiter):
            self.addCleanup(setattr, limiter, "_clock", limiter._clock)
            limiter._clock = lambda: frozen

    def test_a_flood_from_one_address_gets_429_while_staff_pages_answer(self) -> None:
        limit = public.submit_ip_limiter.limit
        statuses = [self.post(report_form_data(public=True, **{"victims-0-sex": ""})).status_code
                    for _ in range(limit + 5)]
        self.assertEqual(statuses[:limit], [400] * limit)
        self.assertEqual(statuses[limit:], [429] * 5)
        # another address is still served
        self.assertEqual(self.post(report_form_data(public=True), ip="10.0.0.2").status_code, 200)
        # and the staff keep working
        staff = Client()
        self.login(self.operator, client=staff)
        self.assertEqual(staff.get(reverse("intake:report_list")).status_code, 200)
        self.assertEqual(staff.get(reverse("intake:report_new")).status_code, 200)

    def test_a_flood_from_many_addresses_hits_the_global_limit(self) -> None:
        original = public.submit_global_limiter.limit
        public.submit_global_limiter.limit = 5
        self.addCleanup(setattr, public.submit_global_limiter, "limit", original)
        # Only submissions that would be stored count against the limit of all clients
        # (security review finding 5): invalid posts are refused one by one, never 429.
        invalid = [self.post(report_form_data(public=True, **{"victims-0-sex": ""}),
                             ip=f"10.1.0.{i}").status_code for i in range(8)]
        self.assertEqual(invalid, [400] * 8)
        statuses = [self.post(report_form_data(public=True), ip=f"10.1.1.{i}").status_code for i in range(8)]
        self.assertEqual(statuses, [200] * 5 + [429] * 3)
        staff = self.login(self.manager, client=Client())
        self.assertEqual(staff.get(reverse("intake:report_list")).status_code, 200)

    def test_valid_reports_past_the_limit_are_refused_and_nothing_is_stored(self) -> None:
        public.submit_ip_limiter.limit, original = 3, public.submit_ip_limiter.limit
        self.addCleanup(setattr, public.submit_ip_limiter, "limit", original)
        statuses = [self.post(report_form_data(public=True), ip="10.5.0.1").status_code for _ in range(5)]
        self.assertEqual(statuses, [200, 200, 200, 429, 429])
        self.assertEqual(Report.objects.count(), 3)
        self.assertEqual(IdempotencyRecord.objects.count(), 3)

    def test_the_submission_limits_hold_across_server_processes(self) -> None:
        # Another gunicorn worker has its own memory but the same database: it refuses too.
        public.submit_ip_limiter.limit, original = 2, public.submit_ip_limiter.limit
        self.addCleanup(setattr, public.submit_ip_limiter, "limit", original)
        for _ in range(2):
            self.post(report_form_data(public=True, **{"victims-0-sex": ""}), ip="10.6.0.1")
        other_process = SharedWindowLimiter(public.submit_ip_limiter.name, 2, 3600, clock=public.submit_ip_limiter._clock)
        with patch.object(public, "submit_ip_limiter", other_process):
            self.assertEqual(self.post(report_form_data(public=True), ip="10.6.0.1").status_code, 429)
            self.assertEqual(self.post(report_form_data(public=True), ip="10.6.0.2").status_code, 200)
        self.assertEqual(Report.objects.count(), 1)

    def test_shared_counters_hold_keyed_digests_not_addresses(self) -> None:
        self.post(report_form_data(public=True), ip="10.7.8.9")
        self.client.post(LACAK, {"code": "AAAA-BBBB-CC", "pin": "123456"}, REMOTE_ADDR="10.7.8.9")
        keys = list(RateWindow.objects.values_list("key", flat=True))
        self.assertTrue(keys)
        for key in keys:
            self.assertNotIn("10.7.8.9", key)
            self.assertRegex(key, r"^[a-z-]+:[0-9a-f]{32}$|^lapor-all:all$")

    def test_page_views_are_limited_per_address(self) -> None:
        # A small limit, so the minute's window cannot pass while a slow machine renders pages.
        original = public.page_ip_limiter.limit
        public.page_ip_limiter.limit = limit = 5
        self.addCleanup(setattr, public.page_ip_limiter, "limit", original)
        statuses = [self.client.get(LAPOR, REMOTE_ADDR="10.2.0.1").status_code for _ in range(limit + 1)]
        self.assertEqual(statuses[-1], 429)
        self.assertContains(self.client.get(LAPOR, REMOTE_ADDR="10.2.0.1"), "Terlalu banyak", status_code=429)
        self.assertEqual(self.client.get(LAPOR, REMOTE_ADDR="10.2.0.2").status_code, 200)

    def test_429_page_costs_no_database_query(self) -> None:
        public.page_ip_limiter.limit, original = 0, public.page_ip_limiter.limit
        self.addCleanup(setattr, public.page_ip_limiter, "limit", original)
        with self.assertNumQueries(0):
            response = self.client.get(LAPOR)
        self.assertEqual(response.status_code, 429)


class TrackingPageTests(PublicTestCase):
    submitted: SubmittedReport

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.submitted = create_report(cls.operator)

    def test_code_and_pin_show_only_the_coarse_status_and_the_hotline(self) -> None:
        response = self.client.post(LACAK, {"code": self.submitted.tracking_code.lower(), "pin": self.submitted.pin})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Diterima")
        self.assertContains(response, "0812 7185 7372")
        report = self.submitted.report
        for secret in ("Siti", "Budi", "Contoh", "0812-0000-1111", report.registration_number, "Uraian",
                       "tetangga", "Risiko", "sedang", DESA_A, "Wiralaga", self.submitted.pin):
            self.assertNotContains(response, secret)

    def test_the_lookup_is_post_only_and_never_in_the_url(self) -> None:
        page = self.client.get(LACAK, {"code": self.submitted.tracking_code, "pin": self.submitted.pin})
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Status laporan Anda")
        self.assertContains(page, 'method="post"')

    def test_wrong_pins_count_towards_the_lockout(self) -> None:
        for _ in range(5):
            response = self.client.post(LACAK, {"code": self.submitted.tracking_code, "pin": "000000"},
                                        REMOTE_ADDR=f"10.3.0.{_}")
            self.assertContains(response, "tidak cocok", status_code=400)
        entry = TrackingCode.objects.get(report=self.submitted.report)
        self.assertEqual(entry.failed_attempts, 5)
        locked = self.client.post(LACAK, {"code": self.submitted.tracking_code, "pin": self.submitted.pin},
                                  REMOTE_ADDR="10.3.1.1")
        self.assertEqual(locked.status_code, 429)

    def test_too_many_failures_from_one_address_are_refused(self) -> None:
        limit = public.intake_api.failure_limiter.limit
        for _ in range(limit):
            self.client.post(LACAK, {"code": "AAAA-BBBB-CC", "pin": "123456"}, REMOTE_ADDR="10.4.0.1")
        response = self.client.post(LACAK, {"code": self.submitted.tracking_code, "pin": self.submitted.pin},
                                    REMOTE_ADDR="10.4.0.1")
        self.assertEqual(response.status_code, 429)

    def test_empty_or_silly_input_is_a_form_error(self) -> None:
        for data in ({}, {"code": "x" * 500, "pin": "1"}, {"code": "\x00", "pin": "\x00"}):
            response = self.client.post(LACAK, data)
            self.assertIn(response.status_code, (400,))


class NoPartialSaveTests(PublicTestCase):
    def test_a_failure_inside_the_save_leaves_nothing_behind(self) -> None:
        from unittest import mock

        with mock.patch("sigap.intake.actions.TrackingCode.objects.create", side_effect=RuntimeError("disk full")):
            client = Client(raise_request_exception=False)
            response = client.post(LAPOR, report_form_data(public=True), REMOTE_ADDR="10.5.0.1")
        self.assertEqual(response.status_code, 500)
        self.assertFalse(Report.objects.exists())
        self.assertFalse(Victim.objects.exists())
        self.assertFalse(ReporterIdentity.objects.exists())
        self.assertFalse(IdempotencyRecord.objects.exists())
