"""Issue 14: child victims filed before AMPK groups existed get SIGAP's suggestion (intake 0014);
the public form asks what a disability needs (UU TPKS Pasal 66, UU 8/2016)."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import reverse

from sigap.intake.ampk import backfill_suggested_groups
from sigap.intake.models import Report, VictimAccommodation, VictimAmpkGroup
from sigap.intake.tests.factories import adult_victim, create_report, report_payload
from sigap.intake.tests.form_data import report_form_data
from sigap.lib.testing import SigapTestCase


def groups_of(report: Report) -> list[tuple[int, str, bool]]:
    return sorted(VictimAmpkGroup.objects.filter(victim__report=report)
                  .values_list("victim__position", "group", "suggested"))


class AmpkBackfillTests(SigapTestCase):
    def test_filing_marks_a_suggestion_and_a_choice_apart(self) -> None:
        chosen = dict(report_payload()["victims"][0], ampk_groups=["berhadapan_hukum"])
        report = create_report(self.operator, victims=[report_payload()["victims"][0], chosen],
                               violence_types=["fisik"]).report
        self.assertEqual(groups_of(report), [(0, "kekerasan_fisik_psikis", True), (1, "berhadapan_hukum", False)])

    def test_children_without_groups_get_the_suggestion_once_and_nothing_else_changes(self) -> None:
        old = create_report(self.operator, violence_types=["seksual", "fisik"],
                            sexual_violence_forms=["pornografi"]).report
        chosen = create_report(self.operator, victims=[dict(report_payload()["victims"][0],
                                                            ampk_groups=["hiv_aids"])]).report
        adult = create_report(self.operator, victims=[adult_victim()], violence_types=["fisik"]).report
        nothing_to_suggest = create_report(self.operator, violence_types=["lainnya"]).report
        # As filed before intake 0006: no groups at all.
        VictimAmpkGroup.objects.filter(victim__report=old).delete()

        added = backfill_suggested_groups(apps, batch=1)

        self.assertEqual(added, 3)
        self.assertEqual(groups_of(old), [(0, "kejahatan_seksual", True), (0, "kekerasan_fisik_psikis", True),
                                          (0, "pornografi", True)])
        self.assertEqual(groups_of(chosen), [(0, "hiv_aids", False)])
        self.assertEqual(groups_of(adult), [])
        self.assertEqual(groups_of(nothing_to_suggest), [])
        self.assertEqual(backfill_suggested_groups(apps), 0)  # idempotent
        self.assertEqual(VictimAmpkGroup.objects.count(), 4)

    def test_the_migration_runs_the_backfill(self) -> None:
        report = create_report(self.operator, violence_types=["penelantaran"]).report
        VictimAmpkGroup.objects.all().delete()
        migration = importlib.import_module("sigap.intake.migrations.0014_backfill_suggested_ampk_groups")
        migration.backfill(apps, None)
        self.assertEqual(groups_of(report), [(0, "perlakuan_salah", True)])

    def test_the_report_page_shows_a_suggestion_as_such(self) -> None:
        report = create_report(self.operator, violence_types=["fisik"]).report
        self.login(self.operator)
        page = self.client.get(reverse("intake:report_detail", args=[report.pk]))
        self.assertContains(page, "Anak korban kekerasan fisik dan/atau psikis (usulan SIGAP)")


class PublicAccommodationTests(SigapTestCase):
    def test_the_public_form_offers_accommodations_in_plain_words_none_ticked(self) -> None:
        page = self.client.get(reverse("intake:public_report")).content.decode()
        self.assertIn("Juru bahasa isyarat (penerjemah bahasa isyarat)", page)
        self.assertIn("Pendamping yang biasa membantu korban", page)
        tags = [t.split(">")[0] for t in page.split("<input")[1:] if 'name="victims-0-accommodations"' in t]
        self.assertTrue(tags)
        self.assertFalse([t for t in tags if "checked" in t])
        self.assertNotIn("tenaga_ahli", page)

    def test_accommodations_from_the_public_are_stored_and_shown_to_staff(self) -> None:
        data = report_form_data(public=True)
        data["victims-0-accommodations"] = ["juru_bahasa_isyarat", "pendamping_disabilitas"]
        response = self.client.post(reverse("intake:public_report"), data)
        self.assertEqual(response.status_code, 200)
        report = Report.objects.get()
        victim = report.victims.get()
        self.assertTrue(victim.disability)  # naming what a disability needs says there is one
        self.assertEqual(sorted(VictimAccommodation.objects.values_list("kind", flat=True)),
                         ["juru_bahasa_isyarat", "pendamping_disabilitas"])
        self.login(self.operator)
        page = self.client.get(reverse("intake:report_detail", args=[report.pk]))
        self.assertContains(page, "Juru bahasa isyarat")
        self.assertContains(page, "Pendamping disabilitas")

    def test_a_public_report_without_accommodations_stores_none_and_no_disability(self) -> None:
        self.client.post(reverse("intake:public_report"), report_form_data(public=True))
        self.assertFalse(Report.objects.get().victims.get().disability)
        self.assertFalse(VictimAccommodation.objects.exists())
