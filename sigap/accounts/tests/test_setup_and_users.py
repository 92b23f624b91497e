from __future__ import annotations

from django.core.management import call_command
from django.test import Client, TestCase

from sigap.accounts.actions import issue_setup_token
from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.lib.testing import DESA_A, SigapTestCase, load_test_regions

GOOD = {
    "first_name": "Sari",
    "username": "admin.sari",
    "password1": "sebuah-kalimat-rahasia-panjang",
    "password2": "sebuah-kalimat-rahasia-panjang",
}


class FirstRunSetupTests(TestCase):
    def test_setup_link_creates_the_first_admin_once(self) -> None:
        token = issue_setup_token()
        assert token is not None
        url = f"/akun/setup/{token}/"
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(url, GOOD)
        self.assertRedirects(response, "/akun/2fa/daftar/", fetch_redirect_response=False)
        admin = User.objects.get()
        self.assertEqual((admin.username, admin.role), ("admin.sari", Role.ADMIN))
        self.assertTrue(admin.password.startswith("md5$") or admin.password.startswith("argon2"))
        # Dead after use, for everyone.
        self.assertEqual(Client().get(url).status_code, 404)
        self.assertEqual(Client().post(url, {**GOOD, "username": "kedua"}).status_code, 404)
        self.assertEqual(User.objects.count(), 1)
        self.assertIsNone(issue_setup_token())

    def test_a_new_link_replaces_the_old_one(self) -> None:
        old = issue_setup_token()
        new = issue_setup_token()
        self.assertEqual(self.client.get(f"/akun/setup/{old}/").status_code, 404)
        self.assertEqual(self.client.get(f"/akun/setup/{new}/").status_code, 200)

    def test_guessed_token_is_404(self) -> None:
        issue_setup_token()
        self.assertEqual(self.client.get("/akun/setup/tebakan/").status_code, 404)

    def test_weak_or_mismatched_password_is_refused_and_nothing_is_created(self) -> None:
        token = issue_setup_token()
        url = f"/akun/setup/{token}/"
        short = self.client.post(url, {**GOOD, "password1": "pendek", "password2": "pendek"})
        self.assertContains(short, "terlalu pendek", status_code=400)
        mismatch = self.client.post(url, {**GOOD, "password2": "lain-sekali-kata-sandinya"})
        self.assertContains(mismatch, "tidak sama", status_code=400)
        self.assertFalse(User.objects.exists())
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_setup_link_command_prints_a_link_only_while_nobody_exists(self) -> None:
        from io import StringIO

        out = StringIO()
        call_command("setup_link", stdout=out)
        self.assertIn("/akun/setup/", out.getvalue())
        load_test_regions()
        User.objects.create_user("someone", password="x" * 20, role=Role.ADMIN)
        out, err = StringIO(), StringIO()
        call_command("setup_link", stdout=out, stderr=err)
        self.assertEqual(out.getvalue(), "")


class UserManagementTests(SigapTestCase):
    def test_only_the_admin_reaches_user_management(self) -> None:
        self.assertAllowedOnly("get", "/akun/pengguna/", [self.admin])
        self.assertAllowedOnly("get", "/akun/pengguna/baru/", [self.admin])

    def test_only_the_admin_can_deactivate(self) -> None:
        target = self.case_worker
        for user in self.everyone:
            if user == self.admin:
                continue
            client = self.login(user, client=Client())
            response = client.post(f"/akun/pengguna/{target.pk}/aktif/", {"active": "0", "confirm": "1"})
            self.assertIn(response.status_code, (403, 404))
        target.refresh_from_db()
        self.assertTrue(target.is_active)

    def test_admin_creates_a_volunteer_bound_to_a_desa(self) -> None:
        self.login(self.admin)
        response = self.client.post(
            "/akun/pengguna/baru/",
            {"username": "relawan-c", "first_name": "Rina", "role": Role.VOLUNTEER, "desa": DESA_A,
             "password1": "kata-sandi-relawan-baru", "password2": "kata-sandi-relawan-baru"},
        )
        self.assertRedirects(response, "/akun/pengguna/", fetch_redirect_response=False)
        created = User.objects.get(username="relawan-c")
        self.assertEqual((created.role, created.desa_id), (Role.VOLUNTEER, DESA_A))

    def test_volunteer_without_desa_is_refused_and_nothing_saved(self) -> None:
        self.login(self.admin)
        response = self.client.post(
            "/akun/pengguna/baru/",
            {"username": "relawan-d", "first_name": "Rina", "role": Role.VOLUNTEER,
             "password1": "kata-sandi-relawan-baru", "password2": "kata-sandi-relawan-baru"},
        )
        self.assertContains(response, "harus terikat pada satu desa", status_code=400)
        self.assertFalse(User.objects.filter(username="relawan-d").exists())

    def test_desa_outside_the_region_is_refused(self) -> None:
        self.login(self.admin)
        response = self.client.post(
            "/akun/pengguna/baru/",
            {"username": "relawan-e", "first_name": "Rina", "role": Role.VOLUNTEER, "desa": "18.10.01.2001",
             "password1": "kata-sandi-relawan-baru", "password2": "kata-sandi-relawan-baru"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(User.objects.filter(username="relawan-e").exists())

    def test_admin_cannot_deactivate_themself(self) -> None:
        self.login(self.admin)
        self.client.post(f"/akun/pengguna/{self.admin.pk}/aktif/", {"active": "0", "confirm": "1"})
        self.admin.refresh_from_db()
        self.assertTrue(self.admin.is_active)
