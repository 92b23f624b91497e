from __future__ import annotations

import logging

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from sigap.accounts.roles import Perm, Role, has_permission
from sigap.core.models import Notification
from sigap.lib.testing import SigapTestCase, create_user
from sigap.vault import masking
from sigap.vault.keyring import VaultKeyError
from sigap.vault.middleware import VaultErrorMiddleware
from sigap.vault.models import AuditEntry
from sigap.vault.reveal import reveal
from sigap.vault.testing import exact_keys, key_versions
from sigap.vault.tests.factories import ADDRESS, NAME, create_identity

REASON = "Korban minta didampingi ke Polres besok pagi"


class MaskingTests(SigapTestCase):
    def test_phone_keeps_only_the_last_three_digits(self) -> None:
        self.assertEqual(masking.mask_phone("081271857372"), "****372")
        self.assertEqual(masking.mask_phone("+62 812-7185-7372"), "****372")
        self.assertEqual(masking.mask_phone("129"), "****")
        self.assertEqual(masking.mask_phone(None), "")

    def test_nik_and_text_hide_all_but_a_hint(self) -> None:
        self.assertEqual(masking.mask_nik("1811014507890003"), "181101**********")
        self.assertEqual(masking.mask_text("Siti Rahmawati"), "S*** R***")
        self.assertEqual(masking.mask_text(""), "")

    def test_pseudonym_is_stable_short_and_unambiguous(self) -> None:
        first = masking.pseudonym("3f2a9c", prefix="R")
        self.assertEqual(first, masking.pseudonym("3f2a9c", prefix="R"))
        self.assertRegex(first, r"^Pelapor R-[34679ACDEFGHJKMNPQRTUVWXY]{4}$")
        self.assertNotEqual(first, masking.pseudonym("3f2a9d", prefix="R"))
        codes = {masking.pseudonym_code(i) for i in range(2000)}
        self.assertGreater(len(codes), 1990)


class RevealActionTests(SigapTestCase):
    def test_manager_reveals_with_a_reason_audited_and_other_managers_told(self) -> None:
        other_manager = create_user(Role.MANAGER, "kepala-2")
        identity = create_identity()
        with self.captureOnCommitCallbacks(execute=True):
            values = reveal(identity, ["name", "address", "birth_date"], by=self.manager, reason=REASON)
        self.assertEqual(values, {"name": NAME, "address": ADDRESS, "birth_date": "1989-07-05"})
        entry = AuditEntry.objects.get(action="vault.reveal")
        self.assertEqual(
            (entry.actor_id, entry.object_type, entry.object_id, entry.reason),
            (self.manager.pk, "vault_sample.sampleidentity", str(identity.pk), REASON),
        )
        notice = Notification.objects.get()
        self.assertEqual(notice.recipient, other_manager)
        self.assertIn("kepala", notice.text)
        self.assertNotIn("Siti", notice.text)

    def test_roles_without_the_permission_are_refused_and_nothing_is_written(self) -> None:
        identity = create_identity()
        for user in (self.operator, self.case_worker, self.admin, self.data_officer, self.volunteer_a, self.partner):
            with self.assertRaises(PermissionDenied):
                reveal(identity, ["name"], by=user, reason=REASON)
        self.assertFalse(AuditEntry.objects.filter(action="vault.reveal").exists())

    def test_a_short_or_missing_reason_is_refused(self) -> None:
        identity = create_identity()
        for reason in ("", "   ", "perlu"):
            with self.assertRaises(ValidationError):
                reveal(identity, ["name"], by=self.manager, reason=reason)
        self.assertFalse(AuditEntry.objects.filter(action="vault.reveal").exists())

    @override_settings(SIGAP_REVEAL_ROLES=["manager", "case_worker"])
    def test_reveal_roles_are_configurable(self) -> None:
        self.assertTrue(has_permission(self.case_worker, Perm.REVEAL_IDENTITY))
        self.assertFalse(has_permission(self.operator, Perm.REVEAL_IDENTITY))
        reveal(create_identity(), ["name"], by=self.case_worker, reason=REASON)

    @override_settings(SIGAP_REVEAL_ROLES=[])
    def test_a_deployment_may_allow_nobody(self) -> None:
        self.assertFalse(has_permission(self.manager, Perm.REVEAL_IDENTITY))


