"""The first week's rough edges: the language menu, English slips, dates the browser accepts, Buka kasus."""

from __future__ import annotations

from sigap.intake.tests.factories import create_report
from sigap.lib.testing import SigapTestCase


class RoughEdgeTests(SigapTestCase):
    def test_the_language_menu_names_english_in_english(self) -> None:
        page = self.client.get("/")
        self.assertContains(page, '<option value="en">English</option>', html=True)
        self.assertNotContains(page, "Inggris")

    def test_english_report_title_and_partner_directory(self) -> None:
        submitted = create_report(self.operator)
        client = self.login(self.manager)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        page = client.get(f"/pengaduan/laporan/{submitted.report.pk}/")
        self.assertContains(page, f"Report {submitted.registration_number}")
        self.assertNotContains(page, f"Reports {submitted.registration_number}")
        self.assertContains(client.get("/staf/"), ">Partners</a>")

    def test_the_campaign_date_is_prefilled_in_the_format_a_date_input_takes(self) -> None:
        import re

        page = self.login(self.manager).get("/sosialisasi/pamflet/").content.decode()
        value = re.search(r'<input type="date" name="started_on" value="([^"]*)"', page)
        assert value is not None
        self.assertRegex(value.group(1), r"^\d{4}-\d{2}-\d{2}$")

    def test_buka_kasus_from_the_report_page_ticks_it_on_the_awaiting_list(self) -> None:
        submitted = create_report(self.operator)
        pk = submitted.report.pk
        page = self.login(self.operator).get(f"/pengaduan/laporan/{pk}/")
        self.assertContains(page, 'id="open-case"')
        awaiting = self.client.get(f"/kasus/laporan-menunggu/?pilih={pk}")
        self.assertContains(awaiting, f'value="{pk}" id="report-{pk}" checked')
