from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import TestCase

from sigap.intake.models import Contact, RegistrationCounter, Report, ReportViolence, Victim
from sigap.lib.testing import load_test_regions
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
