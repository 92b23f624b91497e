from __future__ import annotations

import datetime
import io
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from django.utils import timezone

from sigap.vault.audit import verify_chain
from sigap.vault.models import AuditEntry
from sigap.vault.scrub import retainable_models, retention_cutoff, scrub
from sigap.vault.tests.factories import create_identity, create_record
from sigap.vault.tests.sample_app.models import SampleIdentity, SampleRecord


def years_ago(years: int, days: int = 0) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=365 * years + days)


class ScrubTests(TestCase):
    def test_scrub_erases_identifying_fields_keeps_statistics_and_is_audited(self) -> None:
        identity = create_identity()
        record = create_record(identity)
        done = scrub(record, reason="permintaan penghapusan data")
        self.assertEqual({o._meta.label_lower for o in done}, {"vault_sample.samplerecord", "vault_sample.sampleidentity"})
        record = SampleRecord.objects.get(pk=record.pk)
        self.assertIsNone(record.chronology)
        self.assertEqual(record.notes, "")  # not nullable: sealed empty placeholder
        self.assertEqual((record.desa_code, record.age_group, record.violence_type),
                         ("18.11.01.2001", "25-44", "fisik"))
        self.assertIsNotNone(record.scrubbed_at)
        identity = SampleIdentity.objects.get(pk=identity.pk)
        self.assertEqual((identity.name, identity.nik, identity.phone, identity.address, identity.birth_date),
                         (None, None, None, None, None))
        self.assertEqual((identity.phone_index, identity.nik_index), ("", ""))
        entries = AuditEntry.objects.filter(action="vault.scrub")
        self.assertEqual(entries.count(), 2)
        self.assertEqual({e.reason for e in entries}, {"permintaan penghapusan data"})
        self.assertTrue(verify_chain().ok)

    def test_scrub_without_a_reason_changes_nothing(self) -> None:
        record = create_record(create_identity())
        with self.assertRaises(ValueError):
            scrub(record, reason="  ")
        self.assertIsNotNone(SampleRecord.objects.get(pk=record.pk).chronology)
        self.assertFalse(AuditEntry.objects.filter(action="vault.scrub").exists())

    def test_scrub_is_all_or_nothing(self) -> None:
        record = create_record(create_identity())
        with mock.patch("sigap.vault.scrub.audit.record", side_effect=RuntimeError("disk full")), \
                self.assertRaises(RuntimeError):
            scrub(record, reason="uji")
        self.assertIsNotNone(SampleRecord.objects.get(pk=record.pk).chronology)


class RetentionTests(TestCase):
    def setUp(self) -> None:
        self.old = create_record(create_identity(), closed_at=years_ago(11))
        self.recent = create_record(create_identity(), closed_at=years_ago(9))
        self.open = create_record(create_identity())

    def test_models_declare_what_is_due(self) -> None:
        self.assertIn(SampleRecord, retainable_models())
        due = SampleRecord.retention_queryset(retention_cutoff())
        self.assertEqual(list(due), [self.old])

    def test_listing_changes_nothing(self) -> None:
        out = io.StringIO()
        call_command("retention", stdout=out)
        self.assertIn(f"vault_sample.samplerecord: 1 due (ids {self.old.pk})", out.getvalue())
        self.assertIsNotNone(SampleRecord.objects.get(pk=self.old.pk).chronology)

    def test_scrub_with_yes_erases_only_what_is_due(self) -> None:
        out = io.StringIO()
        call_command("retention", "--scrub", "--yes", stdout=out)
        self.assertIn("Scrubbed 2 records", out.getvalue())
        self.assertIsNone(SampleRecord.objects.get(pk=self.old.pk).chronology)
        self.assertIsNotNone(SampleRecord.objects.get(pk=self.recent.pk).chronology)
        self.assertIsNotNone(SampleRecord.objects.get(pk=self.open.pk).chronology)
        entry = AuditEntry.objects.filter(action="vault.scrub").first()
        assert entry is not None
        self.assertIsNone(entry.actor_id)
        self.assertIn("retention", entry.reason)
        again = io.StringIO()
        call_command("retention", stdout=again)
        self.assertIn("0 records due", again.getvalue())

    def test_scrub_asks_and_does_nothing_without_yes(self) -> None:
        with mock.patch("builtins.input", return_value="tidak"), self.assertRaisesMessage(CommandError, "Not confirmed"):
            call_command("retention", "--scrub", stdout=io.StringIO())
        self.assertIsNotNone(SampleRecord.objects.get(pk=self.old.pk).chronology)
        with mock.patch("builtins.input", return_value="yes"):
            call_command("retention", "--scrub", stdout=io.StringIO())
        self.assertIsNone(SampleRecord.objects.get(pk=self.old.pk).chronology)

    @override_settings(SIGAP_RETENTION_YEARS=5)
    def test_retention_years_is_a_setting(self) -> None:
        out = io.StringIO()
        call_command("retention", stdout=out)
        self.assertIn("samplerecord: 2 due", out.getvalue())

    def test_cutoff_handles_leap_day(self) -> None:
        leap = datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC)
        self.assertEqual(retention_cutoff(leap, years=10), datetime.datetime(2018, 2, 28, 12, tzinfo=datetime.UTC))
