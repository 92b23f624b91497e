"""Consent is an explicit act (UU PDP): no form offers a consent already given."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from sigap.cases.forms import ReferralForm
from sigap.intake.forms import MODES, PUBLIC, ReportEntry
from sigap.lib.testing import SigapTestCase


def consent_fields(form: forms.Form) -> dict[str, forms.BoundField]:
    return {name: form[name] for name in form.fields if "consent" in name}


class ConsentDefaultTests(SigapTestCase):
    def test_every_consent_of_every_report_form_starts_unticked_and_says_what_it_means(self) -> None:
        for mode in MODES:
            with self.subTest(mode=mode):
                fields = consent_fields(ReportEntry(mode=mode).details)
                self.assertEqual(
                    set(fields), {"consent_process", "consent_refer", "consent_police", "consent_statistics"}
                )
                for name, bound in fields.items():
                    self.assertIn(bound.value(), (None, False, ""), f"{mode}: {name} starts given")
                    self.assertTrue(str(bound.help_text).strip(), f"{mode}: {name} has no plain sentence")

    def test_the_referral_consent_starts_unticked(self) -> None:
        form = ReferralForm()
        self.assertIn(form["consent"].value(), (None, False))

    def test_no_consent_box_is_checked_on_the_rendered_pages(self) -> None:
        pages = [(None, reverse("intake:public_report")), (self.operator, reverse("intake:report_new")),
                 (self.volunteer_a, reverse("intake:volunteer_report_new"))]
        for user, url in pages:
            with self.subTest(url=url):
                if user is not None:
                    self.login(user)
                body = self.client.get(url).content.decode()
                for name in ("consent_process", "consent_refer", "consent_police", "consent_statistics"):
                    tags = [t for t in body.split("<input")[1:] if f'name="{name}"' in t.split(">")[0]]
                    self.assertTrue(tags, f"{name} missing on {url}")
                    for tag in tags:
                        self.assertNotIn("checked", tag.split(">")[0], f"{name} pre-ticked on {url}")

    def test_a_report_without_the_statistics_tick_is_stored_without_statistics_consent(self) -> None:
        from sigap.intake.models import Report
        from sigap.intake.tests.form_data import report_form_data

        response = self.client.post(reverse("intake:public_report"),
                                    report_form_data(public=True, consent_statistics=None))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Report.objects.get().consent_statistics)
        self.assertEqual(PUBLIC, "public")


class WordsTests(SigapTestCase):
    def test_home_and_lapor_say_identity_helps_and_anonymous_reports_are_accepted(self) -> None:
        for url in (reverse("core:public_home"), reverse("intake:public_report")):
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertContains(page, "membantu kami menindaklanjuti laporan")
                self.assertContains(page, "tanpa nama (anonim) juga diterima")
                self.assertNotContains(page, "Petugas akan menanyakan identitas Anda")

    def test_english_calls_kecamatan_sub_district_and_kabupaten_regency(self) -> None:
        from django.utils import translation

        with translation.override("en"):
            self.assertEqual(translation.gettext("Kecamatan"), "Sub-district")
            self.assertEqual(translation.gettext("Semua kecamatan"), "All sub-districts")
            self.assertEqual(translation.gettext("Kabupaten/Kota"), "Regency/City")
            self.assertIn("regency", translation.gettext("Desa di luar kabupaten?"))
