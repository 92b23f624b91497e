"""Public numbers are honest about time: when computed, recomputed once the first reports count, no zeros."""

from __future__ import annotations

import datetime

from django.test import TestCase
from django.utils import timezone

from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.intake.tests.factories import create_report
from sigap.lib.testing import create_user, load_test_regions
from sigap.stats import public
from sigap.stats.models import PublicStatsSnapshot
from sigap.stats.tasks import publish_first_numbers, refresh_public_stats


class PublicTimeTests(TestCase):
    operator: User

    @classmethod
    def setUpTestData(cls) -> None:
        load_test_regions()
        cls.operator = create_user(Role.OPERATOR, "operator")

    def test_an_empty_start_says_no_data_yet_instead_of_zeros(self) -> None:
        refresh_public_stats.call()
        year = timezone.localdate().year
        page = self.client.get(f"/statistik/publik/?tahun={year}")
        self.assertContains(page, 'id="no-data"')
        self.assertContains(page, "Belum ada data")
        self.assertNotContains(page, "Kasus per kecamatan dan triwulan")
        self.assertIsNone(public.public_figures())
        self.assertNotContains(self.client.get("/pers/"), "per ")

    def test_the_first_reports_are_published_within_minutes_not_a_day_later(self) -> None:
        refresh_public_stats.call()
        self.assertFalse(public.refresh_if_still_empty())
        create_report(self.operator, consent_statistics=True)
        publish_first_numbers.call()
        snapshot = PublicStatsSnapshot.objects.get(year=timezone.localdate().year)
        self.assertTrue(public.has_counts(snapshot.data))
        # Once something is counted, the daily refresh takes over: no recount every 5 minutes.
        self.assertFalse(public.refresh_if_still_empty())

    def test_pages_say_when_the_numbers_were_computed(self) -> None:
        create_report(self.operator, consent_statistics=True)
        refresh_public_stats.call()
        PublicStatsSnapshot.objects.update(generated_at=datetime.datetime(2026, 12, 4, 3, tzinfo=datetime.UTC))
        year = timezone.localdate().year
        self.assertContains(self.client.get(f"/statistik/publik/?tahun={year}"), "per 4 Desember 2026")
        self.assertContains(self.client.get("/pers/"), "per 4 Desember 2026")