@override_settings(ROOT_URLCONF="sigap.vault.tests.sample_app.urls")
class RevealPageTests(SigapTestCase):
    def setUp(self) -> None:
        self.identity = create_identity()
        self.url = f"/sampel/{self.identity.pk}/"

    def test_page_shows_masked_identity_and_only_revealers_get_the_form(self) -> None:
        self.login(self.operator)
        page = self.client.get(self.url)
        self.assertContains(page, "****372")
        self.assertContains(page, "Pelapor R-")
        self.assertNotContains(page, NAME)
        self.assertNotContains(page, "Tampilkan identitas")
        self.login(self.manager)
        self.assertContains(self.client.get(self.url), "Tampilkan identitas")

    def test_who_may_post_a_reveal(self) -> None:
        self.assertAllowedOnly("post", self.url, [self.manager], {"vault_reveal": "1", "reason": REASON})
        self.assertEqual(AuditEntry.objects.filter(action="vault.reveal").count(), 1)

    def test_reveal_shows_the_identity_for_this_response_only(self) -> None:
        self.login(self.manager)
        response = self.client.post(self.url, {"vault_reveal": "1", "reason": REASON})
        self.assertContains(response, NAME)
        self.assertContains(response, ADDRESS)
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertNotIn(NAME, str(dict(self.client.session)))
        again = self.client.get(self.url)
        self.assertNotContains(again, NAME)

    def test_reveal_without_a_reason_is_a_clear_error_and_nothing_is_audited(self) -> None:
        self.login(self.manager)
        response = self.client.post(self.url, {"vault_reveal": "1", "reason": "mau"})
        self.assertContains(response, "minimal 10 karakter", status_code=400)
        self.assertNotContains(response, NAME, status_code=400)
        self.assertFalse(AuditEntry.objects.filter(action="vault.reveal").exists())


@override_settings(ROOT_URLCONF="sigap.vault.tests.sample_app.urls")
class MissingKeyPageTests(SigapTestCase):
    def test_missing_key_version_fails_only_the_page_that_reads_it_and_names_the_version(self) -> None:
        with key_versions(add=(2,)) as ring:
            identity = create_identity()
            masters = dict(ring.masters)
        self.login(self.manager)
        with exact_keys({1: masters[1]}), self.assertLogs("sigap.vault", logging.ERROR) as logs:
            response = self.client.get(f"/sampel/{identity.pk}/")
            self.assertContains(response, "Master key version 2 is not configured", status_code=503)
            self.assertContains(response, "vault_sample.sampleidentity", status_code=503)
            self.assertEqual(self.client.get("/staf/").status_code, 200)
            self.assertEqual(self.client.get("/notifikasi/").status_code, 200)
        self.assertNotIn(NAME, "\n".join(logs.output))
        self.assertIn("version 2", "\n".join(logs.output))

    def test_anonymous_visitors_get_no_details(self) -> None:
        # Anonymous visitors never reach a page with sealed data (they need a
        # permission); the middleware's answer to them is checked directly.
        request = RequestFactory().get("/x/")
        request.user = AnonymousUser()
        request.request_id = "abc"  # type: ignore[attr-defined]
        middleware = VaultErrorMiddleware(lambda r: HttpResponse())
        with self.assertLogs("sigap.vault", logging.ERROR):
            response = middleware.process_exception(request, VaultKeyError("Master key version 2 is not configured"))
        assert response is not None
        self.assertEqual(response.status_code, 503)
        self.assertNotIn(b"version 2", response.content)
        self.assertIsNone(middleware.process_exception(request, ValueError("lain")))


class RevealSettingCheckTests(SigapTestCase):
    def test_unknown_reveal_role_is_a_configuration_error(self) -> None:
        from sigap.vault.checks import reveal_roles_exist

        self.assertEqual(reveal_roles_exist(), [])
        with override_settings(SIGAP_REVEAL_ROLES=["manajer"]):
            self.assertEqual([e.id for e in reveal_roles_exist()], ["vault.E010"])
