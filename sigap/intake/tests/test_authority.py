"""Kewenangan (UU 23/2014): suggested from where the victims live and the incidents happened, changed by
staff only with a reason, and only the unit's own reports counted."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.test import SimpleTestCase
from django.urls import reverse

from sigap.intake.actions import decide_authority
from sigap.intake.amend import amend_report
from sigap.intake.authority import OWN_AUTHORITY, reason, suggest, suggestion_for
from sigap.intake.codes import Authority
from sigap.intake.models import AuthorityDecision, Report
from sigap.intake.tests.factories import (
    OTHER_DISTRICT_DESA,
    adult_victim,
    create_report,
    report_payload,
)
from sigap.intake.validation import ReportInvalid
from sigap.lib.testing import DESA_A, DESA_B, SigapTestCase
from sigap.regions.models import Level, Region
from sigap.vault.models import AuditEntry

# Kabupaten Pringsewu (18.10) is in Lampung like Mesuji (18.11); Ogan Komering Ilir (16.02) is in Sumatera Selatan.
OTHER_PROVINCE_DESA = "16.02.02.2001"
ANOTHER_OTHER_REGENCY_DESA = "18.10.02.2001"


def add_other_province() -> None:
    """One desa of another province, with its kecamatan, regency and province."""
    rows = [("16", "Sumatera Selatan", Level.PROVINSI, None),
            ("16.02", "Kabupaten Ogan Komering Ilir", Level.KABUPATEN, "16"),
            ("16.02.02", "Tanjung Lubuk", Level.KECAMATAN, "16.02"),
            (OTHER_PROVINCE_DESA, "Ulak Kapal", Level.DESA, "16.02.02")]
    for code, name, level, parent in rows:
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})


def event(desa: str | None, **extra: Any) -> dict[str, Any]:
    item = {**report_payload()["chronology"][0], "desa": desa, **extra}
    if desa is None:
        item.update(desa_unknown=True, desa_unknown_reason="Pelapor belum tahu.")
    return item


def victim(desa: str | None, **extra: Any) -> dict[str, Any]:
    item = adult_victim(desa=desa, **extra)
    if desa is None:
        item.update(desa_unknown=True, desa_unknown_reason="Pelapor belum tahu.")
    return item


class SuggestRuleTests(SimpleTestCase):
    """The rule alone, on codes (no database)."""

    def test_victim_and_incident_in_this_regency_are_its_own(self) -> None:
        self.assertEqual(suggest([DESA_A], [DESA_B]).authority, Authority.OWN)

    def test_everything_in_one_other_regency_is_that_regencys(self) -> None:
        result = suggest([OTHER_DISTRICT_DESA], [ANOTHER_OTHER_REGENCY_DESA])
        self.assertEqual((result.authority, result.transfer_to), (Authority.OTHER, "18.10"))

    def test_crossing_a_regency_border_inside_the_province_is_the_provinces(self) -> None:
        # The victim lives here, the incident happened in the neighbouring regency.
        result = suggest([DESA_A], [OTHER_DISTRICT_DESA])
        self.assertEqual((result.authority, result.transfer_to), (Authority.PROVINCE, "18"))
        # ... and the other way round.
        self.assertEqual(suggest([OTHER_DISTRICT_DESA], [DESA_A]).authority, Authority.PROVINCE)

    def test_crossing_a_provincial_border_is_the_ministrys(self) -> None:
        result = suggest([DESA_A], [OTHER_PROVINCE_DESA])
        self.assertEqual((result.authority, result.transfer_to), (Authority.MINISTRY, None))
        # Two regencies of another province and one of this: still across provinces.
        self.assertEqual(suggest([OTHER_PROVINCE_DESA], [DESA_A, OTHER_DISTRICT_DESA]).authority, Authority.MINISTRY)

    def test_victims_living_in_different_regencies_cross_the_border(self) -> None:
        self.assertEqual(suggest([DESA_A, OTHER_DISTRICT_DESA], [DESA_A]).authority, Authority.PROVINCE)
        self.assertEqual(suggest([DESA_A, OTHER_PROVINCE_DESA], [DESA_A]).authority, Authority.MINISTRY)

    def test_an_unknown_desa_leaves_the_decision_to_staff(self) -> None:
        for victims, events in (([None], [DESA_A]), ([DESA_A], [None]), ([None], [None]),
                                ([OTHER_PROVINCE_DESA], [None]), ([DESA_A, None], [DESA_A])):
            with self.subTest(victims=victims, events=events):
                result = suggest(victims, events)
                self.assertEqual((result.authority, result.transfer_to), (Authority.UNDECIDED, None))
                self.assertTrue(result.unknown)


class SubmittedReportAuthorityTests(SigapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_other_province()

    def file(self, victims: list[dict[str, Any]], events: list[dict[str, Any]]) -> Report:
        return create_report(self.operator, victims=victims, chronology=events).report

    def test_each_authority_is_suggested_and_stored_with_its_transfer_region(self) -> None:
        cases = [
            ([victim(DESA_A)], [event(DESA_B)], Authority.OWN, None),
            ([victim(OTHER_DISTRICT_DESA)], [event(ANOTHER_OTHER_REGENCY_DESA)], Authority.OTHER, "18.10"),
            ([victim(DESA_A)], [event(OTHER_DISTRICT_DESA)], Authority.PROVINCE, "18"),
            ([victim(DESA_A), victim(OTHER_PROVINCE_DESA, name="Ani Contoh")], [event(DESA_A)],
             Authority.MINISTRY, None),
            ([victim(None)], [event(DESA_A)], Authority.UNDECIDED, None),
        ]
        for victims, events, authority, transfer_to in cases:
            with self.subTest(authority=authority):
                report = self.file(victims, events)
                self.assertEqual((report.authority, report.authority_suggested, report.transfer_to_id),
                                 (authority, authority, transfer_to))
        # Only the first is this unit's own, by the one predicate statistics use.
        own = Report.objects.own_authority()
        self.assertEqual(own.count(), 1)
        self.assertEqual(Report.objects.filter(OWN_AUTHORITY).count(), 1)
        self.assertEqual(own.get().authority, Authority.OWN)

    def test_a_report_with_an_unknown_desa_is_flagged_and_its_reason_says_staff_decide(self) -> None:
        report = self.file([victim(None)], [event(OTHER_DISTRICT_DESA)])
        self.assertTrue(report.place_unknown)
        text = reason(suggestion_for(report))
        self.assertIn("Petugas memutuskan kewenangan", text)
        self.assertIn("Kabupaten Pringsewu", text)  # what is known so far

    def test_the_reason_names_the_regions_that_decided_it(self) -> None:
        report = self.file([victim(DESA_A)], [event(OTHER_PROVINCE_DESA)])
        text = reason(suggestion_for(report))
        self.assertIn("Kabupaten Mesuji", text)
        self.assertIn("Kabupaten Ogan Komering Ilir", text)
        self.assertIn("batas provinsi", text)


class DecideAuthorityActionTests(SigapTestCase):
    def setUp(self) -> None:
        self.report = create_report(self.operator, victims=[victim(DESA_A)],
                                    chronology=[event(OTHER_DISTRICT_DESA)]).report

    def test_staff_change_the_suggestion_with_a_reason_kept_in_the_history(self) -> None:
        self.assertEqual(self.report.authority, Authority.PROVINCE)
        decide_authority(self.report, Authority.OWN, by=self.manager,
                         reason="Provinsi menyerahkan penanganan kepada UPTD kabupaten (surat dinas).")
        decide_authority(self.report, Authority.PROVINCE, by=self.operator, reason="Dikembalikan ke provinsi.")
        self.report.refresh_from_db()
        self.assertEqual(self.report.authority, Authority.PROVINCE)
        self.assertEqual(self.report.authority_suggested, Authority.PROVINCE)  # SIGAP's suggestion stays
        self.assertEqual(self.report.transfer_to_id, "18")
        history = list(self.report.authority_decisions.order_by("at", "pk"))
        self.assertEqual([(d.from_authority, d.to_authority) for d in history],
                         [(Authority.PROVINCE, Authority.OWN), (Authority.OWN, Authority.PROVINCE)])
        self.assertEqual(history[0].reason, "Provinsi menyerahkan penanganan kepada UPTD kabupaten (surat dinas).")
        self.assertEqual(AuditEntry.objects.filter(action="intake.authority_decided").count(), 2)

    def test_another_regency_may_be_named_by_its_code(self) -> None:
        decide_authority(self.report, Authority.OTHER, by=self.manager, reason="Korban sudah pindah.",
                         transfer_to="18.10")
        self.report.refresh_from_db()
        self.assertEqual((self.report.authority, self.report.transfer_to_id), (Authority.OTHER, "18.10"))

    def test_bad_decisions_change_nothing(self) -> None:
        attempts = [
            dict(authority=Authority.OWN, reason="  "),
            dict(authority=Authority.UNDECIDED, reason="Tidak tahu."),
            dict(authority="kecamatan", reason="Salah."),
            dict(authority=Authority.OTHER, reason="Pindah.", transfer_to="18.11"),  # this regency is not "other"
            dict(authority=Authority.OTHER, reason="Pindah.", transfer_to="99.99"),  # no such regency
            dict(authority=Authority.PROVINCE, reason="Pindah.", transfer_to="18.10"),  # a regency, not a province
        ]
        for attempt in attempts:
            with self.subTest(attempt=attempt), self.assertRaises(ReportInvalid):
                decide_authority(self.report, attempt["authority"], by=self.manager, reason=attempt["reason"],
                                 transfer_to=attempt.get("transfer_to"))
        self.report.refresh_from_db()
        self.assertEqual(self.report.authority, Authority.PROVINCE)
        self.assertFalse(AuthorityDecision.objects.exists())


class AuthorityScreenTests(SigapTestCase):
    def setUp(self) -> None:
        self.report = create_report(self.operator, victims=[victim(DESA_A)],
                                    chronology=[event(OTHER_DISTRICT_DESA)]).report
        self.url = reverse("intake:report_authority", args=[self.report.pk])
        self.detail = reverse("intake:report_detail", args=[self.report.pk])

    def test_operators_and_managers_see_the_suggestion_with_its_reason(self) -> None:
        self.login(self.operator)
        page = self.client.get(self.detail)
        self.assertContains(page, "Saran SIGAP")
        self.assertContains(page, "Provinsi (lintas kabupaten/kota)")
        self.assertContains(page, "melintasi batas kabupaten/kota dalam satu provinsi")
        self.assertContains(page, f'action="{self.url}"')

    def test_a_case_worker_who_filed_the_report_sees_no_authority_form(self) -> None:
        report = create_report(self.case_worker).report
        self.login(self.case_worker)
        page = self.client.get(reverse("intake:report_detail", args=[report.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Saran SIGAP")

    def test_only_operators_and_managers_may_decide(self) -> None:
        self.assertAllowedOnly("post", self.url, [self.manager, self.operator],
                               {"authority": "sendiri", "reason": "Diserahkan provinsi."})
        self.report.refresh_from_db()
        self.assertEqual(self.report.authority, Authority.OWN)

    def test_the_decision_without_a_reason_is_refused_beside_the_field(self) -> None:
        self.login(self.manager)
        response = self.client.post(self.url, {"authority": "sendiri", "reason": ""})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["authority_form"].errors.get("reason"))
        response = self.client.post(self.url, {"authority": "lain", "reason": "Pindah.", "transfer_to": "99.99"})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["authority_form"].errors.get("transfer_to"))
        for hostile in ("18\x00", "١٨.١٠", "9" * 400):
            response = self.client.post(self.url, {"authority": "lain", "reason": "x", "transfer_to": hostile})
            self.assertIn(response.status_code, (400,))
        self.report.refresh_from_db()
        self.assertEqual(self.report.authority, Authority.PROVINCE)

    def test_the_decision_and_its_history_show_on_the_report(self) -> None:
        self.login(self.manager)
        response = self.client.post(self.url, {"authority": "sendiri", "reason": "Diserahkan provinsi."})
        self.assertRedirects(response, self.detail)
        page = self.client.get(self.detail)
        self.assertContains(page, "diputuskan petugas")
        self.assertContains(page, "Diserahkan provinsi.")
        self.assertContains(page, 'id="authority-history"')

    def test_the_report_list_marks_a_report_that_is_not_the_units_own(self) -> None:
        self.login(self.operator)
        page = self.client.get(reverse("intake:report_list"))
        self.assertContains(page, '<span class="badge authority">Provinsi (lintas kabupaten/kota)</span>', html=True)


class RecomputeMigrationTests(SigapTestCase):
    def test_existing_reports_get_the_rule_of_their_places(self) -> None:
        report = create_report(self.operator, victims=[victim(DESA_A)],
                               chronology=[event(OTHER_DISTRICT_DESA)]).report
        # As the earlier rule stored it: any place in the regency made it the unit's own.
        Report.objects.filter(pk=report.pk).update(authority=Authority.OWN, authority_suggested=Authority.OWN,
                                                   transfer_to=None)
        migration = importlib.import_module("sigap.intake.migrations.0012_authority_province_ministry_decisions")
        migration.recompute(apps, None)
        report.refresh_from_db()
        self.assertEqual((report.authority, report.authority_suggested, report.transfer_to_id),
                         (Authority.PROVINCE, Authority.PROVINCE, "18"))


class AmendedPlacesTests(SigapTestCase):
    """An amendment that names the unknown desa re-suggests the authority, unless staff decided it."""

    def setUp(self) -> None:
        self.report = create_report(self.operator, victims=[victim(None)], chronology=[event(DESA_A)]).report
        self.assertEqual(self.report.authority, Authority.UNDECIDED)

    def test_the_desa_now_known_gives_the_rule_of_the_places(self) -> None:
        amend_report(self.report, {"victims.0.desa": OTHER_DISTRICT_DESA}, by=self.operator,
                     reason="Desa korban dipastikan saat penjangkauan.")
        self.report.refresh_from_db()
        self.assertEqual((self.report.authority, self.report.authority_suggested, self.report.transfer_to_id),
                         (Authority.PROVINCE, Authority.PROVINCE, "18"))
        self.assertFalse(self.report.place_unknown)

    def test_a_staff_decision_stands_and_the_new_suggestion_shows_beside_it(self) -> None:
        decide_authority(self.report, Authority.OWN, by=self.manager, reason="Korban tinggal di Mesuji.")
        amend_report(self.report, {"victims.0.desa": OTHER_DISTRICT_DESA}, by=self.operator, reason="Dipastikan.")
        self.report.refresh_from_db()
        self.assertEqual((self.report.authority, self.report.authority_suggested), (Authority.OWN, Authority.PROVINCE))
