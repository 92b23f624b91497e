"""Listing and revoking integration API tokens (docs/API.md, "Tokens"): never showing a secret."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from sigap.intake.api import token_digest
from sigap.intake.models import ApiToken, Report
from sigap.intake.tests.factories import report_payload
from sigap.lib.testing import DESA_A, SigapTestCase
from sigap.vault.models import AuditEntry

REVOKED = "intake.api_token_revoked"


class ApiTokenCommandTests(SigapTestCase):
    def setUp(self) -> None:
        self.api = Client()
        self.secrets: list[str] = []

    def run_command(self, name: str, *args: str) -> str:
        out = io.StringIO()
        call_command(name, *args, stdout=out, stderr=out)
        output = out.getvalue()
        for secret in self.secrets:
            self.assertNotIn(secret, output)
            self.assertNotIn(token_digest(secret), output)
        return output

    def create(self, username: str, *args: str) -> tuple[int, str]:
        """A token through create_api_user: its id (from the line before it) and the token."""
        out = io.StringIO()
        call_command("create_api_user", username, *args, stdout=out)
        lines = out.getvalue().strip().splitlines()
        token = lines[-1]
        match = re.match(r"Token id (\d+) ", lines[-2])
        assert match, lines
        self.secrets.append(token)
        return int(match.group(1)), token

    def post_report(self, token: str) -> Any:
        return self.api.post("/api/v1/reports", json.dumps(report_payload()), content_type="application/json",
                             headers={"Authorization": f"Bearer {token}"})

    def revocations(self) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(action=REVOKED).order_by("seq"))

    def test_create_api_user_names_the_tokens_id_and_still_ends_with_the_token(self) -> None:
        token_id, token = self.create("mitra-sistem", "--role", "operator")
        self.assertEqual(ApiToken.objects.get(pk=token_id).digest, token_digest(token))

    def test_a_revoked_token_gets_401_on_the_next_call_and_the_users_other_token_still_works(self) -> None:
        first_id, first = self.create("mitra-sistem", "--role", "operator")
        _second_id, second = self.create("mitra-sistem", "--role", "operator")
        self.assertEqual(self.post_report(first).status_code, 201)
        output = self.run_command("revoke_api_token", str(first_id))
        self.assertIn(f"Revoked token {first_id} of user mitra-sistem.", output)
        response = self.post_report(first)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(set(response.json()["error"]), {"message", "fields"})
        self.assertEqual(self.post_report(second).status_code, 201)
        self.assertEqual(Report.objects.count(), 2)

    def test_the_revocation_is_audited_by_the_tokens_id_without_any_secret(self) -> None:
        token_id, token = self.create("mitra-sistem", "--role", "operator")
        self.run_command("revoke_api_token", str(token_id))
        (entry,) = self.revocations()
        self.assertEqual((entry.object_type, entry.object_id), ("intake.apitoken", str(token_id)))
        stored = json.dumps([entry.object_type, entry.object_id, entry.reason])
        self.assertNotIn(token, stored)
        self.assertNotIn(token_digest(token), stored)
        call_command("verify_audit", stdout=io.StringIO())

    def test_revoking_twice_is_harmless(self) -> None:
        token_id, token = self.create("mitra-sistem", "--role", "operator")
        self.run_command("revoke_api_token", str(token_id))
        revoked_at = ApiToken.objects.get(pk=token_id).revoked_at
        output = self.run_command("revoke_api_token", str(token_id))
        self.assertIn(f"Token {token_id} of user mitra-sistem was already revoked on ", output)
        self.assertEqual(ApiToken.objects.get(pk=token_id).revoked_at, revoked_at)
        self.assertEqual(len(self.revocations()), 1)
        self.assertEqual(self.post_report(token).status_code, 401)

    def test_an_unknown_id_is_refused_with_an_error_and_nothing_is_revoked(self) -> None:
        token_id, token = self.create("mitra-sistem", "--role", "operator")
        missing = str(token_id + 100)
        for args in ([missing], [str(token_id), missing], ["abc"], ["0"], ["9" * 40], []):
            with self.subTest(args=args), self.assertRaises(CommandError) as refused:
                self.run_command("revoke_api_token", *args)
            self.assertEqual(refused.exception.returncode, 1)  # the exit status from the command line
        with self.assertRaisesMessage(CommandError, f"no API token with id {missing}; nothing revoked"):
            self.run_command("revoke_api_token", missing)
        with self.assertRaises(CommandError):
            self.run_command("revoke_api_token", str(token_id), "--user", "mitra-sistem")
        with self.assertRaises(CommandError):
            self.run_command("revoke_api_token", "--user", "tidak-ada")
        self.assertIsNone(ApiToken.objects.get(pk=token_id).revoked_at)
        self.assertEqual(self.revocations(), [])
        self.assertEqual(self.post_report(token).status_code, 201)

    def test_revoking_by_user_revokes_every_token_of_that_user_only(self) -> None:
        ids = [self.create("relawan-a", "--role", "volunteer", "--desa", DESA_A)[0] for _ in range(2)]
        _other_id, other = self.create("mitra-sistem", "--role", "operator")
        output = self.run_command("revoke_api_token", "--user", "relawan-a")
        for token_id in ids:
            self.assertIn(f"Revoked token {token_id} of user relawan-a.", output)
        self.assertEqual(ApiToken.objects.filter(pk__in=ids, revoked_at__isnull=False).count(), 2)
        self.assertEqual(len(self.revocations()), 2)
        self.assertEqual(self.post_report(other).status_code, 201)
        again = self.run_command("revoke_api_token", "--user", "relawan-a")
        self.assertEqual(again.count("was already revoked"), 2)
        self.assertEqual(len(self.revocations()), 2)

    def test_the_list_shows_id_user_role_created_and_revoked_without_secrets(self) -> None:
        first_id, _first = self.create("relawan-a", "--role", "volunteer", "--desa", DESA_A)
        second_id, _second = self.create("mitra-sistem", "--role", "operator")
        self.run_command("revoke_api_token", str(first_id))
        lines = self.run_command("list_api_tokens").strip().splitlines()
        self.assertEqual(lines[0].split(), ["id", "user", "role", "created", "revoked"])
        rows = {line.split()[0]: line for line in lines[1:]}
        self.assertEqual(set(rows), {str(first_id), str(second_id)})
        self.assertRegex(rows[str(first_id)], rf"^{first_id}\s+relawan-a\s+volunteer {re.escape(DESA_A)}\s+"
                                              r"\d{4}-\d\d-\d\d \d\d:\d\d\s+\d{4}-\d\d-\d\d \d\d:\d\d$")
        self.assertRegex(rows[str(second_id)], rf"^{second_id}\s+mitra-sistem\s+operator\s+.*\sactive$")
        active = self.run_command("list_api_tokens", "--active").strip().splitlines()
        self.assertEqual([line.split()[0] for line in active[1:]], [str(second_id)])
        mine = self.run_command("list_api_tokens", "--user", "relawan-a").strip().splitlines()
        self.assertEqual([line.split()[0] for line in mine[1:]], [str(first_id)])
        with self.assertRaises(CommandError):
            self.run_command("list_api_tokens", "--user", "tidak-ada")

    def test_the_list_says_so_when_there_is_no_token(self) -> None:
        self.assertEqual(self.run_command("list_api_tokens").strip(), "No API tokens.")
