"""Accounts people can manage: own password, reset links, lost phones, recovery codes, edits."""

from __future__ import annotations

import re

from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sigap.accounts import actions
from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.lib.testing import DESA_A, DESA_B, PASSWORD, SigapTestCase
from sigap.vault.models import AuditEntry

NEW = "kalimat-sandi-baru-yang-panjang"


def audit_actions(user: User) -> list[str]:
    return list(AuditEntry.objects.filter(object_id=str(user.pk)).order_by("id").values_list("action", flat=True))


class OwnPasswordTests(SigapTestCase):
    def test_every_signed_in_user_reaches_their_account_and_anonymous_does_not(self) -> None:
        self.assertAllowedOnly("get", "/akun/saya/", self.everyone)
        self.assertAllowedOnly("get", "/akun/saya/kata-sandi/", self.everyone)
        self.assertContains(self.login(self.operator).get("/staf/"), 'href="/akun/saya/"')

    def test_change_own_password_ends_other_sessions_keeps_this_one_and_is_audited(self) -> None:
        other_device = self.login(self.operator, client=Client())
        client = self.login(self.operator)
        response = client.post(
            "/akun/saya/kata-sandi/", {"current": PASSWORD, "password1": NEW, "password2": NEW}
        )
        self.assertRedirects(response, "/akun/saya/", fetch_redirect_response=False)
        self.operator.refresh_from_db()
        self.assertTrue(self.operator.check_password(NEW))
        self.assertEqual(client.get("/staf/").status_code, 200)
        self.assertEqual(other_device.get("/staf/").status_code, 302)
        self.assertIn("accounts.user_password_changed", audit_actions(self.operator))

    def test_wrong_current_or_weak_new_password_changes_nothing(self) -> None:
        client = self.login(self.case_worker)
        wrong = client.post("/akun/saya/kata-sandi/", {"current": "salah-sekali-ini", "password1": NEW, "password2": NEW})
        self.assertContains(wrong, "Kata sandi sekarang salah", status_code=400)
        weak = client.post("/akun/saya/kata-sandi/", {"current": PASSWORD, "password1": "pendek", "password2": "pendek"})
        self.assertContains(weak, "terlalu pendek", status_code=400)
        self.case_worker.refresh_from_db()
        self.assertTrue(self.case_worker.check_password(PASSWORD))
        self.assertNotIn("accounts.user_password_changed", audit_actions(self.case_worker))


class ResetLinkTests(SigapTestCase):
    def make_link(self, target: User) -> str:
        client = self.login(self.admin)
        self.assertContains(client.get(f"/akun/pengguna/{target.pk}/tautan-sandi/"), "Buat tautan")
        page = client.post(f"/akun/pengguna/{target.pk}/tautan-sandi/")
        match = re.search(r'id="reset-link">(http[^<]+)<', page.content.decode())
        assert match is not None
        return match.group(1).replace("http://testserver", "")

    def test_only_the_admin_makes_reset_links(self) -> None:
        url = f"/akun/pengguna/{self.operator.pk}/tautan-sandi/"
        self.assertAllowedOnly("get", url, [self.admin])
        self.assertAllowedOnly("post", url, [self.admin])

    def test_the_link_sets_a_new_password_once_lifts_the_lockout_and_ends_sessions(self) -> None:
        signed_in = self.login(self.operator, client=Client())
        User.objects.filter(pk=self.operator.pk).update(failed_login_count=6)
        link = self.make_link(self.operator)
        anonymous = Client()
        self.assertContains(anonymous.get(link), "operator")
        done = anonymous.post(link, {"password1": NEW, "password2": NEW})
        self.assertRedirects(done, "/akun/masuk/", fetch_redirect_response=False)
        self.operator.refresh_from_db()
        self.assertTrue(self.operator.check_password(NEW))
        self.assertEqual(self.operator.failed_login_count, 0)
        self.assertEqual(signed_in.get("/staf/").status_code, 302)
        # One time only.
        again = Client().post(link, {"password1": "lagi-kata-sandi-lain-sekali", "password2": "lagi-kata-sandi-lain-sekali"})
        self.assertContains(again, "Tautan tidak berlaku", status_code=404)
        self.operator.refresh_from_db()
        self.assertTrue(self.operator.check_password(NEW))
        self.assertEqual(
            [a for a in audit_actions(self.operator) if "password" in a],
            ["accounts.user_password_reset_link", "accounts.user_password_reset"],
        )

    def test_a_tampered_link_or_weak_password_changes_nothing(self) -> None:
        link = self.make_link(self.data_officer)
        self.assertEqual(Client().get(link[:-3] + "abc/").status_code, 404)
        self.assertEqual(Client().get("/akun/atur-ulang/xx/yy/").status_code, 404)
        weak = Client().post(link, {"password1": "12345678", "password2": "12345678"})
        self.assertEqual(weak.status_code, 400)
        self.data_officer.refresh_from_db()
        self.assertTrue(self.data_officer.check_password(PASSWORD))

    def test_the_admin_cannot_make_a_link_for_themself(self) -> None:
        client = self.login(self.admin)
        client.post(f"/akun/pengguna/{self.admin.pk}/tautan-sandi/")
        self.assertNotIn("accounts.user_password_reset_link", audit_actions(self.admin))


