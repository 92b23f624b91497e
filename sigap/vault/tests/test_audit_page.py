from __future__ import annotations

from sigap.lib.testing import SigapTestCase
from sigap.vault import audit
from sigap.vault.models import AuditEntry
from sigap.vault.tests.factories import create_identity

URL = "/audit/"


class AuditPageTests(SigapTestCase):
    def test_only_managers_and_admins_reach_the_audit_log(self) -> None:
        self.assertAllowedOnly("get", URL, [self.manager, self.admin])

    def test_lists_newest_first_and_filters_by_person_record_and_action(self) -> None:
        identity = create_identity()
        audit.record("vault_sample.sampleidentity.open", actor=self.operator, obj=identity)
        audit.record("vault.reveal", actor=self.manager, obj=identity, reason="Dibutuhkan untuk rujukan ke RSUD")
        audit.record("auth.login", actor=self.case_worker, obj=self.case_worker)
        self.login(self.manager)
        page = self.client.get(URL)
        self.assertContains(page, "<code>vault.reveal</code>")
        content = page.content.decode()
        self.assertLess(content.index("<code>auth.login</code>"), content.index("<code>vault.reveal</code>"))
        by_person = self.client.get(URL, {"actor": self.operator.pk})
        self.assertContains(by_person, "sampleidentity.open")
        self.assertNotContains(by_person, "<code>vault.reveal</code>")
        by_record = self.client.get(URL, {"object_type": "vault_sample.sampleidentity", "object_id": str(identity.pk)})
        self.assertContains(by_record, "<code>vault.reveal</code>")
        self.assertContains(by_record, "Dibutuhkan untuk rujukan")
        self.assertNotContains(by_record, "<code>auth.login</code>")
        access = self.client.get(URL, {"access_only": "on"})
        self.assertContains(access, "sampleidentity.open")
        self.assertNotContains(access, "<code>auth.login</code>")
        by_action = self.client.get(URL, {"action": "auth."})
        self.assertContains(by_action, "<code>auth.login</code>")
        self.assertNotContains(by_action, "<code>vault.reveal</code>")

    def test_viewing_the_log_is_itself_audited(self) -> None:
        identity = create_identity()
        self.login(self.manager)
        self.client.get(URL, {"object_type": "vault_sample.sampleidentity", "object_id": str(identity.pk)})
        entry = AuditEntry.objects.filter(action="audit.view").last()
        assert entry is not None
        self.assertEqual((entry.actor_id, entry.object_id), (self.manager.pk, str(identity.pk)))

    def test_bad_filters_are_a_clear_error(self) -> None:
        self.login(self.manager)
        before = AuditEntry.objects.filter(action="vault.reveal").count()
        bad: list[dict[str, str]] = [{"actor": "bukan-angka"}, {"object_type": "report'; DROP"}, {"sebelum": "-1"}]
        for params in bad:
            response = self.client.get(URL, params)
            self.assertEqual(response.status_code, 400, params)
            self.assertContains(response, 'role="alert"', status_code=400)
        self.assertEqual(AuditEntry.objects.filter(action="vault.reveal").count(), before)

    def test_older_entries_are_paged_by_sequence(self) -> None:
        for i in range(60):
            audit.record("test.event", object_type="vault_sample.samplerecord", object_id=i)
        self.login(self.manager)
        first = self.client.get(URL, {"action": "test."})
        self.assertContains(first, "Entri lebih lama")
        last_seq = AuditEntry.objects.filter(action="test.event").order_by("-seq")[49].seq
        second = self.client.get(URL, {"action": "test.", "sebelum": str(last_seq)})
        self.assertEqual(len(second.context["entries"]), 10)
        self.assertNotContains(second, "Entri lebih lama")
