from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import TestCase
from django.utils import timezone

from sigap.intake.codes import Channel, ReportStatus, Risk
from sigap.intake.models import (
    Contact,
    RegistrationCounter,
    Report,
    ReporterIdentity,
    ReportViolence,
    Victim,
)
from sigap.intake.seeding import fast_insert, new
from sigap.lib.testing import DESA_A, load_test_regions
from sigap.vault.audit import verify_chain


class SeedTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_test_regions()

    def test_seed_writes_complete_reports_with_gap_free_numbers_and_a_valid_audit_chain(self) -> None:
        call_command("seed", "--cases", "120", "--batch", "50", "--random-seed", "7", stdout=StringIO())
        call_command("seed", "--cases", "30", "--random-seed", "8", stdout=StringIO())
        self.assertEqual(Report.objects.count(), 150)
        self.assertFalse(Report.objects.filter(victims__isnull=True).exists())
        self.assertFalse(Report.objects.filter(events__isnull=True).exists())
        self.assertFalse(Report.objects.filter(violence__isnull=True).exists())
        self.assertGreaterEqual(Contact.objects.count(), 150)
        # Gap-free per year, continuing across runs, and the counters agree.
        for counter in RegistrationCounter.objects.all():
            sequences = sorted(Report.objects.filter(year=counter.year).values_list("sequence", flat=True))
            self.assertEqual(sequences, list(range(1, counter.last_value + 1)))
        # Only the deployment's desa, and sealed values read back.
        self.assertFalse(Victim.objects.exclude(desa__code__startswith="18.11.").exists())
        victim = Victim.objects.first()
        assert victim is not None
        self.assertTrue(victim.name)
        self.assertTrue(verify_chain().ok)

    def test_violence_types_follow_the_national_proportions(self) -> None:
        call_command("seed", "--cases", "600", "--random-seed", "3", stdout=StringIO())
        shares = {row["violence_type"]: row["n"] / 600 for row in
                  ReportViolence.objects.values("violence_type").annotate(n=Count("id"))}
        self.assertAlmostEqual(shares["seksual"], 0.45, delta=0.07)
        self.assertAlmostEqual(shares["fisik"], 0.36, delta=0.07)
        self.assertAlmostEqual(shares["psikis"], 0.31, delta=0.07)

    def test_bad_arguments_are_refused(self) -> None:
        with self.assertRaises(CommandError):
            call_command("seed", "--cases", "0", stdout=StringIO())
        self.assertEqual(Report.objects.count(), 0)


class FastInsertTests(TestCase):
    """Rows written by ``seeding.new`` + ``fast_insert`` read back as the ORM's own would."""

    def test_sealed_plain_choice_date_and_related_values_read_back_unchanged(self) -> None:
        load_test_regions()
        at = timezone.now().replace(microsecond=123456)
        identity = new(ReporterIdentity, name="Nama Contoh", phone="+6289912345678", address="Dusun Uji",
                       created_at=at)
        fast_insert([identity])
        report = new(Report, registration_number="1811-2026-999999", region_code="1811", year=2026,
                     sequence=999_999, status=ReportStatus.DITERIMA, channel=Channel.WHATSAPP, received_at=at,
                     created_at=at, reporter=identity, desa_id=DESA_A, kecamatan_code="18.11.01", risk=Risk.TINGGI,
                     risk_computed=Risk.TINGGI, risk_reasons=["immediate_danger"], response_due_at=at,
                     immediate_danger=True, needs="Pendampingan", consent_process=True)
        report.pk = 4242
        fast_insert([report])
        victim = new(Victim, report=report, position=0, name="Korban Contoh", birth_date=datetime.date(2015, 3, 9),
                     age_group="6-12", is_child=True, sex="P", desa_id=DESA_A, kecamatan_code="18.11.01")
        victim.pk = 4242  # fast_insert writes the ids it is given (IdAllocator in the seed)
        fast_insert([victim])

        stored = Report.objects.select_related("reporter").get(pk=4242)
        assert stored.reporter is not None
        self.assertEqual((stored.received_at, stored.status, stored.channel, stored.risk, stored.risk_reasons,
                          stored.immediate_danger, stored.needs, stored.desa_id),
                         (at, "diterima", "whatsapp", "tinggi", ["immediate_danger"], True, "Pendampingan", DESA_A))
        self.assertEqual((stored.reporter.name, stored.reporter.phone, stored.reporter.created_at),
                         ("Nama Contoh", "+6289912345678", at))
        self.assertEqual(Report.objects.filter(received_at=at).count(), 1)  # the stored text compares as the ORM's
        kept = Victim.objects.get(report_id=4242)
        self.assertEqual((kept.name, kept.birth_date, kept.is_child), ("Korban Contoh", datetime.date(2015, 3, 9), True))

    def test_an_unknown_field_is_refused_like_the_model_does(self) -> None:
        with self.assertRaises(TypeError):
            new(Report, no_such_field=1)