class TwoFactorResetAndRecoveryTests(SigapTestCase):
    def test_only_the_admin_resets_a_lost_phone_after_confirming(self) -> None:
        url = f"/akun/pengguna/{self.manager.pk}/reset-2fa/"
        self.assertAllowedOnly("get", url, [self.admin])
        for user in self.everyone:
            if user != self.admin:
                self.login(user, client=Client()).post(url)
        self.assertTrue(TOTPDevice.objects.filter(user=self.manager).exists())
        client = self.login(self.admin)
        self.assertContains(client.get(url), "Ya, atur ulang")
        self.assertTrue(TOTPDevice.objects.filter(user=self.manager).exists())
        client.post(url)
        self.assertFalse(TOTPDevice.objects.filter(user=self.manager).exists())
        self.assertIn("accounts.user_2fa_reset", audit_actions(self.manager))
        # At the next sign-in the manager enrols a new phone.
        fresh = self.login(self.manager, client=Client(), verified=False)
        self.assertRedirects(fresh.get("/staf/"), "/akun/2fa/daftar/", fetch_redirect_response=False)

    def test_recovery_codes_are_shown_once_at_enrolment_and_each_works_once(self) -> None:
        from django_otp.oath import totp

        user = User.objects.create_user("baru", password=PASSWORD, role=Role.OPERATOR)
        client = Client()
        client.force_login(user)
        client.get("/akun/2fa/daftar/")
        device = TOTPDevice.objects.get(user=user)
        code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        response = client.post("/akun/2fa/daftar/", {"token": code})
        self.assertRedirects(response, "/akun/saya/kode-pemulihan/", fetch_redirect_response=False)
        page = client.get("/akun/saya/kode-pemulihan/")
        codes = re.findall(r"<code>(\w{4}-\w{4})</code>", page.content.decode())
        self.assertEqual(len(codes), 10)
        self.assertNotContains(client.get("/akun/saya/kode-pemulihan/"), codes[0])

        # A lost phone: sign in with a recovery code instead.
        later = Client()
        later.force_login(user)
        self.assertContains(later.get("/akun/2fa/verifikasi/"), "/akun/2fa/pemulihan/")
        wrong = later.post("/akun/2fa/pemulihan/", {"code": "zzzz-zzzz"})
        self.assertContains(wrong, "salah atau sudah dipakai", status_code=400)
        ok = later.post("/akun/2fa/pemulihan/", {"code": codes[0].upper()})
        self.assertRedirects(ok, "/staf/", fetch_redirect_response=False)
        self.assertEqual(later.get("/staf/").status_code, 200)
        self.assertEqual(StaticToken.objects.filter(device__user=user).count(), 9)
        self.assertIn("auth.2fa_recovery_code_used", audit_actions(user))
        # The same code never works twice.
        again = Client()
        again.force_login(user)
        self.assertEqual(again.post("/akun/2fa/pemulihan/", {"code": codes[0]}).status_code, 400)
        self.assertEqual(again.get("/staf/").status_code, 302)

    def test_new_codes_need_the_second_factor_and_replace_the_old(self) -> None:
        client = self.login(self.operator, verified=False)
        self.assertEqual(client.post("/akun/saya/kode-pemulihan/").status_code, 302)
        self.assertFalse(StaticDevice.objects.filter(user=self.operator).exists())
        client = self.login(self.operator)
        client.post("/akun/saya/kode-pemulihan/")
        first = set(StaticToken.objects.filter(device__user=self.operator).values_list("token", flat=True))
        client.post("/akun/saya/kode-pemulihan/")
        second = set(StaticToken.objects.filter(device__user=self.operator).values_list("token", flat=True))
        self.assertEqual(len(second), 10)
        self.assertFalse(first & second)


