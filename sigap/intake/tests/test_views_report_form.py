"""The staff report form: one page, server-validated, nothing saved on error, numbers shown once."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from sigap.intake import prefill
from sigap.intake.models import (
    ChronologyEvent,
    Contact,
    IdempotencyRecord,
    Perpetrator,
    Report,
    ReporterIdentity,
    ReportLink,
    Victim,
)
from sigap.intake.tests.factories import OTHER_DISTRICT_DESA, VICTIM_NIK, create_report
from sigap.intake.tests.form_data import management, report_form_data
from sigap.lib.testing import DESA_A, DESA_B, SigapTestCase
from sigap.vault.models import AuditEntry

URL = reverse("intake:report_new")


def saved_nothing() -> bool:
    return not (
        Report.objects.exists() or ReporterIdentity.objects.exists() or Victim.objects.exists()
        or ChronologyEvent.objects.exists() or Perpetrator.objects.exists()
    )


class ReportFormAccessTests(SigapTestCase):
    def test_only_those_who_file_reports_reach_the_form(self) -> None:
        self.assertAllowedOnly("get", URL, [self.manager, self.case_worker, self.operator])

    def test_volunteers_have_their_own_form(self) -> None:
        self.assertAllowedOnly("get", reverse("intake:volunteer_report_new"), [self.volunteer_a, self.volunteer_b])


class ReportFormTests(SigapTestCase):
    def setUp(self) -> None:
        self.login(self.operator)

    def test_form_offers_the_deployments_desa_grouped_by_kecamatan(self) -> None:
        page = self.client.get(URL)
        self.assertContains(page, "<optgroup", html=False)
        self.assertContains(page, f'value="{DESA_A}"')
        self.assertNotContains(page, f'value="{OTHER_DISTRICT_DESA}"')
        self.assertContains(page, "Kode desa lain")
        # one empty row of each kind, and a way to add more without JavaScript
        for kind in ("victims", "perpetrators", "chronology"):
            self.assertContains(page, f'name="{kind}-TOTAL_FORMS" value="1"', html=False)
            self.assertContains(page, f'name="add" value="{kind}"')
        # sexual-violence forms are on the page (JavaScript only hides them)
        self.assertContains(page, 'value="kbgo"')

    def test_full_report_is_saved_and_numbers_pin_risk_and_deadline_are_shown(self) -> None:
        data = report_form_data(**{
            "violence_types": ["seksual", "psikis"],
            "sexual_violence_forms": ["pelecehan_fisik"],
            "perpetrators-0-lives_with_victim": "on",
            **management("perpetrators", 2),
            "perpetrators-1-name": "Orang Kedua",
            "perpetrators-1-relation": "keluarga",
            **management("chronology", 2),
            "chronology-1-date": "01/02/2025",
            "chronology-1-desa": "lain",
            "chronology-1-desa_other": OTHER_DISTRICT_DESA,
            "chronology-1-description": "Kejadian sebelumnya.",
        })
        response = self.client.post(URL, data)
        self.assertEqual(response.status_code, 200, getattr(response.context.get("entry"), "error_list", None))
        report = Report.objects.get()
        self.assertContains(response, report.registration_number)
        self.assertContains(response, "Kode pelacakan")
        self.assertContains(response, "PIN")
        self.assertContains(response, "Tinggi")
        self.assertContains(response, "Anak korban kekerasan seksual")
        self.assertContains(response, "Batas waktu respons")
        self.assertEqual(report.channel, "telepon")
        self.assertEqual(report.submitted_by, self.operator)
        self.assertEqual(report.perpetrators.count(), 2)
        events = list(report.events.order_by("when"))
        self.assertEqual(len(events), 2)
        self.assertEqual(events[0].desa_id, OTHER_DISTRICT_DESA)
        # no hour given: stored as "time not known", not as an approximate 00:00
        self.assertFalse(events[0].time_known)
        self.assertFalse(events[0].approximate)
        self.assertTrue(events[1].time_known)
        self.assertIn("jam tidak diketahui", events[0].when_display())
        self.assertEqual(sorted(report.violence.values_list("violence_type", flat=True)), ["psikis", "seksual"])
        self.assertEqual(list(report.sexual_forms.values_list("form", flat=True)), ["pelecehan_fisik"])
        assert report.reporter is not None
        self.assertEqual(report.reporter.name, "Budi Contoh")
        # the PIN is shown in the page and nowhere stored in the clear
        pin = response.context["submitted"].pin
        self.assertContains(response, pin)
        self.assertNotIn(pin, str(list(Report.objects.values())))

    def test_untouched_extra_rows_are_ignored(self) -> None:
        data = report_form_data(**management("victims", 3), **management("chronology", 3),
                                **{"victims-2-desa": DESA_B, "chronology-2-desa": DESA_A})
        self.client.post(URL, data)
        report = Report.objects.get()
        self.assertEqual(report.victims.count(), 1)
        self.assertEqual(report.events.count(), 1)

    def test_bad_input_rerenders_with_indonesian_errors_next_to_fields_and_saves_nothing(self) -> None:
        data = report_form_data(**{
            "reporter-name": "",
            "victims-0-sex": "",
            "victims-0-age": "",
            "victims-0-desa": "",
            "chronology-0-date": "2999-01-01",
            "chronology-0-description": "",
            "violence_types": [],
            "sexual_violence_forms": ["kbgo"],
            "consent_process": "",
        })
        response = self.client.post(URL, data)
        self.assertEqual(response.status_code, 400)
        for message in (
            "Laporan belum tersimpan",
            "Isi nama pelapor, atau tandai bahwa pelapor tidak bersedia memberi identitas.",
            "Isi tanggal lahir atau perkiraan usia korban.",
            "Waktu kejadian tidak boleh di masa depan.",
            "Uraikan apa yang terjadi.",
            "Wajib diisi.",
        ):
            self.assertContains(response, message, status_code=400)
        entry = response.context["entry"]
        self.assertIn("sex", entry.victims.forms[0].errors)
        self.assertIn("desa", entry.victims.forms[0].errors)
        self.assertIn("date", entry.events.forms[0].errors)
        self.assertIn("violence_types", entry.details.errors)
        self.assertIn("consent_process", entry.details.errors)
        self.assertIn("name", entry.reporter.errors)
        # what was typed is kept
        self.assertContains(response, "Siti Contoh", status_code=400)
        self.assertTrue(saved_nothing())

    def test_sexual_forms_without_sexual_violence_are_refused(self) -> None:
        response = self.client.post(URL, report_form_data(sexual_violence_forms=["kbgo"]))
        self.assertContains(response, "Bentuk kekerasan seksual hanya diisi bila", status_code=400)
        self.assertTrue(saved_nothing())

    def test_declined_identity_is_taken_and_flagged(self) -> None:
        data = report_form_data(**{"reporter-declined_identity": "on", "reporter-name": "",
                                   "reporter-phone": "", "reporter-address": "",
                                   "reporter-declined_reason": "Takut diketahui keluarga."})
        self.client.post(URL, data)
        report = Report.objects.get()
        self.assertTrue(report.reporter_declined_identity)
        self.assertTrue(report.needs_follow_up)
        self.assertIsNone(report.reporter)

    def test_add_another_victim_rerenders_with_one_more_row_and_saves_nothing(self) -> None:
        data = report_form_data(add="victims")
        response = self.client.post(URL, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="victims-TOTAL_FORMS" value="2"', html=False)
        self.assertContains(response, 'name="victims-1-name"')
        self.assertContains(response, "Siti Contoh")
        self.assertNotContains(response, "Laporan belum tersimpan")
        self.assertTrue(saved_nothing())

    def test_dates_typed_day_first_are_understood(self) -> None:
        self.client.post(URL, report_form_data(**{"victims-0-age": "", "victims-0-birth_date": "01/01/2014",
                                                   "chronology-0-time": "19.30"}))
        victim = Victim.objects.get()
        self.assertEqual(str(victim.birth_date), "2014-01-01")
        self.assertEqual(timezone.localtime(victim.report.events.get().when).strftime("%H:%M"), "19:30")

    def test_a_double_submit_creates_one_report_and_shows_the_same_numbers(self) -> None:
        data = report_form_data()
        first = self.client.post(URL, data)
        second = self.client.post(URL, data)
        self.assertEqual(Report.objects.count(), 1)
        self.assertEqual(first.context["submitted"].pin, second.context["submitted"].pin)
        self.assertContains(second, "sudah terkirim sebelumnya")

    def test_a_forged_token_saves_nothing_and_asks_once_more(self) -> None:
        response = self.client.post(URL, report_form_data(form_token="palsu"))
        self.assertContains(response, "kedaluwarsa", status_code=400)
        self.assertTrue(saved_nothing())
        fresh = response.context["form_token"]
        self.client.post(URL, report_form_data(form_token=fresh))
        self.assertEqual(Report.objects.count(), 1)

    def test_tampered_row_counts_do_not_break_the_form(self) -> None:
        for total in ("-1", "abc", "100000", ""):
            response = self.client.post(URL, report_form_data(**{"victims-TOTAL_FORMS": total}))
            self.assertIn(response.status_code, (200, 400))
        self.assertLessEqual(Report.objects.count(), 4)

    def test_possible_duplicates_are_shown_with_a_link_action_that_needs_a_reason(self) -> None:
        earlier = create_report(self.operator).report
        response = self.client.post(URL, report_form_data(**{"reporter-phone": "0812-0000-1111"}))
        self.assertContains(response, "Kemungkinan laporan yang sama")
        self.assertContains(response, earlier.registration_number)
        self.assertContains(response, "Nomor telepon pelapor sama")
        new = Report.objects.exclude(pk=earlier.pk).get()
        link_url = reverse("intake:report_link", args=[new.pk])
        refused = self.client.post(link_url, {"other": earlier.pk, "reason": ""})
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(ReportLink.objects.exists())
        self.client.post(link_url, {"other": earlier.pk, "reason": "Penelepon yang sama, kejadian sama."})
        link = ReportLink.objects.get()
        self.assertEqual({link.report_id, link.other_id}, {earlier.pk, new.pk})

    def test_duplicate_by_victim_nik_is_found(self) -> None:
        create_report(self.operator, victims=[{**_victim(), "nik": VICTIM_NIK}])
        response = self.client.post(URL, report_form_data(**{"victims-0-nik": VICTIM_NIK,
                                                              "reporter-phone": "0813-1111-2222"}))
        self.assertContains(response, "NIK korban sama")


def _victim() -> dict[str, Any]:
    from sigap.intake.tests.factories import report_payload

    victim: dict[str, Any] = report_payload()["victims"][0]
    return victim


class ContactAndPrefillTests(SigapTestCase):
    def setUp(self) -> None:
        self.login(self.operator)

    def _contact(self, by: Any, **extra: Any) -> Contact:
        return Contact.objects.create(channel="whatsapp", operator=by, outcome="laporan_baru", **extra)

    def test_report_is_attached_to_the_recorded_contact(self) -> None:
        contact = self._contact(self.operator)
        page = self.client.get(URL, {"contact": contact.pk})
        self.assertContains(page, 'value="whatsapp" selected')
        data = report_form_data(contact=str(contact.pk), channel="whatsapp")
        self.client.post(URL, data)
        contact.refresh_from_db()
        self.assertEqual(contact.report, Report.objects.get())

    def test_unknown_forbidden_or_used_contact_ids_are_ignored(self) -> None:
        case_worker_contact = self._contact(self.case_worker)
        used = self._contact(self.operator, report=create_report(self.operator).report)
        self.login(self.case_worker)
        for value in ("999999", "abc", "-1", "99999999999999999999999", str(used.pk)):
            page = self.client.get(URL, {"contact": value})
            self.assertEqual(page.status_code, 200)
            self.assertNotContains(page, 'name="contact"')
        # a case worker may not take over another's contact (they do not manage reports)
        own = self._contact(self.operator)
        page = self.client.get(URL, {"contact": own.pk})
        self.assertNotContains(page, 'name="contact"')
        self.assertContains(self.client.get(URL, {"contact": case_worker_contact.pk}), 'name="contact"')

    def test_registered_prefill_source_fills_channel_description_and_contact(self) -> None:
        contact = self._contact(self.operator)
        calls: list[tuple[str, Any]] = []

        def fake(object_id: str, user: Any) -> dict[str, Any] | None:
            calls.append((object_id, user))
            if object_id == "7":
                return {"channel": "sms", "description": "Pesan pertama dari pengirim.", "contact": contact.pk}
            if object_id == "8":
                raise RuntimeError("broken source")
            return None

        original = dict(prefill._REGISTRY)
        prefill.register_prefill("uji", fake)
        try:
            page = self.client.get(URL, {"uji": "7"})
            self.assertContains(page, 'value="sms" selected')
            self.assertContains(page, "Pesan pertama dari pengirim.")
            self.assertContains(page, f'name="contact" value="{contact.pk}"')
            for bad in ("8", "9", "x" * 200):
                page = self.client.get(URL, {"uji": bad})
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, 'name="contact"')
        finally:
            prefill._REGISTRY.clear()
            prefill._REGISTRY.update(original)
        self.assertEqual(calls[0], ("7", self.operator))

    def test_the_conversation_source_name_is_open_for_registration(self) -> None:
        # Nothing registered, or a real conversation module: either way an unknown id is ignored.
        page = self.client.get(URL, {"conversation": "123456789"})
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="contact"')


class AuditAndSecrecyTests(SigapTestCase):
    def test_submission_is_audited_and_the_pin_never_reaches_the_log(self) -> None:
        self.login(self.operator)
        response = self.client.post(URL, report_form_data())
        pin = response.context["submitted"].pin
        actions = list(AuditEntry.objects.values_list("action", flat=True))
        self.assertIn("intake.report_created", actions)
        self.assertFalse(AuditEntry.objects.filter(reason__contains=pin).exists())
        record = IdempotencyRecord.objects.get()
        self.assertEqual(record.user, self.operator)
