"""AMPK groups, TPKS Pasal 4 ayat 2 forms, disability types and accommodations, perpetrator details (issue 14)."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import timezone

from sigap.intake.ampk import suggest_ampk_groups
from sigap.intake.api import issue_token
from sigap.intake.codes import AmpkGroup, SexualViolenceForm
from sigap.intake.models import (
    Perpetrator,
    Report,
    VictimAccommodation,
    VictimAmpkGroup,
    VictimDisability,
)
from sigap.intake.tests.factories import adult_victim, create_report, report_payload
from sigap.intake.tests.form_data import report_form_data
from sigap.lib.testing import SigapTestCase


class LawListTests(SimpleTestCase):
    def test_the_fifteen_groups_of_pasal_59_ayat_2(self) -> None:
        self.assertEqual(len(AmpkGroup.values), 15)
        self.assertEqual(AmpkGroup.KEJAHATAN_SEKSUAL.label, "Anak korban kejahatan seksual")
        self.assertEqual(AmpkGroup.values[0], "situasi_darurat")
        self.assertEqual(AmpkGroup.values[-1], "stigmatisasi")

    def test_tpks_pasal_4_ayat_1_and_2(self) -> None:
        self.assertEqual(len(SexualViolenceForm.values), 9 + 12)  # ayat 2 huruf c split in three
        self.assertIn("perkosaan", SexualViolenceForm.values)
        self.assertIn("tppu_asal_tpks", SexualViolenceForm.values)

    def test_suggestions_follow_the_violence_types(self) -> None:
        self.assertEqual(suggest_ampk_groups(["seksual", "fisik"], ["pornografi"], disability=True),
                         ["pornografi", "kekerasan_fisik_psikis", "kejahatan_seksual", "disabilitas"])
        self.assertEqual(suggest_ampk_groups(["trafficking", "penelantaran"]),
                         ["penculikan_perdagangan", "perlakuan_salah"])
        self.assertEqual(suggest_ampk_groups(["lainnya"]), [])


class SubmitCategoriesTests(SigapTestCase):
    def test_a_rape_of_a_child_is_recorded_as_such_with_suggested_groups(self) -> None:
        report = create_report(self.operator, violence_types=["seksual", "fisik"],
                               sexual_violence_forms=["persetubuhan_anak"]).report
        self.assertEqual(list(report.sexual_forms.values_list("form", flat=True)), ["persetubuhan_anak"])
        self.assertEqual(sorted(VictimAmpkGroup.objects.values_list("group", flat=True)),
                         ["kejahatan_seksual", "kekerasan_fisik_psikis"])

    def test_chosen_groups_replace_the_suggestion_and_adults_get_none(self) -> None:
        child = dict(report_payload()["victims"][0], ampk_groups=["berhadapan_hukum", "hiv_aids"])
        create_report(self.operator, victims=[child, adult_victim()], violence_types=["fisik"])
        self.assertEqual(sorted(VictimAmpkGroup.objects.values_list("group", flat=True)),
                         ["berhadapan_hukum", "hiv_aids"])

    def test_groups_for_an_adult_and_child_only_forms_without_a_child_are_refused(self) -> None:
        from sigap.intake.validation import ReportInvalid

        with self.assertRaises(ReportInvalid) as caught:
            create_report(self.operator, victims=[adult_victim(ampk_groups=["terorisme"])],
                          violence_types=["seksual"], sexual_violence_forms=["cabul_anak"])
        self.assertIn("victims.0.ampk_groups", caught.exception.fields)
        self.assertIn("sexual_violence_forms", caught.exception.fields)
        self.assertEqual(Report.objects.count(), 0)

    def test_disability_types_and_accommodations_are_rows_and_imply_disability(self) -> None:
        victim = adult_victim(disability=False, disability_types=["sensorik", "intelektual"],
                              accommodations=["juru_bahasa_isyarat", "pendamping_disabilitas"])
        report = create_report(self.operator, victims=[victim]).report
        stored = report.victims.get()
        self.assertTrue(stored.disability)
        self.assertIn("disability", report.risk_reasons)
        self.assertEqual(sorted(VictimDisability.objects.values_list("kind", flat=True)), ["intelektual", "sensorik"])
        self.assertEqual(sorted(VictimAccommodation.objects.values_list("kind", flat=True)),
                         ["juru_bahasa_isyarat", "pendamping_disabilitas"])
        self.login(self.operator)
        page = self.client.get(reverse("intake:report_detail", args=[report.pk])).content.decode()
        self.assertIn("Disabilitas sensorik (netra, rungu, wicara)", page)
        self.assertIn("Juru bahasa isyarat", page)

    def test_accommodations_without_a_disability_and_repeated_codes_are_refused(self) -> None:
        from sigap.intake.validation import ReportInvalid

        for victim, path in (
            (adult_victim(accommodations=["aksesibilitas"]), "victims.0.accommodations"),
            (adult_victim(disability_types=["fisik", "fisik"]), "victims.0.disability_types"),
        ):
            with self.assertRaises(ReportInvalid) as caught:
                create_report(self.operator, victims=[victim])
            self.assertIn(path, caught.exception.fields)
        self.assertEqual(Report.objects.count(), 0)

    def test_perpetrator_age_education_and_occupation(self) -> None:
        born = timezone.localdate() - datetime.timedelta(days=365 * 16 + 100)
        report = create_report(self.operator, perpetrators=[
            {"relation": "tetangga", "sex": "L", "birth_date": born.isoformat(), "education": "sltp",
             "occupation": "pelajar"},
            {"relation": "orang_tua", "sex": "L", "age": 45, "education": "slta", "occupation": "swasta_buruh"},
        ]).report
        young, adult = report.perpetrators.order_by("position")
        self.assertEqual((young.age_at_incident, young.age_group, young.is_child), (16, "13-17", True))
        self.assertEqual((adult.age_at_incident, adult.is_child, adult.education, adult.occupation),
                         (45, False, "slta", "swasta_buruh"))
        self.assertEqual(young.birth_date, born)
        self.login(self.operator)
        page = self.client.get(reverse("intake:report_detail", args=[report.pk])).content.decode()
        self.assertIn("16 tahun saat kejadian", page)
        self.assertIn("Swasta/Buruh", page)

    def test_a_perpetrator_age_that_contradicts_is_child_is_refused(self) -> None:
        from sigap.intake.validation import ReportInvalid

        for perpetrator, path in (
            ({"age": 40, "is_child": True}, "perpetrators.0.is_child"),
            ({"birth_date": "2999-01-01"}, "perpetrators.0.birth_date"),
            ({"birth_date": "1990-01-01", "age": 12}, "perpetrators.0.age"),
        ):
            with self.assertRaises(ReportInvalid) as caught:
                create_report(self.operator, perpetrators=[perpetrator])
            self.assertIn(path, caught.exception.fields)
        self.assertEqual(Perpetrator.objects.count(), 0)


class ApiAndFormTests(SigapTestCase):
    def post_api(self, body: Any) -> Any:
        return self.client.post("/api/v1/reports", body, content_type="application/json",
                                headers={"Authorization": f"Bearer {issue_token(self.operator)}"})

    def test_hostile_codes_get_a_clear_422_per_field(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"victims": [dict(adult_victim(), disability_types=["buta"])]}, "victims.0.disability_types.0"),
            ({"victims": [dict(adult_victim(), accommodations="juru_bahasa_isyarat")]}, "victims.0.accommodations"),
            ({"victims": [dict(adult_victim(), ampk_groups=["x" * 5000])]}, "victims.0.ampk_groups.0"),
            ({"perpetrators": [{"age": -1}]}, "perpetrators.0.age"),
            ({"perpetrators": [{"education": "s3"}]}, "perpetrators.0.education"),
            ({"sexual_violence_forms": ["perkosaan\x00"], "violence_types": ["seksual"]}, "sexual_violence_forms.0"),
        ]
        for overrides, path in cases:
            response = self.post_api(report_payload(**overrides))
            self.assertEqual(response.status_code, 422, overrides)
            self.assertIn(path, response.json()["error"]["fields"], response.json())
        self.assertEqual(Report.objects.count(), 0)

    def test_openapi_lists_the_new_codes(self) -> None:
        text = str(self.client.get("/api/v1/openapi.json").json())
        for code in ("stigmatisasi", "sensorik", "juru_bahasa_isyarat", "tppo_eksploitasi_seksual"):
            self.assertIn(code, text)

    def test_staff_form_records_groups_disability_precision_and_perpetrator(self) -> None:
        self.login(self.operator)
        data = report_form_data(**{
            "victims-0-disability_types": ["fisik"],
            "victims-0-accommodations": ["aksesibilitas"],
            "victims-0-ampk_groups": ["minoritas_terisolasi"],
            "chronology-0-precision": "bulan",
            "perpetrators-0-age": "15",
            "perpetrators-0-education": "sltp",
        })
        response = self.client.post(reverse("intake:report_new"), data)
        self.assertEqual(response.status_code, 200)
        report = Report.objects.get()
        self.assertEqual(list(VictimAmpkGroup.objects.values_list("group", flat=True)), ["minoritas_terisolasi"])
        self.assertEqual(list(VictimDisability.objects.values_list("kind", flat=True)), ["fisik"])
        self.assertEqual(report.events.get().precision, "bulan")
        perpetrator = report.perpetrators.get()
        self.assertEqual((perpetrator.is_child, perpetrator.education), (True, "sltp"))

    def test_staff_form_shows_a_bad_code_beside_the_field_and_saves_nothing(self) -> None:
        self.login(self.operator)
        response = self.client.post(reverse("intake:report_new"),
                                    report_form_data(**{"victims-0-accommodations": ["aksesibilitas"]}))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Akomodasi diisi bila korban penyandang disabilitas.", status_code=400)
        self.assertEqual(Report.objects.count(), 0)
