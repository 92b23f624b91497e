"""Sign-in tells nothing about a name and cannot be used to keep someone out (security review finding 6).

Before: a locked account answered "dikunci sementara" (so the name exists) without
hashing the password (a faster answer), and six wrong passwords from anywhere
locked the account for everyone, a manager included.
"""

from __future__ import annotations

import re
from unittest import mock

from django.contrib.auth.backends import ModelBackend
from django.test import Client, override_settings

from sigap.core.models import Notification
from sigap.lib.testing import PASSWORD, SigapTestCase

LOGIN = "/akun/masuk/"
WRONG = {"password": "salah-salah-salah"}


def page_text(response: object) -> str:
    body = response.content.decode()  # type: ignore[attr-defined]
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    return re.sub(r'name="username" value="[^"]*"', "", body)  # the typed name is shown back, as typed


class SignInOracleTests(SigapTestCase):
    def test_unknown_and_locked_names_get_the_same_answer_after_the_same_work(self) -> None:
        attacker = Client(REMOTE_ADDR="10.1.1.1")
        for _ in range(6):
            attacker.post(LOGIN, {"username": "kepala", **WRONG})
        with mock.patch.object(ModelBackend, "authenticate", autospec=True,
                               side_effect=ModelBackend.authenticate) as backend:
            locked = attacker.post(LOGIN, {"username": "kepala", "password": PASSWORD})
            unknown = attacker.post(LOGIN, {"username": "tidak-ada-nama", "password": PASSWORD})
            wrong = attacker.post(LOGIN, {"username": "operator", **WRONG})
        # The password is checked (hashed) once in each case: no shortcut for a locked name.
        self.assertEqual(backend.call_count, 3)
        self.assertEqual({locked.status_code, unknown.status_code, wrong.status_code}, {400})
        self.assertEqual(page_text(locked), page_text(unknown))
        self.assertEqual(page_text(wrong), page_text(unknown))
        self.assertNotContains(locked, "dikunci", status_code=400)

    def test_failures_from_one_address_do_not_keep_the_manager_out_and_the_manager_is_told(self) -> None:
        attacker = Client(REMOTE_ADDR="10.1.1.1")
        with self.captureOnCommitCallbacks(execute=True):
            for _ in range(10):
                attacker.post(LOGIN, {"username": "kepala", **WRONG})
        response = Client(REMOTE_ADDR="10.2.2.2").post(LOGIN, {"username": "kepala", "password": PASSWORD})
        self.assertRedirects(response, "/staf/", fetch_redirect_response=False)
        notice = Notification.objects.get(recipient=self.manager, kind="accounts.lockout")
        self.assertNotIn("10.1.1.1", notice.text)

    @override_settings(SIGAP_LOCKOUT_ADDRESSES=3)
    def test_the_whole_account_locks_only_after_failures_from_many_addresses(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            for n in range(2):
                for _ in range(3):
                    Client(REMOTE_ADDR=f"10.3.0.{n}").post(LOGIN, {"username": "operator", **WRONG})
            ok = Client(REMOTE_ADDR="10.4.0.1").post(LOGIN, {"username": "operator", "password": PASSWORD})
            self.assertEqual(ok.status_code, 302)
        self.operator.refresh_from_db()
        self.assertIsNone(self.operator.locked_until)
        with self.captureOnCommitCallbacks(execute=True):
            for n in range(3):
                for _ in range(2):
                    Client(REMOTE_ADDR=f"10.5.0.{n}").post(LOGIN, {"username": "operator", **WRONG})
        self.operator.refresh_from_db()
        self.assertIsNotNone(self.operator.locked_until)
        refused = Client(REMOTE_ADDR="10.6.0.1").post(LOGIN, {"username": "operator", "password": PASSWORD})
        self.assertContains(refused, "Nama pengguna atau kata sandi salah", status_code=400)
        self.assertTrue(Notification.objects.filter(recipient=self.operator, kind="accounts.lockout",
                                                    text__contains="Akun Anda dikunci").exists())
