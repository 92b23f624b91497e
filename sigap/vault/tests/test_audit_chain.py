from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test import SimpleTestCase, TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigap.vault import audit
from sigap.vault.models import AuditEntry, AuditHead


@contextmanager
def triggers_off() -> Iterator[None]:
    """Tampering from outside the application: someone with the database file drops the triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE ... DISABLE TRIGGER is refused inside the test's transaction
            # while foreign-key checks are pending; a superuser can switch triggers off
            # for the session instead.
            cursor.execute("SET session_replication_role = replica")
        elif connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS vault_auditentry_no_update")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")


def sql(statement: str, params: list[Any] | None = None) -> None:
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


class AuditChainTests(TestCase):
    def setUp(self) -> None:
        for i in range(1, 11):
            audit.record("test.event", object_type="vault_sample.samplerecord", object_id=i, reason=f"alasan {i}")

    def assertBrokenAt(self, seq: int, words: str) -> None:
        with self.assertRaises(CommandError) as caught:
            verify()
        self.assertIn(f"Audit chain broken at entry #{seq}:", str(caught.exception))
        self.assertIn(words, str(caught.exception))

    def test_untouched_chain_passes(self) -> None:
        self.assertIn("Audit chain OK: 10 entries, head #10", verify())

    def test_edited_entry_fails_at_that_entry(self) -> None:
        sql("UPDATE vault_auditentry SET reason = %s WHERE seq = 4", ["diubah"])
        self.assertBrokenAt(4, "altered")

    def test_edited_entry_with_a_recomputed_plain_hash_still_fails(self) -> None:
        sql("UPDATE vault_auditentry SET object_id = '99', hash = %s WHERE seq = 6", ["f" * 64])
        self.assertBrokenAt(6, "altered")

    def test_deleted_entry_fails_where_it_was(self) -> None:
        sql("DELETE FROM vault_auditentry WHERE seq = 5")
        self.assertBrokenAt(5, "missing")

    def test_deleted_last_entry_is_caught_by_the_head(self) -> None:
        sql("DELETE FROM vault_auditentry WHERE seq = 10")
        self.assertBrokenAt(10, "head records #10")

    def test_inserted_entry_fails_at_the_insertion(self) -> None:
        sql("UPDATE vault_auditentry SET seq = seq + 100 WHERE seq >= 7")
        sql("UPDATE vault_auditentry SET seq = seq - 99 WHERE seq >= 107")
        entry = AuditEntry.objects.get(seq=6)
        sql(
            "INSERT INTO vault_auditentry (seq, at, action, object_type, object_id, reason, request_id, prev_hash, hash) "
            "VALUES (7, %s, 'test.event', '', '', 'sisipan', '', %s, %s)",
            [entry.at, entry.hash, "a" * 64],
        )
        self.assertBrokenAt(7, "altered")

    def test_entry_appended_behind_the_heads_back_fails(self) -> None:
        last = AuditEntry.objects.get(seq=10)
        sql(
            "INSERT INTO vault_auditentry (seq, at, action, object_type, object_id, reason, request_id, prev_hash, hash) "
            "VALUES (11, %s, 'test.event', '', '', '', '', %s, %s)",
            [last.at, last.hash, "b" * 64],
        )
        self.assertBrokenAt(11, "altered")

    def test_reordered_entries_fail_at_the_first_moved_one(self) -> None:
        sql("UPDATE vault_auditentry SET seq = -3 WHERE seq = 3")
        sql("UPDATE vault_auditentry SET seq = 3 WHERE seq = 4")
        sql("UPDATE vault_auditentry SET seq = 4 WHERE seq = -3")
        self.assertBrokenAt(3, "does not link")

    def test_head_rewound_fails(self) -> None:
        AuditHead.objects.filter(id=1).update(seq=9, hash=AuditEntry.objects.get(seq=9).hash)
        self.assertBrokenAt(10, "beyond the recorded head")

    def test_anchor_from_elsewhere_is_checked(self) -> None:
        out = io.StringIO()
        call_command("audit_head", stdout=out, stderr=io.StringIO())
        anchor = out.getvalue().strip()
        self.assertRegex(anchor, r"^10:[0-9a-f]{64}$")
        call_command("verify_audit", "--anchor", anchor, stdout=io.StringIO())
        with self.assertRaisesMessage(CommandError, "entry #10: differs from the anchored head"):
            call_command("verify_audit", "--anchor", "10:" + "0" * 64, stdout=io.StringIO())
        with self.assertRaisesMessage(CommandError, "--anchor must look like"):
            call_command("verify_audit", "--anchor", "sepuluh", stdout=io.StringIO())

    def test_empty_chain_passes_and_head_is_genesis(self) -> None:
        AuditHead.objects.all().delete()
        with triggers_off(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM vault_auditentry")
        self.assertIn("0 entries", verify())
        out = io.StringIO()
        call_command("audit_head", stdout=out, stderr=io.StringIO())
        self.assertEqual(out.getvalue().strip(), "0:" + "0" * 64)


class AppendOnlyTests(TestCase):
    def test_orm_refuses_to_change_or_delete_entries(self) -> None:
        entry = audit.record("test.event")
        entry.reason = "diubah"
        with self.assertRaises(PermissionError):
            entry.save()
        with self.assertRaises(PermissionError):
            entry.delete()
        with self.assertRaises(PermissionError):
            AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
        with self.assertRaises(PermissionError):
            AuditEntry.objects.all().delete()

    def test_database_refuses_updates(self) -> None:
        audit.record("test.event")
        with self.assertRaises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE vault_auditentry SET reason = 'x'")
        self.assertEqual(AuditEntry.objects.get().reason, "")

    def test_postgresql_refuses_deletes(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("the DELETE trigger exists on PostgreSQL only (see migration 0003)")
        audit.record("test.event")
        with self.assertRaises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM vault_auditentry")
        self.assertEqual(AuditEntry.objects.count(), 1)

    def test_entry_is_rolled_back_with_the_change_it_records(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic():
            audit.record("test.event")
            raise RuntimeError
        self.assertFalse(AuditEntry.objects.exists())
        self.assertEqual(AuditHead.objects.filter(seq__gt=0).count(), 0)


class RecordCostTests(TestCase):
    """``record()``: a compare-and-swap of the head this connection wrote last, then the insert."""

    def test_an_entry_after_this_connections_own_costs_two_statements(self) -> None:
        audit.record("test.first")
        with self.assertNumQueries(4):  # inside the test's transaction: no savepoints either
            audit.record("test.event")
            audit.record("test.event")
        self.assertIn("3 entries", verify())

    def test_a_head_moved_by_another_connection_is_read_under_lock(self) -> None:
        audit.record("test.first")
        # As if another process had written since: this connection's guess is stale.
        setattr(connection, audit._LAST_HEAD, (0, audit.GENESIS))
        with self.assertNumQueries(4):
            entry = audit.record("test.event")
        self.assertEqual((entry.seq, entry.prev_hash), (2, AuditEntry.objects.get(seq=1).hash))
        self.assertIn("2 entries", verify())

    def test_an_entry_after_a_rolled_back_one_links_to_the_committed_head(self) -> None:
        audit.record("test.first")
        with self.assertRaises(RuntimeError), transaction.atomic():
            audit.record("test.rolled_back")
            raise RuntimeError
        entry = audit.record("test.event")
        self.assertEqual(entry.seq, 2)
        self.assertIn("2 entries", verify())

    def test_a_failed_audit_write_fails_the_callers_transaction(self) -> None:
        with transaction.atomic():
            try:
                with mock.patch.object(AuditEntry, "save", side_effect=RuntimeError("disk full")):
                    audit.record("test.event")
            except RuntimeError:
                pass
            # The caller cannot carry on and commit its change without the entry.
            with self.assertRaises(TransactionManagementError):
                AuditEntry.objects.exists()
        self.assertFalse(AuditEntry.objects.exists())


ODD = '\n"\u2028\x00\\'


class CanonicalFormTests(SimpleTestCase):
    # A busy CI machine must not fail a correctness test on generation speed.
    @settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=200)
    @given(
        seq=st.integers(min_value=1, max_value=2**62),
        actor=st.one_of(st.none(), st.integers(min_value=1, max_value=2**62)),
        text=st.text(max_size=40),
        at=st.datetimes(timezones=st.just(datetime.UTC)),
    )
    def test_hand_written_canonical_form_equals_sorted_compact_json(
        self, seq: int, actor: int | None, text: str, at: datetime.datetime
    ) -> None:
        expected = json.dumps(
            {
                "seq": seq,
                "at": at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
                "actor": actor,
                "action": text,
                "object_type": text[:5],
                "object_id": text[::-1],
                "reason": text + ODD,
                "request_id": "",
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
        got = audit.canonical_values(seq, at, actor, text, text[:5], text[::-1], text + ODD, "")
        self.assertEqual(got, expected)
