from __future__ import annotations

import base64
import re
from datetime import timedelta
from unittest import mock

from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sigap.accounts.models import LoginFailure, User
from sigap.accounts.roles import Role
from sigap.lib.testing import PASSWORD, SigapTestCase, create_user

LOGIN = "/akun/masuk/"


def current_token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


class LockoutTests(SigapTestCase):
    def test_an_address_locks_for_an_account_after_six_failures_even_for_the_right_password(self) -> None:
        for _ in range(6):
            response = self.client.post(LOGIN, {"username": "operator", "password": "salah-salah-salah"})
            self.assertContains(response, "Nama pengguna atau kata sandi salah", status_code=400)
        response = self.client.post(LOGIN, {"username": "operator", "password": PASSWORD})
        self.assertContains(response, "Nama pengguna atau kata sandi salah", status_code=400)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(LoginFailure.objects.filter(user=self.operator).count(), 7)
        self.assertEqual(LoginFailure.objects.filter(user=self.operator, reason="locked").count(), 1)
        # The lock is this address's only: the operator signs in from elsewhere.
        elsewhere = Client(REMOTE_ADDR="10.9.9.8")
        response = elsewhere.post(LOGIN, {"username": "operator", "password": PASSWORD})
        self.assertRedirects(response, "/staf/", fetch_redirect_response=False)

    def test_lock_expires_after_fifteen_minutes(self) -> None:
        User.objects.filter(pk=self.operator.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
        response = self.client.post(LOGIN, {"username": "operator", "password": PASSWORD})
        self.assertRedirects(response, "/staf/", fetch_redirect_response=False)

    def test_success_resets_the_failure_count(self) -> None:
        for _ in range(5):
            self.client.post(LOGIN, {"username": "operator", "password": "salah-salah-salah"})
        self.client.post(LOGIN, {"username": "operator", "password": PASSWORD})
        self.operator.refresh_from_db()
        self.assertEqual(self.operator.failed_login_count, 0)
        self.assertIsNone(self.operator.locked_until)

    def test_failures_are_recorded_without_the_typed_username(self) -> None:
        self.client.post(LOGIN, {"username": "tidak-ada-orang", "password": "salah-salah-salah"})
        failure = LoginFailure.objects.get()
        self.assertIsNone(failure.user)
        self.assertEqual(failure.reason, "unknown")
        self.assertNotIn("tidak-ada", failure.username_digest)

    @override_settings(SIGAP_IP_FAILURES_PER_HOUR=3)
    def test_one_address_is_limited_across_accounts(self) -> None:
        for name in ("a", "b", "c"):
            self.client.post(LOGIN, {"username": name, "password": "salah-salah-salah"})
        response = self.client.post(LOGIN, {"username": "operator", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)
        other = Client(REMOTE_ADDR="10.9.9.9")
        response = other.post(LOGIN, {"username": "operator", "password": PASSWORD})
        self.assertEqual(response.status_code, 302)

    def test_bad_form_input_is_a_clear_error(self) -> None:
        response = self.client.post(LOGIN, {"username": "", "password": ""})
        self.assertContains(response, "Bidang ini tidak boleh kosong", status_code=400)


class TwoFactorTests(SigapTestCase):
    def test_staff_without_a_device_is_sent_to_enrol_before_any_staff_page(self) -> None:
        newcomer = create_user(Role.CASE_WORKER, "baru", two_factor=False)
        self.client.post(LOGIN, {"username": "baru", "password": PASSWORD})
        for url in ("/staf/", "/akun/pengguna/"):
            response = self.client.get(url)
            self.assertRedirects(response, "/akun/2fa/daftar/", fetch_redirect_response=False)
        page = self.client.get("/akun/2fa/daftar/")
        self.assertContains(page, "data:image/svg+xml;base64,")
        encoded = re.search(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page.content.decode())
        assert encoded is not None
        # Without its namespace an SVG in an <img> is drawn as nothing at all.
        self.assertIn(b'xmlns="http://www.w3.org/2000/svg"', base64.b64decode(encoded[1]))
        device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
        wrong = self.client.post("/akun/2fa/daftar/", {"token": "000000" if current_token(device) != "000000" else "111111"})
        self.assertEqual(wrong.status_code, 400)
        device.refresh_from_db()
        device.throttle_reset()  # django-otp delays the next try after a wrong code
        response = self.client.post("/akun/2fa/daftar/", {"token": current_token(device)})
        # Recovery codes to print first, then the staff pages.
        self.assertRedirects(response, "/akun/saya/kode-pemulihan/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/staf/").status_code, 200)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)

    def test_enrolled_staff_must_pass_the_code_after_password(self) -> None:
        self.client.post(LOGIN, {"username": "kepala", "password": PASSWORD})
        self.assertRedirects(self.client.get("/staf/"), "/akun/2fa/verifikasi/", fetch_redirect_response=False)
        device = TOTPDevice.objects.get(user=self.manager)
        response = self.client.post("/akun/2fa/verifikasi/", {"token": current_token(device)})
        self.assertRedirects(response, "/staf/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/staf/").status_code, 200)

    def test_every_staff_role_is_held_at_the_second_factor(self) -> None:
        for user in self.staff_cast:
            client = self.login(user, verified=False, client=Client())
            self.assertEqual(client.get("/staf/").status_code, 302, user.username)

    def test_a_volunteer_may_sign_in_without_a_second_factor(self) -> None:
        client = self.login(self.volunteer_a, verified=False)
        self.assertEqual(client.get("/staf/").status_code, 200)

    def test_malformed_code_is_refused_clearly(self) -> None:
        self.login(self.manager, verified=False)
        response = self.client.post("/akun/2fa/verifikasi/", {"token": "abc"})
        self.assertContains(response, "Masukkan 6 angka", status_code=400)