class EditUserTests(SigapTestCase):
    def test_only_the_admin_edits_users(self) -> None:
        self.assertAllowedOnly("get", f"/akun/pengguna/{self.operator.pk}/", [self.admin])
        for user in self.everyone:
            if user != self.admin:
                self.login(user, client=Client()).post(
                    f"/akun/pengguna/{self.operator.pk}/", {"first_name": "X", "role": Role.ADMIN}
                )
        self.operator.refresh_from_db()
        self.assertEqual(self.operator.role, Role.OPERATOR)

    def test_admin_changes_role_desa_and_name_sessions_end_and_it_is_audited(self) -> None:
        volunteer_session = self.login(self.volunteer_a, client=Client())
        client = self.login(self.admin)
        response = client.post(
            f"/akun/pengguna/{self.volunteer_a.pk}/",
            {"first_name": "Rina", "last_name": "Wati", "email": "", "role": Role.VOLUNTEER, "desa": DESA_B},
        )
        self.assertRedirects(response, "/akun/pengguna/", fetch_redirect_response=False)
        self.volunteer_a.refresh_from_db()
        self.assertEqual((self.volunteer_a.first_name, self.volunteer_a.desa_id), ("Rina", DESA_B))
        self.assertEqual(volunteer_session.get("/staf/").status_code, 302)
        entry = AuditEntry.objects.filter(action="accounts.user_updated", object_id=str(self.volunteer_a.pk)).get()
        self.assertNotIn("Rina", entry.reason)

        client.post(
            f"/akun/pengguna/{self.data_officer.pk}/", {"first_name": "Dewi", "role": Role.MANAGER, "desa": ""}
        )
        self.data_officer.refresh_from_db()
        self.assertEqual(self.data_officer.role, Role.MANAGER)

    def test_bad_edits_change_nothing(self) -> None:
        client = self.login(self.admin)
        no_desa = client.post(f"/akun/pengguna/{self.volunteer_a.pk}/", {"first_name": "R", "role": Role.VOLUNTEER})
        self.assertContains(no_desa, "harus terikat pada satu desa", status_code=400)
        staff_desa = client.post(
            f"/akun/pengguna/{self.operator.pk}/", {"first_name": "R", "role": Role.OPERATOR, "desa": DESA_A}
        )
        self.assertContains(staff_desa, "Hanya relawan", status_code=400)
        no_role = client.post(f"/akun/pengguna/{self.operator.pk}/", {"first_name": "R", "role": ""})
        self.assertEqual(no_role.status_code, 400)
        self.operator.refresh_from_db()
        self.assertEqual(self.operator.role, Role.OPERATOR)
        self.assertFalse(AuditEntry.objects.filter(action="accounts.user_updated").exists())

    def test_the_admin_cannot_change_their_own_role(self) -> None:
        client = self.login(self.admin)
        client.post(f"/akun/pengguna/{self.admin.pk}/", {"first_name": "Admin", "role": Role.VOLUNTEER, "desa": DESA_A})
        self.admin.refresh_from_db()
        self.assertEqual(self.admin.role, Role.ADMIN)

    def test_the_new_user_form_starts_with_no_role_chosen(self) -> None:
        page = self.login(self.admin).get("/akun/pengguna/baru/")
        self.assertContains(page, '<option value="" selected>---------</option>', html=True)
        self.assertNotContains(page, '<option value="admin" selected>', html=False)

    def test_deactivation_asks_first(self) -> None:
        self.assertAllowedOnly("get", f"/akun/pengguna/{self.manager.pk}/nonaktifkan/", [self.admin])
        client = self.login(self.admin)
        asked = client.post(f"/akun/pengguna/{self.operator.pk}/aktif/", {"active": "0"})
        self.assertRedirects(asked, f"/akun/pengguna/{self.operator.pk}/nonaktifkan/", fetch_redirect_response=False)
        self.operator.refresh_from_db()
        self.assertTrue(self.operator.is_active)
        page = client.get(f"/akun/pengguna/{self.operator.pk}/nonaktifkan/")
        self.assertContains(page, "Ya, nonaktifkan")
        client.post(f"/akun/pengguna/{self.operator.pk}/aktif/", {"active": "0", "confirm": "1"})
        self.operator.refresh_from_db()
        self.assertFalse(self.operator.is_active)


def test_actions_update_user_reports_nothing_when_nothing_changed(db: None) -> None:
    user = User.objects.create_user("sama", password=PASSWORD, role=Role.OPERATOR, first_name="A")
    assert actions.update_user(user, by=None, request=None, first_name="A", role=Role.OPERATOR) == []  # type: ignore[arg-type]
    assert not Session.objects.exists()
