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


class DateStyleTests(SigapTestCase):
    """One date style per context: short in tables and lists, long in sentences and documents."""

    # Patterns a template may still spell out: month headings, months in filters, a time of day, a weekday,
    # a day number in a month grid, the audit log's seconds, and the machine-readable forms.
    ALLOWED = {
        "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "DATE_FORMAT", "DATETIME_FORMAT",
        "F Y", "m-Y", "H:i", "D", "j", "l, d-m-Y", "l, d-m-Y H:i", "l, j F Y", "d-m-Y H:i:s", "c", "Y-m-d", "Y-m", "Y",
    }

    def test_templates_name_their_date_style(self) -> None:
        import re
        from pathlib import Path

        import sigap

        root = Path(sigap.__file__).parent
        found: dict[str, list[str]] = {}
        for template in root.rglob("*.html"):
            for pattern in re.findall(r"""\|date:["']([^"']*)["']""", template.read_text()):
                if pattern not in self.ALLOWED:
                    found.setdefault(pattern, []).append(str(template.relative_to(root)))
        self.assertEqual(found, {}, "use a named format (SHORT_DATETIME_FORMAT, DATE_FORMAT, ...): sigap/formats")

    def test_python_texts_name_their_date_style(self) -> None:
        """A date put into a sentence or a list by Python code uses a named style too (formats.date_format)."""
        import re
        from pathlib import Path

        import sigap

        root = Path(sigap.__file__).parent
        spelled = re.compile(r"""strftime\(\s*["'][^"']*%d[^"']*%[YmBb]""")
        found = [
            str(path.relative_to(root))
            for path in root.rglob("*.py")
            if "tests" not in path.parts and "migrations" not in path.parts and spelled.search(path.read_text())
        ]
        self.assertEqual(found, [], "use formats.date_format(value, \"SHORT_DATE_FORMAT\") or DATE_FORMAT")

    def test_the_named_styles_in_each_language(self) -> None:
        import datetime

        from django.utils import formats, translation

        moment = datetime.datetime(2026, 12, 4, 13, 5, tzinfo=datetime.UTC)
        with translation.override("id"):
            self.assertEqual(formats.date_format(moment, "SHORT_DATETIME_FORMAT"), "04-12-2026 13:05")
            self.assertEqual(formats.date_format(moment, "DATE_FORMAT"), "4 Desember 2026")
            self.assertEqual(formats.date_format(moment, "DATETIME_FORMAT"), "4 Desember 2026 13:05")
        with translation.override("en"):
            self.assertEqual(formats.date_format(moment, "SHORT_DATE_FORMAT"), "04-12-2026")
            self.assertEqual(formats.date_format(moment, "DATE_FORMAT"), "4 December 2026")

    def test_the_report_list_shows_the_short_style(self) -> None:
        import re

        create_report(self.operator)
        page = self.login(self.operator).get("/pengaduan/laporan/").content.decode()
        self.assertRegex(page, r"\b\d{2}-\d{2}-\d{4} \d{2}:\d{2}\b")
        self.assertIsNone(re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des)\.? \d{4}\b", page))
