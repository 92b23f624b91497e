from __future__ import annotations

from unittest import mock

from django.test import Client, override_settings

from sigap.lib.testing import SigapTestCase
from sigap.outreach import seams
from sigap.outreach.models import Campaign, PressRelease, ReleaseStatus
from sigap.vault.models import AuditEntry


@override_settings(SIGAP_PRESS_CONTACT="Humas Dinas PPPA", SIGAP_PRESS_EMAIL="humas@example.org")
class MediaKitTests(SigapTestCase):
    def setUp(self) -> None:
        self.campaign = Campaign.objects.create(slug="pamflet-2025", name="Pamflet 2025", created_by=self.manager)

    def test_public_page_has_numbers_guidance_contact_and_no_village_contacts(self) -> None:
        page = Client().get("/pers/")
        for text in ("0812 7185 7372", "UU 11/2012", "Pasal 19", "Humas Dinas PPPA", "humas@example.org",
                     "Kami akan merahasiakan identitas pelapor dan melindunginya"):
            self.assertContains(page, text)
        png = Client().get("/pers/pamflet/png/")
        self.assertEqual((png.status_code, png["Content-Type"]), (200, "image/png"))
        self.assertEqual(Client().get("/pers/pamflet/a4/")["Content-Type"], "application/pdf")
        self.assertEqual(Client().get("/pers/pamflet/svg/").status_code, 404)

    def test_figures_come_from_the_statistics_seam_when_it_exists(self) -> None:
        with mock.patch.object(seams, "public_figures", return_value=None), \
                mock.patch("sigap.outreach.views.public_figures", return_value=None):
            self.assertContains(Client().get("/pers/"), "akan tersedia di sini")
        with mock.patch("sigap.outreach.views.public_figures", return_value={"laporan tahun ini": 27}):
            self.assertContains(Client().get("/pers/"), "laporan tahun ini")

    def test_press_release_is_public_only_after_the_manager_approves_it(self) -> None:
        self.assertAllowedOnly("get", "/sosialisasi/siaran-pers/", [self.manager, self.data_officer])
        drafting = self.login(self.data_officer)
        prefilled = drafting.get(f"/sosialisasi/siaran-pers/?kampanye={self.campaign.pk}")
        self.assertContains(prefilled, "Pasal 19")
        bad = drafting.post("/sosialisasi/siaran-pers/", {"campaign": self.campaign.pk, "title": "", "body": ""})
        self.assertEqual(bad.status_code, 400)
        drafting.post("/sosialisasi/siaran-pers/", {"campaign": self.campaign.pk, "title": "Hotline untuk semua desa",
                                                    "body": "Isi siaran."})
        release = PressRelease.objects.get()
        self.assertEqual(release.status, ReleaseStatus.DRAFT)
        self.assertIn("desa", release.figures)
        self.assertEqual(Client().get(f"/pers/siaran/{release.pk}/").status_code, 404)
        self.assertNotContains(Client().get("/pers/"), "Hotline untuk semua desa")

        self.assertAllowedOnly("post", f"/sosialisasi/siaran-pers/{release.pk}/setujui/", [self.manager])
        release.refresh_from_db()
        self.assertEqual((release.status, release.approved_by), (ReleaseStatus.APPROVED, self.manager))
        self.assertContains(Client().get("/pers/"), "Hotline untuk semua desa")
        self.assertContains(Client().get(f"/pers/siaran/{release.pk}/"), "Isi siaran.")
        self.assertTrue(AuditEntry.objects.filter(action="outreach.press_release_approved").exists())

        # Editing takes it down until approved again; withdrawing takes it down too.
        drafting.post(f"/sosialisasi/siaran-pers/{release.pk}/", {"title": "Judul baru", "body": "Isi baru."})
        self.assertEqual(Client().get(f"/pers/siaran/{release.pk}/").status_code, 404)
        manager = self.login(self.manager)
        manager.post(f"/sosialisasi/siaran-pers/{release.pk}/setujui/")
        manager.post(f"/sosialisasi/siaran-pers/{release.pk}/tarik/")
        self.assertEqual(Client().get(f"/pers/siaran/{release.pk}/").status_code, 404)
