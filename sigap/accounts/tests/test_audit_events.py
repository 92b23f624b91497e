"""Sign-in, sign-out, failures, 2FA and permission changes land in the audit chain."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sigap.accounts import actions
from sigap.accounts.roles import Role
from sigap.lib.testing import PASSWORD, SigapTestCase, create_user
from sigap.vault.audit import verify_chain
from sigap.vault.models import AuditEntry

LOGIN = "/akun/masuk/"


def actions_for(user_id: int | None) -> list[str]:
    return list(AuditEntry.objects.filter(object_id=str(user_id)).values_list("action", flat=True))


class SignInAuditTests(SigapTestCase):
    def test_sign_in_and_sign_out_are_audited(self) -> None:
        self.client.post(LOGIN, {"username": "operator", "password": PASSWORD})
        self.client.post("/akun/keluar/")
        self.assertEqual(actions_for(self.operator.pk), ["auth.login", "auth.logout"])
        entry = AuditEntry.objects.get(action="auth.login")
        self.assertEqual(entry.actor_id, self.operator.pk)
        self.assertEqual(len(entry.request_id), 16)
        self.assertTrue(verify_chain().ok)

    def test_failed_sign_in_is_audited_without_the_typed_name(self) -> None:
        self.client.post(LOGIN, {"username": "operator", "password": "salah-salah-salah"})
        self.client.post(LOGIN, {"username": "nama-rahasia-ketikan", "password": "salah-salah-salah"})
        failures = AuditEntry.objects.filter(action="auth.login_failed")
        self.assertEqual(failures.count(), 2)
        self.assertEqual(failures.first().object_id, str(self.operator.pk))  # type: ignore[union-attr]
        for entry in AuditEntry.objects.all():
            self.assertNotIn("nama-rahasia", f"{entry.reason}{entry.object_id}{entry.object_type}")

    def test_two_factor_enrolment_and_wrong_codes_are_audited(self) -> None:
        newcomer = create_user(Role.CASE_WORKER, "baru", two_factor=False)
        self.client.post(LOGIN, {"username": "baru", "password": PASSWORD})
        self.client.get("/akun/2fa/daftar/")
        device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
        token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        self.client.post("/akun/2fa/daftar/", {"token": token})
        self.assertIn("auth.2fa_enrolled", actions_for(newcomer.pk))
        self.client.post("/akun/keluar/")
        self.client.post(LOGIN, {"username": "baru", "password": PASSWORD})
        self.client.post("/akun/2fa/verifikasi/", {"token": "000000" if token != "000000" else "111111"})
        self.assertIn("auth.login_failed", actions_for(newcomer.pk))


class PermissionChangeAuditTests(SigapTestCase):
    def test_deactivation_and_reactivation_are_audited(self) -> None:
        self.login(self.admin)
        self.client.post(f"/akun/pengguna/{self.operator.pk}/aktif/", {"active": "0", "confirm": "1"})
        self.client.post(f"/akun/pengguna/{self.operator.pk}/aktif/", {"active": "1"})
        entries = AuditEntry.objects.filter(object_id=str(self.operator.pk), action__startswith="accounts.")
        self.assertEqual([e.action for e in entries], ["accounts.user_deactivated", "accounts.user_reactivated"])
        self.assertTrue(all(e.actor_id == self.admin.pk for e in entries))

    def test_role_change_is_audited_with_old_and_new_role(self) -> None:
        actions.change_role(self.operator, Role.CASE_WORKER, by=self.admin)
        entry = AuditEntry.objects.get(action="accounts.user_role_changed")
        self.assertEqual((entry.actor_id, entry.object_id, entry.reason),
                         (self.admin.pk, str(self.operator.pk), "operator -> case_worker"))

    def test_invalid_role_change_changes_nothing(self) -> None:
        with self.assertRaises(ValidationError):
            actions.change_role(self.operator, Role.VOLUNTEER, by=self.admin)  # a volunteer needs a desa
        self.operator.refresh_from_db()
        self.assertEqual(self.operator.role, Role.OPERATOR)
        self.assertFalse(AuditEntry.objects.filter(action="accounts.user_role_changed").exists())
