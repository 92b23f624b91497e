from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from sigap.intake.codes import Authority
from sigap.intake.models import Report, Victim
from sigap.lib.testing import load_test_regions
from sigap.stats import public
from sigap.stats.models import PublicStatsSnapshot
from sigap.stats.suppression import grid
from sigap.stats.tasks import refresh_public_stats
from sigap.stats.tests.attacker import recoverable


def _cells(block: dict) -> list[dict]:
    found = []
    if isinstance(block, dict):
        if "count" in block:
            return [block]
        for value in block.values():
            found += _cells(value)
    elif isinstance(block, list):
        for value in block:
            found += _cells(value)
    return found


class PublicNumbersTests(TestCase):
    year: int

    @classmethod
    def setUpTestData(cls) -> None:
        load_test_regions()
        call_command("seed", "--cases", "400", "--random-seed", "11", stdout=StringIO())
        cls.year = timezone.localdate().year - 1
        refresh_public_stats.call()

    def snapshot(self) -> dict:
        return PublicStatsSnapshot.objects.get(year=self.year).data

    def test_counts_agree_with_an_independent_count_where_published(self) -> None:
        data = self.snapshot()
        counted = public._counted_reports(self.year)
        total = data["cases_by_kecamatan_quarter"]["total"]
        if "suppressed" not in total and total["count"] != "<5":
            self.assertEqual(total["count"], counted.count())
        for row in data["cases_by_kecamatan_quarter"]["rows"]:
            expected = counted.filter(kecamatan_code=row["kecamatan"]).count()
            if isinstance(row["total"]["count"], int):
                self.assertEqual(row["total"]["count"], expected)
            elif row["total"]["count"] == "<5":
                self.assertTrue(1 <= expected <= 4)
        victims = Victim.objects.filter(report__in=counted)
        for row in data["victims_by_age_group_sex"]["rows"]:
            for sex, cell in row["sex"].items():
                expected = victims.filter(age_group=row["age_group"], sex=sex).count()
                if isinstance(cell["count"], int):
                    self.assertEqual(cell["count"], expected)

    def test_only_consented_reports_of_this_authority_are_counted(self) -> None:
        counted = public._counted_reports(self.year)
        self.assertFalse(counted.filter(consent_statistics=False).exists())
        before = counted.count()
        Report.objects.filter(pk__in=counted.values("pk")[:5]).update(consent_statistics=False)
        self.assertEqual(public._counted_reports(self.year).count(), before - 5)

    def test_every_small_count_is_below_five_and_no_hidden_cell_can_be_recovered(self) -> None:
        data = self.snapshot()
        for cell in _cells(data):
            count = cell["count"]
            self.assertTrue(count is None or count == "<5" or count == 0 or count >= 5, cell)
            if count is None:
                self.assertIs(cell["suppressed"], True)
        # Rebuild each published table as the attacker sees it and try to solve it.
        kq = data["cases_by_kecamatan_quarter"]
        rows = [r["kecamatan"] for r in kq["rows"]]
        structure = grid("kq", rows, public.QUARTERS, {})
        view: dict[str, object] = {}
        for r in kq["rows"]:
            for q, cell in r["quarters"].items():
                view[f"kq|{r['kecamatan']}|{q}"] = cell["count"]
            view[f"kq|{r['kecamatan']}|total"] = r["total"]["count"]
        for q, cell in kq["totals"].items():
            view[f"kq|total|{q}"] = cell["count"]
        view["kq|total|total"] = kq["total"]["count"]
        truth = public.compute(self.year)  # recomputed server-side, only to tell the attacker's guess apart
        true_table = public.protect(grid("kq", rows, public.QUARTERS, self._kq_counts()))
        self.assertEqual(truth["cases_by_kecamatan_quarter"], kq)
        self.assertEqual(recoverable(view, structure.relations, true_table.cells), set())

    def _kq_counts(self) -> dict[tuple[str, str], int]:
        from django.db.models.functions import ExtractMonth

        counts: dict[tuple[str, str], int] = {}
        for report in public._counted_reports(self.year).annotate(m=ExtractMonth("received_at")):
            key = (report.kecamatan_code, public.QUARTERS[(report.m - 1) // 3])
            counts[key] = counts.get(key, 0) + 1
        return counts

    def test_public_numbers_never_contain_a_desa_a_name_or_free_text(self) -> None:
        text = json.dumps(self.snapshot())
        self.assertNotIn("18.11.01.2", text)  # no desa code
        for victim in Victim.objects.all()[:50]:
            self.assertNotIn(victim.name, text)
        self.assertNotIn("uraian", text.lower())
        self.assertNotIn("Dusun", text)

    def test_api_serves_the_snapshot_without_login_and_never_computes_per_request(self) -> None:
        response = self.client.get(f"/api/v1/public/stats?year={self.year}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), self.snapshot())
        with self.assertNumQueries(1):
            self.client.get(f"/api/v1/public/stats?year={self.year}")

    def test_api_errors_are_json(self) -> None:
        missing = self.client.get("/api/v1/public/stats?year=2001")
        self.assertEqual(missing.status_code, 404)
        self.assertIn("message", missing.json()["error"])
        for bad in ("tahun", "1800", "9999", ""):
            response = self.client.get(f"/api/v1/public/stats?year={bad}")
            self.assertEqual(response.status_code, 422, bad)
            self.assertIn("error", response.json())

    def test_public_page_shows_the_tables(self) -> None:
        response = self.client.get(f"/statistik/publik/?tahun={self.year}")
        self.assertContains(response, "Kasus per kecamatan dan triwulan")
        self.assertContains(response, "Korban per kelompok usia")
        self.assertEqual(self.client.get("/statistik/publik/?tahun=abc").status_code, 200)


class PublicFiguresTests(TestCase):
    def test_no_snapshot_means_no_figures(self) -> None:
        self.assertIsNone(public.public_figures())

    def test_figures_come_from_the_published_snapshot_only(self) -> None:
        PublicStatsSnapshot.objects.create(year=2025, data={
            "year": 2025,
            "cases_by_kecamatan_quarter": {"total": {"count": 27}},
            "victims_by_age_group_sex": {"total": {"count": 31}, "rows": [
                {"age_group": "0-5", "total": {"count": "<5"}},
                {"age_group": "6-12", "total": {"count": 9}},
                {"age_group": "13-17", "total": {"count": 8}},
            ]},
            "cases_by_violence_type": {"seksual": {"count": None, "suppressed": True}},
        })
        figures = public.public_figures()
        assert figures is not None
        self.assertEqual(figures["kasus tercatat tahun 2025"], 27)
        self.assertEqual(figures["korban tahun 2025"], 31)
        # A "<5" among the children's rows means no child total is computed from it.
        self.assertNotIn("korban anak tahun 2025", figures)
        self.assertEqual(figures["kasus kekerasan seksual tahun 2025"], "–")


class PublicCountingUnitTests(TestCase):
    def test_linked_reports_about_one_victim_in_one_case_count_once(self) -> None:
        from sigap.accounts.roles import Role
        from sigap.cases import actions
        from sigap.intake.tests.factories import create_report
        from sigap.lib.testing import create_user

        load_test_regions()
        operator = create_user(Role.OPERATOR, "operator")
        consent = {"process": True, "statistics": True}
        for _ in range(6):
            reports = [create_report(operator, consent=consent).report for _ in range(2)]
            actions.open_case(reports, by=operator)
        data = public.compute(timezone.localdate().year)
        self.assertEqual(data["cases_by_kecamatan_quarter"]["total"]["count"], 6)
        self.assertEqual(data["victims_by_age_group_sex"]["total"]["count"], 6)
        self.assertEqual(data["cases_by_violence_type"]["psikis"]["count"], 6)

    def test_only_this_units_own_cases_are_counted_and_reach_the_media_kit(self) -> None:
        from sigap.accounts.roles import Role
        from sigap.intake.tests.factories import create_report
        from sigap.lib.testing import create_user

        load_test_regions()
        operator = create_user(Role.OPERATOR, "operator")
        consent = {"process": True, "statistics": True}
        own = [create_report(operator, consent=consent).report for _ in range(6)]
        others = [create_report(operator, consent=consent).report for _ in range(7)]
        Report.objects.filter(pk__in=[r.pk for r in others]).update(authority=Authority.OTHER)
        year = timezone.localdate().year
        public.refresh(year)
        data = PublicStatsSnapshot.objects.get(year=year).data
        self.assertEqual(data["cases_by_kecamatan_quarter"]["total"]["count"], len(own))
        self.assertEqual(data["victims_by_age_group_sex"]["total"]["count"], len(own))
        figures = public.public_figures()
        assert figures is not None
        self.assertEqual(figures[f"kasus tercatat tahun {year}"], len(own))
        page = self.client.get(reverse("outreach:media_kit")).content.decode()
        self.assertIn(f"<strong>{len(own)}</strong> kasus tercatat tahun {year}", page)
