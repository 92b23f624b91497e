from __future__ import annotations

from django.test import Client

from sigap.lib.testing import SigapTestCase


class PublicPageTests(SigapTestCase):
    def test_public_home_shows_hotline_emergency_numbers_and_quick_exit(self) -> None:
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        for text in ("0812 7185 7372", "tel:110", "tel:129", "Keluar cepat", 'id="quick-exit"',
                     "merahasiakan identitas pelapor", "https://wa.me/6281271857372"):
            self.assertContains(response, text)
        self.assertContains(response, '<html lang="id">')

    def test_public_home_links_to_the_online_form_and_to_tracking(self) -> None:
        response = self.client.get("/")
        self.assertContains(response, 'href="/lapor"')
        self.assertContains(response, 'href="/lacak"')
        self.assertContains(response, "Lapor online")
        self.assertContains(response, "Lacak laporan")

    def test_favicon_is_served_not_a_404(self) -> None:
        self.assertContains(self.client.get("/"), 'rel="icon"')
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(self.client.get(response["Location"]).status_code, 200)

    def test_quick_exit_signs_staff_out_and_leaves_for_the_neutral_site(self) -> None:
        from django.conf import settings

        self.login(self.operator)
        page = self.client.get("/staf/")
        self.assertContains(page, 'action="/akun/keluar/cepat/"')
        response = self.client.post("/akun/keluar/cepat/")
        self.assertRedirects(response, settings.SIGAP_QUICK_EXIT_URL, fetch_redirect_response=False)
        self.assertRedirects(self.client.get("/staf/"), "/akun/masuk/?next=/staf/")
        # A GET cannot sign anyone out (an image on another site could do it).
        self.login(self.operator)
        self.assertEqual(self.client.get("/akun/keluar/cepat/").status_code, 405)
        self.assertEqual(self.client.get("/staf/").status_code, 200)

    def test_quick_exit_works_before_the_second_factor(self) -> None:
        self.login(self.manager, verified=False)
        self.assertEqual(self.client.post("/akun/keluar/cepat/").status_code, 302)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_security_headers_on_every_response(self) -> None:
        for url in ("/", "/akun/masuk/", "/healthz", "/api/v1/regions/18.11"):
            response = self.client.get(url)
            self.assertIn("default-src 'self'", response["Content-Security-Policy"], url)
            self.assertEqual(response["X-Frame-Options"], "DENY", url)
            self.assertEqual(response["Referrer-Policy"], "same-origin", url)
            self.assertEqual(response["X-Content-Type-Options"], "nosniff", url)

    def test_authenticated_pages_are_not_cached(self) -> None:
        self.login(self.operator)
        self.assertEqual(self.client.get("/staf/")["Cache-Control"], "no-store")

    def test_healthz_answers_json_when_the_database_answers(self) -> None:
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "ok"})

    def test_visitor_can_switch_the_public_page_to_english(self) -> None:
        response = self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        page = self.client.get("/")
        self.assertContains(page, '<html lang="en">')
        self.assertContains(page, "Quick exit")
        self.assertContains(page, "You are not alone.")
        self.assertNotContains(page, "Keluar cepat")

    def test_unknown_page_is_a_friendly_404(self) -> None:
        response = self.client.get("/tidak-ada/")
        self.assertContains(response, "Halaman tidak ditemukan", status_code=404)


class StaffHomeTests(SigapTestCase):
    def test_every_signed_in_role_reaches_home_and_anonymous_is_sent_to_login(self) -> None:
        self.assertAllowedOnly("get", "/staf/", self.everyone)
        response = Client().get("/staf/")
        self.assertRedirects(response, "/akun/masuk/?next=/staf/", fetch_redirect_response=False)

    def test_navigation_follows_the_role(self) -> None:
        self.login(self.admin)
        self.assertContains(self.client.get("/staf/"), "/akun/pengguna/")
        self.login(self.operator, client=Client())
        client = self.login(self.operator, client=Client())
        self.assertNotContains(client.get("/staf/"), "/akun/pengguna/")