class SessionTests(SigapTestCase):
    def test_idle_session_expires_after_thirty_minutes(self) -> None:
        self.login(self.operator)
        self.assertEqual(self.client.get("/staf/").status_code, 200)
        later = timezone.now().timestamp() + 31 * 60
        with mock.patch("sigap.accounts.middleware.time.time", return_value=later):
            response = self.client.get("/staf/")
        self.assertRedirects(response, "/akun/masuk/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_active_session_ends_after_twelve_hours(self) -> None:
        self.login(self.operator)
        start = timezone.now().timestamp()
        # Stay active every 20 minutes: the idle limit never triggers, the absolute one does.
        for minutes in range(20, 12 * 60, 20):
            with mock.patch("sigap.accounts.middleware.time.time", return_value=start + minutes * 60):
                self.assertEqual(self.client.get("/staf/").status_code, 200, minutes)
        with mock.patch("sigap.accounts.middleware.time.time", return_value=start + 12 * 3600 + 60):
            response = self.client.get("/staf/")
        self.assertEqual(response.status_code, 302)

    def test_deactivating_a_user_ends_all_their_sessions(self) -> None:
        phone, laptop = Client(), Client()
        for client in (phone, laptop):
            client.post(LOGIN, {"username": "relawan-a", "password": PASSWORD})
            self.assertEqual(client.get("/staf/").status_code, 200)
        self.assertEqual(Session.objects.count(), 2)
        admin = self.login(self.admin, client=Client())
        admin.post(f"/akun/pengguna/{self.volunteer_a.pk}/aktif/", {"active": "0", "confirm": "1"})
        self.assertEqual(Session.objects.count(), 1)  # only the admin's
        for client in (phone, laptop):
            self.assertEqual(client.get("/staf/").status_code, 302)
        response = Client().post(LOGIN, {"username": "relawan-a", "password": PASSWORD})
        self.assertEqual(response.status_code, 400)

    def test_logout_is_post_only(self) -> None:
        self.login(self.operator)
        self.assertEqual(self.client.get("/akun/keluar/").status_code, 405)
        self.assertRedirects(self.client.post("/akun/keluar/"), "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/staf/").status_code, 302)
