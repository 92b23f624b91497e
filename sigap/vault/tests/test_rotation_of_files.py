"""``rotate_keys`` re-seals file contents held by other apps: outreach photos, case attachments, monthly reports."""

from __future__ import annotations

import datetime
import io
from importlib import import_module

from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from sigap.cases import actions as case_actions
from sigap.cases.models import Attachment
from sigap.cases.tests.factories import create_case
from sigap.lib.testing import DESA_A, SigapTestCase
from sigap.outreach import actions as outreach_actions
from sigap.outreach.models import Activity, ActivityPhoto, PamphletBatch
from sigap.regions.models import Region
from sigap.stats.models import MonthlyReport
from sigap.vault.crypto import key_version_of, seal, unseal
from sigap.vault.fields import EncryptedBytesField
from sigap.vault.registry import encrypted_fields_of
from sigap.vault.testing import key_versions
from sigap.vault.tests.test_rotation import stored_versions

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF contoh foto"
PDF = b"%PDF-1.4\n% contoh lampiran\n%%EOF\n"


class FileRotationTests(SigapTestCase):
    def activity(self) -> Activity:
        desa = Region.objects.get(code=DESA_A)
        assert desa.parent is not None
        return Activity.objects.create(
            date=datetime.date(2025, 3, 4), kind="posyandu", desa=desa, kecamatan=desa.parent,
            created_by=self.manager,
        )

    def test_rotate_keys_reseals_an_outreach_photo_and_a_case_attachment_under_the_new_version(self) -> None:
        activity = self.activity()
        photo = outreach_actions.add_photo(activity, JPEG, by=self.manager)
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        attachment = case_actions.add_attachment(
            case, by=self.case_worker, kind="pdf", name="surat.pdf", content=PDF
        )
        monthly = MonthlyReport.objects.create(month="2026-10", requested_by=self.manager, pdf=PDF)
        self.assertEqual(stored_versions(ActivityPhoto, "sealed"), {1})
        self.assertEqual(stored_versions(Attachment, "content"), {1})
        self.assertEqual(stored_versions(MonthlyReport, "pdf"), {1})

        with key_versions(add=(2,)):
            call_command("rotate_keys", "--model", "outreach.ActivityPhoto", "--model", "cases.Attachment",
                         "--model", "stats.MonthlyReport", stdout=io.StringIO())
            self.assertEqual(stored_versions(ActivityPhoto, "sealed"), {2})
            self.assertEqual(stored_versions(Attachment, "content"), {2})
            self.assertEqual(stored_versions(MonthlyReport, "pdf"), {2})
            self.assertEqual(bytes(ActivityPhoto.objects.get(pk=photo.pk).sealed), JPEG)
            self.assertEqual(bytes(Attachment.objects.with_content().get(pk=attachment.pk).content), PDF)
            self.assertEqual(bytes(MonthlyReport.objects.get(pk=monthly.pk).pdf or b""), PDF)

    def test_photos_pamphlets_and_monthly_reports_are_encrypted_bytes_fields_in_the_registry(self) -> None:
        for model, name in ((ActivityPhoto, "sealed"), (PamphletBatch, "combined_pdf"), (PamphletBatch, "archive"),
                            (Attachment, "content"), (MonthlyReport, "pdf")):
            field = model._meta.get_field(name)
            self.assertIsInstance(field, EncryptedBytesField)
            self.assertIn(field, encrypted_fields_of(model))

    def test_a_photo_sealed_before_the_field_existed_still_reads(self) -> None:
        activity = self.activity()
        photo = outreach_actions.add_photo(activity, JPEG, by=self.manager)
        # What photos.seal_photo used to write, put in place of the field's own envelope.
        legacy = seal(JPEG, purpose="attachment", context="outreach.activityphoto.sealed")
        self.assertEqual(key_version_of(legacy), 1)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE outreach_activityphoto SET sealed = %s WHERE id = %s",
                           [connection.Database.Binary(legacy), photo.pk])  # type: ignore[attr-defined]
        self.assertEqual(bytes(ActivityPhoto.objects.get(pk=photo.pk).sealed), JPEG)

    def test_a_monthly_report_sealed_per_row_is_resealed_by_its_migration_and_back(self) -> None:
        migration = import_module("sigap.stats.migrations.0003_monthly_report_pdf_encrypted_bytes_field")
        report = MonthlyReport.objects.create(month="2026-10", requested_by=self.manager)
        legacy = seal(PDF, purpose="attachment", context=f"stats.monthly_report:{report.pk}")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE stats_monthlyreport SET pdf = %s WHERE id = %s",
                           [connection.Database.Binary(legacy), report.pk])  # type: ignore[attr-defined]
        before = MigrationLoader(connection).project_state(("stats", "0002_dashboard_counts_tally_and_monthly_reports"))
        migration.forwards(before.apps, None)
        self.assertEqual(bytes(MonthlyReport.objects.get(pk=report.pk).pdf or b""), PDF)
        migration.backwards(before.apps, None)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pdf FROM stats_monthlyreport WHERE id = %s", [report.pk])
            raw = bytes(cursor.fetchone()[0])
        self.assertEqual(unseal(raw, purpose="attachment", context=f"stats.monthly_report:{report.pk}"), PDF)
