"""The report list (filters, keyset pages, phone/NIK lookup) and the audited detail page."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.cases.tests.factories import create_case
from sigap.intake.actions import SubmittedReport
from sigap.intake.models import Report, RiskOverride
from sigap.intake.tests.factories import REPORTER_PHONE, VICTIM_NIK, adult_victim, create_report
from sigap.lib.testing import DESA_B, SigapTestCase
from sigap.vault.models import AuditEntry

LIST = reverse("intake:report_list")


def detail(report: Report) -> str:
    return reverse("intake:report_detail", args=[report.pk])


class ReportListTests(SigapTestCase):
    girl: Report
    woman: Report

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.girl = create_report(cls.operator).report  # sedang (child victim), kecamatan 18.11.01
        cls.woman = create_report(
            cls.operator, victims=[adult_victim(desa=DESA_B)], channel="telepon",
            reporter={"declined_identity": True},
        ).report

    def test_staff_who_see_whole_reports_reach_the_list(self) -> None:
        # The case worker's list holds only their reports (test_case_worker_access).
        self.assertAllowedOnly("get", LIST, [self.manager, self.operator, self.case_worker])

    def test_list_shows_numbers_and_codes_but_no_personal_data(self) -> None:
        self.login(self.operator)
        page = self.client.get(LIST)
        self.assertContains(page, self.girl.registration_number)
        self.assertContains(page, self.woman.registration_number)
        for secret in ("Siti Contoh", "Rina Contoh", "Budi Contoh", "0812-0000", "Dusun Contoh", "Uraian kejadian"):
            self.assertNotContains(page, secret)
        self.assertContains(page, "identitas belum ada")  # the declined one is flagged

    def test_filters_narrow_the_list(self) -> None:
        self.login(self.operator)
        cases: list[tuple[dict[str, str], Report, Report]] = [
            ({"kecamatan": "18.11.02"}, self.woman, self.girl),
            ({"channel": "telepon"}, self.woman, self.girl),
            ({"risk": self.girl.risk}, self.girl, self.woman),
            ({"nomor": self.girl.registration_number.lower()}, self.girl, self.woman),
        ]
        for params, shown, hidden in cases:
            page = self.client.get(LIST, params)
            self.assertContains(page, shown.registration_number, msg_prefix=str(params))
            self.assertNotContains(page, hidden.registration_number, msg_prefix=str(params))

    def test_unknown_filter_values_are_ignored(self) -> None:
        self.login(self.operator)
        page = self.client.get(LIST, {"status": "x", "risk": "<script>", "kecamatan": "99", "after": "bad_1"})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, self.girl.registration_number)

    def test_lookup_by_phone_and_nik_goes_by_post_and_is_audited(self) -> None:
        other = create_report(self.operator, victims=[{**adult_victim(), "nik": VICTIM_NIK}],
                              reporter={"declined_identity": True}).report
        self.login(self.operator)
        page = self.client.post(LIST, {"kind": "phone", "value": "+62 812-0000-1111"})
        self.assertContains(page, self.girl.registration_number)
        self.assertNotContains(page, self.woman.registration_number)
        self.assertNotContains(page, "0000-1111")  # the typed number is not echoed back
        page = self.client.post(LIST, {"kind": "nik", "value": VICTIM_NIK})
        self.assertContains(page, other.registration_number)
        self.assertNotContains(page, self.girl.registration_number)
        self.assertNotContains(page, VICTIM_NIK)
        self.assertEqual(
            AuditEntry.objects.filter(action__startswith="intake.report.lookup_").count(), 2
        )
        nothing = self.client.post(LIST, {"kind": "phone", "value": "0899 1234 5678"})
        self.assertContains(nothing, "Tidak ada laporan dengan nomor itu.")

    def test_bad_lookup_is_a_form_error(self) -> None:
        self.login(self.operator)
        page = self.client.post(LIST, {"kind": "alamat", "value": ""})
        self.assertEqual(page.status_code, 400)


class KeysetPaginationTests(SigapTestCase):
    def test_pages_go_forward_and_back_without_counting_everything(self) -> None:
        base = timezone.now() - datetime.timedelta(days=3)
        numbers = []
        for i in range(30):
            report = create_report(self.operator).report
            moment = base + datetime.timedelta(minutes=i)
            Report.objects.filter(pk=report.pk).update(created_at=moment, response_due_at=moment)
            numbers.append(report.registration_number)
        # two reports in the same microsecond must not be skipped or repeated
        Report.objects.filter(registration_number=numbers[10]).update(
            created_at=base + datetime.timedelta(minutes=11), response_due_at=base + datetime.timedelta(minutes=11))
        self.login(self.operator)
        first = self.client.get(LIST)
        rows = [r.registration_number for r in first.context["rows"]]
        self.assertEqual(len(rows), 25)
        # Awaiting a response: the earliest deadline first (docs/ALERTS.md, deadline order).
        self.assertEqual(rows[0], numbers[0])
        cursor = first.context["page"].next_cursor
        self.assertIsNotNone(cursor)
        self.assertIsNone(first.context["page"].prev_cursor)
        second = self.client.get(LIST, {"after": cursor})
        rest = [r.registration_number for r in second.context["rows"]]
        self.assertEqual(len(rest), 5)
        self.assertEqual(set(rows) | set(rest), set(numbers))
        self.assertFalse(set(rows) & set(rest))
        self.assertIsNone(second.context["page"].next_cursor)
        back = self.client.get(LIST, {"before": second.context["page"].prev_cursor})
        self.assertEqual([r.registration_number for r in back.context["rows"]], rows)

    def test_the_list_query_has_no_count(self) -> None:
        create_report(self.operator)
        self.login(self.operator)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            self.client.get(LIST)
        self.assertFalse([q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()
                          and "intake_report" in q["sql"]])


class ReportDetailTests(SigapTestCase):
    submitted: SubmittedReport
    report: Report

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.submitted = create_report(cls.operator, safe_contact={"never_call_back": True})
        cls.report = cls.submitted.report

    def test_who_may_open_a_report(self) -> None:
        # A case worker opens a report once its case is assigned to them (test_case_worker_access).
        self.assertAllowedOnly("get", detail(self.report), [self.manager, self.operator])

    def test_opening_is_audited(self) -> None:
        self.login(self.operator)
        self.client.get(detail(self.report))
        self.assertTrue(AuditEntry.objects.filter(action="intake.report_opened", object_id=str(self.report.pk),
                                                  actor_id=self.operator.pk).exists())

    def test_detail_shows_victims_chronology_and_reasons_but_masks_the_reporter(self) -> None:
        self.login(self.operator)
        page = self.client.get(detail(self.report))
        for shown in ("Siti Contoh", "Uraian kejadian contoh.", "Korban anak", "Pelapor R-", "****111",
                      "Jangan pernah menelepon balik"):
            self.assertContains(page, shown)
        for hidden in ("Budi Contoh", "0812-0000-1111", "+6281200001111", "Jalan Contoh 1"):
            self.assertNotContains(page, hidden)

    def test_manager_reveals_the_reporter_with_a_reason_for_that_response_only(self) -> None:
        self.login(self.manager)
        url = detail(self.report)
        page = self.client.get(url)
        self.assertContains(page, "Tampilkan identitas")
        self.assertNotContains(page, "Budi Contoh")
        too_short = self.client.post(url, {"vault_reveal": "1", "reason": "perlu"})
        self.assertEqual(too_short.status_code, 400)
        self.assertNotContains(too_short, "Budi Contoh", status_code=400)
        self.assertFalse(AuditEntry.objects.filter(action="vault.reveal").exists())
        shown = self.client.post(url, {"vault_reveal": "1", "reason": "Menghubungi pelapor untuk asesmen besok"})
        self.assertEqual(shown.status_code, 200)
        self.assertContains(shown, "Budi Contoh")
        self.assertContains(shown, "+6281200001111")
        self.assertContains(shown, "Jalan Contoh 1")
        entry = AuditEntry.objects.get(action="vault.reveal")
        self.assertEqual((entry.actor_id, entry.object_type), (self.manager.pk, "intake.reporteridentity"))
        self.assertNotContains(self.client.get(url), "Budi Contoh")  # the next response is masked again

    def test_an_operator_may_not_reveal_the_reporter(self) -> None:
        # (The case worker of the case may reveal the reporter's phone: test_victim_need_to_know.)
        create_case(self.operator, reports=[self.report], assign_to=self.case_worker, manager=self.manager)
        client = self.login(self.operator, client=Client())
        refused = client.post(detail(self.report), {"vault_reveal": "1", "reason": "Ingin tahu siapa pelapornya"})
        self.assertEqual(refused.status_code, 403)
        self.assertFalse(AuditEntry.objects.filter(action="vault.reveal").exists())

    def test_volunteer_cannot_post_to_a_detail(self) -> None:
        own = create_report(self.volunteer_a).report
        client = self.login(self.volunteer_a, client=Client())
        response = client.post(detail(own), {"vault_reveal": "1", "reason": "Ingin tahu siapa pelapornya"})
        self.assertEqual(response.status_code, 403)

    def test_malformed_or_unknown_ids_are_404(self) -> None:
        self.login(self.operator)
        for path in ("/pengaduan/laporan/0/", "/pengaduan/laporan/99999999999999999999999/",
                     "/pengaduan/laporan/abc/"):
            self.assertEqual(self.client.get(path).status_code, 404, path)

    def test_risk_override_needs_a_reason_and_is_recorded(self) -> None:
        self.login(self.operator)
        url = reverse("intake:report_override_risk", args=[self.report.pk])
        refused = self.client.post(url, {"risk": "tinggi", "reason": ""})
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "wajib diisi", status_code=400)
        self.assertFalse(RiskOverride.objects.exists())
        done = self.client.post(url, {"risk": "tinggi", "reason": "Pelaku datang lagi malam ini."})
        self.assertRedirects(done, detail(self.report))
        self.report.refresh_from_db()
        self.assertEqual(self.report.risk, "tinggi")
        self.assertTrue(self.report.risk_overridden)
        self.assertTrue(AuditEntry.objects.filter(action="intake.risk_overridden").exists())
        page = self.client.get(detail(self.report))
        self.assertContains(page, "Pelaku datang lagi malam ini.")

    def test_only_report_managers_may_override_or_link(self) -> None:
        other = create_report(self.operator).report
        data: dict[str, Any] = {"risk": "rendah", "reason": "uji"}
        self.assertAllowedOnly("post", reverse("intake:report_override_risk", args=[self.report.pk]),
                               [self.manager, self.operator], data=data)
        self.assertAllowedOnly("post", reverse("intake:report_link", args=[self.report.pk]),
                               [self.manager, self.operator], data={"other": other.pk, "reason": "uji"})

    def test_case_worker_sees_the_report_without_management_forms(self) -> None:
        create_case(self.operator, reports=[self.report], assign_to=self.case_worker, manager=self.manager)
        self.login(self.case_worker)
        page = self.client.get(detail(self.report))
        self.assertContains(page, "Siti Contoh")
        self.assertNotContains(page, "Ubah risiko")

    def test_duplicates_and_links_appear_on_the_detail(self) -> None:
        twin = create_report(self.operator).report  # same reporter phone
        self.login(self.manager)
        page = self.client.get(detail(self.report))
        self.assertContains(page, twin.registration_number)
        self.assertContains(page, "Tautkan")
        self.client.post(reverse("intake:report_link", args=[self.report.pk]),
                         {"other": twin.pk, "reason": "Sama."})
        page = self.client.get(detail(twin))
        self.assertContains(page, "Laporan yang ditautkan")
        self.assertContains(page, self.report.registration_number)

    def test_linking_to_a_report_one_cannot_see_is_404(self) -> None:
        self.login(self.operator)
        response = self.client.post(reverse("intake:report_link", args=[self.report.pk]),
                                    {"other": 987654, "reason": "x"})
        self.assertEqual(response.status_code, 404)


class NothingPersonalInUrlsTests(SigapTestCase):
    def test_links_on_staff_pages_carry_no_phone_or_name(self) -> None:
        create_report(self.operator)
        client: Client = self.login(self.operator)
        for url in (LIST, detail(Report.objects.get())):
            html = client.get(url).content.decode()
            for href in [part.split('"', 1)[0] for part in html.split('href="')[1:]]:
                self.assertNotIn(REPORTER_PHONE.replace("-", ""), href.replace("-", ""))
                self.assertNotIn("Siti", href)
