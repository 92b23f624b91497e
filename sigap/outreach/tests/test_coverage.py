from __future__ import annotations

import csv
import datetime
import io
from unittest import mock

from openpyxl import load_workbook

from sigap.lib.testing import DESA_A, DESA_B, SigapTestCase
from sigap.network import actions as network_actions
from sigap.network.models import MemberKind
from sigap.outreach import coverage, seams
from sigap.outreach.models import Activity, Campaign
from sigap.outreach.seams import ReportCounts
from sigap.regions.models import Region
from sigap.vault.models import AuditEntry

DESA_A2 = "18.11.01.2002"


class CoverageTests(SigapTestCase):
    campaign: Campaign

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.campaign = Campaign.objects.create(slug="pamflet-2025", name="Pamflet 2025", created_by=cls.manager)
        desa_a = Region.objects.get(code=DESA_A)
        for kind, name in ((MemberKind.CONTACT_POINT, "Kades"), (MemberKind.PATBM, "P1"), (MemberKind.PATBM, "P2"),
                           (MemberKind.PATBM, "P3"), (MemberKind.SAPA, "S1")):
            network_actions.add_member(desa=desa_a, data={"kind": kind, "name": name}, by=cls.manager)
        left = network_actions.add_member(desa=desa_a, data={"kind": MemberKind.PATBM, "name": "Old"}, by=None)
        network_actions.leave_network(left, by=None)
        network_actions.save_patbm_group(desa_a, formed_on=datetime.date(2022, 1, 1), decree_number="", by=None)

        def activity(desa: str | None, kecamatan: str, date: datetime.date, pamphlets: int) -> None:
            Activity.objects.create(date=date, desa_id=desa, kecamatan_id=kecamatan, kind="sosialisasi",
                                    pamphlets_handed_out=pamphlets, created_by=cls.manager)

        activity(DESA_A, "18.11.01", datetime.date(2025, 1, 10), 30)
        activity(DESA_A, "18.11.01", datetime.date(2025, 3, 5), 20)
        activity(DESA_B, "18.11.02", datetime.date(2024, 12, 1), 15)
        activity(None, "18.11.02", datetime.date(2025, 2, 1), 100)  # radio across kecamatan 18.11.02

    def row(self, result: coverage.Coverage, code: str) -> coverage.CoverageRow:
        return next(r for r in result.rows if r.network.desa.code == code)

    def test_counts_agree_with_the_network_and_activities(self) -> None:
        result = coverage.build_coverage()
        self.assertEqual(len(result.rows), 105)
        a = self.row(result, DESA_A)
        self.assertEqual(
            (a.network.has_contact_point, a.network.has_patbm, a.network.patbm_size, a.network.sapa_count),
            (True, True, 3, 1),
        )
        self.assertEqual((a.last_outreach, a.activities, a.pamphlets), (datetime.date(2025, 3, 5), 2, 50))
        b = self.row(result, DESA_B)
        # The kecamatan-wide radio is B's latest outreach, but its pamphlets are not B's.
        self.assertEqual((b.last_outreach, b.activities, b.pamphlets), (datetime.date(2025, 2, 1), 2, 15))
        self.assertFalse(b.has_nothing)
        a2 = self.row(result, DESA_A2)
        self.assertTrue(a2.has_nothing)
        totals = result.totals()
        self.assertEqual((totals["contact_points"], totals["patbm"], totals["pamphlets"]), (1, 1, 165))
        kec_02 = Region.objects.filter(parent_id="18.11.02").count()
        self.assertEqual(totals["reached"], 1 + kec_02)
        self.assertEqual(result.empty_count, 105 - 1 - kec_02)

    def test_report_counts_come_from_intake_by_victim_desa_and_campaign_source(self) -> None:
        from sigap.intake.tests import factories

        counts_before = seams.report_counts([DESA_A, DESA_B], ["pamflet-2025"])
        self.assertEqual(counts_before[DESA_A], ReportCounts(0, 0))
        def victim(desa: str) -> dict[str, object]:
            return factories.adult_victim(desa=desa)

        factories.create_report(self.operator, victims=[victim(DESA_A)], source="pamflet-2025")
        factories.create_report(self.operator, victims=[victim(DESA_A)], source="")
        factories.create_report(self.operator, victims=[victim(DESA_B), victim(DESA_A)], source="radio")
        result = coverage.build_coverage()
        self.assertEqual(self.row(result, DESA_A).reports, ReportCounts(total=3, via_qr=1))
        self.assertEqual(self.row(result, DESA_B).reports, ReportCounts(total=1, via_qr=0))
        self.assertEqual(result.totals()["reports_via_qr"], 1)

    def test_the_seam_returns_zeros_without_intake(self) -> None:
        with mock.patch.object(seams, "_model", return_value=None):
            self.assertEqual(seams.report_counts([DESA_A], ["x"]), {})
            self.assertEqual(self.row(coverage.build_coverage(), DESA_A).reports, ReportCounts())

    def test_sorting_and_filtering(self) -> None:
        by_kecamatan = coverage.build_coverage("18.11.02", "kecamatan")
        self.assertTrue(all(r.network.desa.code.startswith("18.11.02.") for r in by_kecamatan.rows))
        rows = coverage.build_coverage(sort="kecamatan").rows
        self.assertEqual([r.kecamatan for r in rows], sorted(r.kecamatan for r in rows))
        oldest_first = coverage.build_coverage(sort="sosialisasi").rows
        self.assertIsNone(oldest_first[0].last_outreach)
        self.assertEqual(oldest_first[-1].network.desa.code, DESA_A)

    def test_screen_and_exports_are_for_outreach_managers_and_audited(self) -> None:
        allowed = [self.manager, self.data_officer]
        self.assertAllowedOnly("get", "/sosialisasi/cakupan/", allowed)
        self.assertAllowedOnly("get", "/sosialisasi/cakupan/unduh.csv", allowed)
        self.assertAllowedOnly("get", "/sosialisasi/cakupan/unduh.xlsx", allowed)
        client = self.login(self.data_officer)
        page = client.get("/sosialisasi/cakupan/", {"urut": "bogus", "kecamatan": "99.99"})
        self.assertContains(page, "row-empty")
        self.assertNotContains(page, "Kades")  # no names on the coverage screen
        before = AuditEntry.objects.filter(action="outreach.coverage_exported").count()
        csv_response = client.get("/sosialisasi/cakupan/unduh.csv", {"kecamatan": "18.11.01"})
        rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
        self.assertEqual(rows[0][0], "Kode desa")
        self.assertEqual(len(rows) - 1, Region.objects.filter(parent_id="18.11.01").count())
        a = next(r for r in rows if r[0] == DESA_A)
        self.assertEqual(a[3:12], ["ya", "ya", "3", "1", "2025-03-05", "2", "50", "0", "0"])
        xlsx = client.get("/sosialisasi/cakupan/unduh.xlsx")
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        self.assertEqual(sheet.max_row, 106)
        self.assertEqual(AuditEntry.objects.filter(action="outreach.coverage_exported").count(), before + 2)
        self.assertEqual(client.get("/sosialisasi/cakupan/unduh.exe").status_code, 404)

    def test_formula_injection_is_neutralised(self) -> None:
        Region.objects.filter(code=DESA_A2).update(name="=HYPERLINK(\"http://x\")")
        result = coverage.build_coverage("18.11.01")
        text = coverage.to_csv(result).decode("utf-8-sig")
        self.assertIn("'=HYPERLINK", text)
        sheet = load_workbook(io.BytesIO(coverage.to_xlsx(result))).active
        assert sheet is not None
        values = [c.value for row in sheet.iter_rows() for c in row]
        self.assertIn("'=HYPERLINK(\"http://x\")", values)
        for value in ("+1", "-1", "@x", "\tx"):
            self.assertEqual(coverage.neutralise(value), "'" + value)
        self.assertEqual(coverage.neutralise(5), 5)
