"""Issue 16 point 1: amending victims, perpetrators, places, the reporter and consents; who may not; bad input."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from sigap.accounts.roles import Role
from sigap.cases import actions as case_actions
from sigap.cases.models import Case
from sigap.cases.timeline import build
from sigap.intake.amend import amend_report, may_amend
from sigap.intake.models import (
    ChronologyEvent,
    Perpetrator,
    Report,
    ReportAmendment,
    ReportNote,
    Victim,
    VictimAmpkGroup,
)
from sigap.intake.queries import caller_history
from sigap.intake.tests.factories import adult_victim, create_report, report_payload
from sigap.intake.validation import ReportInvalid
from sigap.intake.views.amend import AmendForm
from sigap.lib.testing import DESA_A, DESA_B, SigapTestCase, create_user
from sigap.stats.models import DirtyReport
from sigap.vault.models import AuditEntry

CHILD_BIRTH = (timezone.localdate() - datetime.timedelta(days=365 * 9)).isoformat()
NEW_PHONE = "0812-7777-4321"


def amended(report: Report) -> set[str]:
    return set(ReportAmendment.objects.filter(report=report).values_list("field", flat=True))


class VictimAmendmentTests(SigapTestCase):
    def setUp(self) -> None:
        self.report = create_report(self.operator, victims=[adult_victim()]).report

    def test_adding_a_child_victim_is_recorded_and_makes_the_report_ampk_with_suggested_groups(self) -> None:
        amend_report(self.report, {"victims.add": {"name": "Dewi Contoh", "birth_date": CHILD_BIRTH, "sex": "P",
                                                   "desa": DESA_A, "nik": "1811014101160002"}},
                     by=self.operator, reason="Adik korban juga mengalami kekerasan.")
        added = Victim.objects.get(report=self.report, position=1)
        self.assertTrue(added.is_child)
        self.assertEqual(Report.objects.get(pk=self.report.pk).case_type, "AMPK")
        self.assertTrue(VictimAmpkGroup.objects.filter(victim=added).exists())
        self.assertEqual(amended(self.report), {"victims.1", "victims.1.nik"})
        row = ReportAmendment.objects.get(field="victims.1")
        self.assertEqual(row.old_value, "—")
        self.assertIn("Dewi Contoh", row.new_value)
        self.assertEqual(AuditEntry.objects.filter(action="intake.report_amended").count(), 1)
        self.assertTrue(DirtyReport.objects.filter(report_id=self.report.pk).exists())

    def test_removing_a_victim_needs_a_remaining_one_and_keeps_the_removed_details_in_the_history(self) -> None:
        with self.assertRaises(ReportInvalid) as refused:
            amend_report(self.report, {"victims.0.remove": True}, by=self.operator, reason="Salah catat.")
        self.assertIn("victims", refused.exception.fields)
        self.assertEqual(Victim.objects.filter(report=self.report).count(), 1)
        amend_report(self.report, {"victims.add": {"name": "Dewi Contoh", "age": 25, "sex": "P", "desa": DESA_B}},
                     by=self.operator, reason="Korban sebenarnya.")
        amend_report(self.report, {"victims.0.remove": True}, by=self.operator, reason="Tercatat keliru.")
        self.assertEqual(list(Victim.objects.filter(report=self.report).values_list("name", flat=True)),
                         ["Dewi Contoh"])
        removed = ReportAmendment.objects.get(field="victims.0")
        self.assertIn("Rina Contoh", removed.old_value)
        self.assertEqual((removed.new_value, removed.reason), ("—", "Tercatat keliru."))
        # The removed victim's address is kept apart, as a need-to-know detail.
        self.assertEqual(ReportAmendment.objects.get(field="victims.0.address").old_value, "Dusun Contoh")
        # The report's desa follows its first remaining victim.
        self.assertEqual(Report.objects.get(pk=self.report.pk).desa_id, DESA_B)

    def test_correcting_address_marital_status_and_nik(self) -> None:
        amend_report(self.report, {"victims.0.address": "Dusun Baru 2", "victims.0.marital_status": "kawin",
                                   "victims.0.nik": "1811014101900003"}, by=self.manager, reason="Dari KTP.")
        victim = Victim.objects.get(report=self.report)
        self.assertEqual((victim.address, victim.marital_status, victim.nik),
                         ("Dusun Baru 2", "kawin", "1811014101900003"))
        self.assertTrue(victim.nik_index)


class PerpetratorAmendmentTests(SigapTestCase):
    def setUp(self) -> None:
        self.report = create_report(self.operator, victims=[adult_victim()]).report

    def test_correcting_adding_and_removing_perpetrators(self) -> None:
        amend_report(self.report, {"perpetrators.0.name": "Joko Contoh", "perpetrators.0.relation": "suami_istri",
                                   "perpetrators.0.lives_with_victim": True},
                     by=self.operator, reason="Korban menyebut pelaku pada sesi kedua.")
        first = Perpetrator.objects.get(report=self.report, position=0)
        self.assertEqual((first.name, first.relation, first.lives_with_victim), ("Joko Contoh", "suami_istri", True))
        amend_report(self.report, {"perpetrators.add": {"name": "Tono Contoh", "relation": "tetangga", "age": 15}},
                     by=self.operator, reason="Pelaku kedua.")
        second = Perpetrator.objects.get(report=self.report, position=1)
        self.assertEqual((second.age_at_incident, second.is_child), (15, True))
        amend_report(self.report, {"perpetrators.1.remove": True}, by=self.operator, reason="Ternyata saksi.")
        self.assertEqual(Perpetrator.objects.filter(report=self.report).count(), 1)
        removed = [a for a in ReportAmendment.objects.filter(field="perpetrators.1") if a.new_value == "—"]
        self.assertIn("Tono Contoh", removed[0].old_value)
        self.assertLessEqual({"perpetrators.0.name", "perpetrators.0.relation", "perpetrators.0.lives_with_victim",
                              "perpetrators.1"}, amended(self.report))

    def test_a_child_flag_against_the_known_age_is_refused_and_nothing_changes(self) -> None:
        with self.assertRaises(ReportInvalid) as refused:
            amend_report(self.report, {"perpetrators.0.age": "40", "perpetrators.0.is_child": "ya"},
                         by=self.operator, reason="Usia pelaku.")
        self.assertIn("perpetrators.0.is_child", refused.exception.fields)
        self.assertIsNone(Perpetrator.objects.get(report=self.report).stated_age)
        self.assertFalse(ReportAmendment.objects.exists())


class PlaceAndConsentTests(SigapTestCase):
    def test_correcting_an_events_desa_and_place_keeps_the_earlier_version(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        old = ChronologyEvent.objects.get(report=report)
        amend_report(report, {"events.0.desa": DESA_B, "events.0.place": "sekolah", "consent_statistics": False,
                              "consent_process": True}, by=self.operator, reason="Desa yang benar.")
        current = ChronologyEvent.objects.current().get(report=report)
        self.assertEqual((current.desa_id, current.place, current.supersedes_id), (DESA_B, "sekolah", old.pk))
        self.assertFalse(ChronologyEvent.objects.get(pk=old.pk).is_current)
        self.assertEqual(current.description, old.description)
        self.assertEqual(amended(report), {"events.0.desa", "events.0.place", "consent_statistics"})
        self.assertFalse(Report.objects.get(pk=report.pk).consent_statistics)

    def test_a_corrected_place_keeps_an_unknown_time_unknown(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        ChronologyEvent.objects.filter(report=report).update(time_known=False)
        amend_report(report, {"events.0.place": "sekolah"}, by=self.operator, reason="Tempat yang benar.")
        current = ChronologyEvent.objects.current().get(report=report)
        self.assertEqual(current.place, "sekolah")
        self.assertFalse(current.time_known)
        self.assertIn("jam tidak diketahui", current.when_display())


class ReporterAmendmentTests(SigapTestCase):
    def setUp(self) -> None:
        self.report = create_report(self.operator, victims=[adult_victim()]).report

    def test_a_new_phone_is_sealed_in_the_history_masked_on_the_page_and_shown_only_through_a_reveal(self) -> None:
        amend_report(self.report, {"reporter.phone": NEW_PHONE, "reporter.relation": "keluarga"},
                     by=self.operator, reason="Nomor pelapor berganti.")
        row = ReportAmendment.objects.get(field="reporter.phone")
        self.assertEqual(row.new_identity, "+6281277774321")
        self.assertNotIn("7777", row.new_value)
        self.assertNotIn("7777", row.old_value)
        # The caller history finds the report under the new number.
        self.assertEqual(caller_history(NEW_PHONE, self.operator).registration_numbers,
                         [self.report.registration_number])
        url = f"/pengaduan/laporan/{self.report.pk}/"
        self.login(self.operator)
        for page in (url, url + "ubah/"):
            self.assertNotIn("7777", self.client.get(page).content.decode())
        # The operator may not reveal it.
        refused = self.client.post(url, {"vault_reveal": "1", "reveal_what": f"ubah-{row.pk}",
                                         "reason": "Ingin melihat nomor."})
        self.assertEqual(refused.status_code, 403)
        # The manager reveals it with a reason: shown in that response, audited.
        self.login(self.manager)
        shown = self.client.post(url, {"vault_reveal": "1", "reveal_what": f"ubah-{row.pk}",
                                       "reason": "Perlu menghubungi pelapor kembali."})
        self.assertIn("+6281277774321", shown.content.decode())
        self.assertTrue(AuditEntry.objects.filter(action="vault.reveal").exists())
        self.assertNotIn("+6281277774321", self.client.get(url).content.decode())

    def test_an_anonymous_report_gets_an_identity_and_is_no_longer_flagged_for_follow_up(self) -> None:
        anonymous = create_report(self.operator, victims=[adult_victim()],
                                  reporter={"declined_identity": True}).report
        self.assertTrue(anonymous.needs_follow_up)
        amend_report(anonymous, {"reporter.name": "Ani Contoh"}, by=self.operator, reason="Pelapor menelepon lagi.")
        report = Report.objects.select_related("reporter").get(pk=anonymous.pk)
        assert report.reporter is not None
        self.assertEqual(report.reporter.name, "Ani Contoh")
        self.assertFalse(report.needs_follow_up)
        self.assertEqual(ReportAmendment.objects.get(report=report, field="reporter.name").new_value,
                         "(dirahasiakan)")


class WhoMayNotAndBadInputTests(SigapTestCase):
    def test_who_may_not_amend_each_state(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        change = {"perpetrators.add": {"name": "X Contoh"}}
        for user in (self.case_worker, self.data_officer, self.volunteer_a, self.partner, self.admin):
            with self.subTest(user.username), self.assertRaises(PermissionDenied):
                amend_report(report, change, by=user, reason="Coba.")
        case = case_actions.open_case([report], by=self.operator)
        case_actions.assign_case(case, self.case_worker, by=self.manager)
        other = create_user(Role.CASE_WORKER, "pendamping-lain")
        for user in (self.operator, other):
            with self.subTest(user.username), self.assertRaises(PermissionDenied):
                amend_report(report, {"events.0.place": "sekolah"}, by=user, reason="Coba.")
        self.assertFalse(ReportAmendment.objects.exists())
        self.assertTrue(may_amend(self.case_worker, report))
        own = create_report(self.volunteer_a, channel="relawan").report
        self.assertAllowedOnly("get", f"/pengaduan/laporan/{own.pk}/ubah/", [self.operator, self.manager])

    def test_bad_and_hostile_input_changes_nothing(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        bad: list[dict[str, Any]] = [
            {"victims.0.name": "Rina\x00Contoh"},
            {"victims.0.age": "٣٠"},
            {"victims.0.age": "9" * 400},
            {"victims.0.desa": "99.99.99.9999"},
            {"victims.0.nik": "1234"},
            {"victims.0.marital_status": "poligami"},
            {"victims.add": {"name": "Tanpa Usia", "sex": "P", "desa": DESA_A}},
            {"victims.add": "bukan objek"},
            {"perpetrators.0.is_child": "mungkin"},
            {"perpetrators.7.name": "Tidak ada"},
            {"perpetrators.add": {"relation": "musuh"}},
            {"events.0.desa": "18.11"},
            {"events.0.place": "bulan"},
            {"events.99999999999999999999.place": "sekolah"},
            {"reporter.phone": "bukan nomor"},
            {"reporter.nik": "0000000000000000"},
            {"reporter.relation": "alien"},
            {"authority": "provinsi"},
        ]
        for changes in bad:
            with self.subTest(changes), self.assertRaises(ReportInvalid) as refused:
                amend_report(report, {**changes, "needs": "Berubah"}, by=self.operator, reason="Uji.")
            self.assertTrue(refused.exception.fields)
        self.assertFalse(ReportAmendment.objects.exists())
        self.assertEqual(Report.objects.get(pk=report.pk).needs, "Pendampingan.")
        self.assertEqual(Victim.objects.get(report=report).name, "Rina Contoh")
        self.assertEqual(ChronologyEvent.objects.filter(report=report).count(), 1)


class CaseTimelineTests(SigapTestCase):
    def test_the_timeline_shows_old_and_new_only_to_those_allowed_to_see_both(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        case: Case = case_actions.open_case([report], by=self.operator)
        amend_report(report, {"victims.0.nik": "1811014101900003", "victims.0.name": "Rina Benar",
                              "reporter.phone": NEW_PHONE}, by=self.manager, reason="Dari KTP.")
        def bodies(user: Any) -> str:
            return "\n".join(f"{e.title} {e.body}" for e in build(case, user) if e.kind == "amendment")

        # The manager sees the victim's NIK (need to know); the operator does not; nobody sees the phone.
        self.assertIn("1811014101900003", bodies(self.manager))
        self.assertNotIn("1811014101900003", bodies(self.operator))
        self.assertIn("Rina Benar", bodies(self.operator))
        for user in (self.manager, self.operator):
            self.assertNotIn("7777", bodies(user))
            self.assertIn("Diubah: Pelapor: nomor telepon", bodies(user))


class AmendPageTests(SigapTestCase):
    def form_data(self, report: Report, user: Any, **changes: Any) -> dict[str, Any]:
        form = AmendForm(report=report, full_victims=user == self.manager)
        data: dict[str, Any] = {}
        for name, bound in form.fields.items():
            value = form.initial.get(name, bound.initial)
            if value is None or value is False or value == "":
                continue
            data[name] = "on" if value is True else value
        data.update(changes)
        return data

    def test_the_page_adds_a_perpetrator_and_corrects_a_place_and_a_victims_birth_date(self) -> None:
        report = create_report(self.operator, **{k: v for k, v in report_payload().items() if k == "victims"}).report
        self.login(self.operator)
        url = f"/pengaduan/laporan/{report.pk}/ubah/"
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(url, self.form_data(
            report, self.operator, np_name="Joko Contoh", np_relation="orang_tua", e0_place="sekolah",
            v0_birth_date=CHILD_BIRTH, reason="Keterangan ibu korban."))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(amended(report), {"perpetrators.1", "events.0.place", "victims.0.birth_date"})
        # Unchanged hidden details (the victim's address the operator may not see) stay as they were.
        self.assertEqual(Victim.objects.get(report=report).address, "Dusun Contoh")

    def test_bad_input_on_the_page_shows_the_message_next_to_the_field_and_changes_nothing(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        self.login(self.operator)
        response = self.client.post(f"/pengaduan/laporan/{report.pk}/ubah/", self.form_data(
            report, self.operator, v0_age="abc", reason="Uji."))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Usia harus angka 0 sampai 120.", status_code=400)
        self.assertFalse(ReportAmendment.objects.exists())


class CaseFollowsTests(SigapTestCase):
    def test_a_corrected_victim_desa_moves_the_report_and_its_case(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        case = case_actions.open_case([report], by=self.operator)
        case_actions.assign_case(case, self.case_worker, by=self.manager)
        amend_report(report, {"victims.0.desa": DESA_B}, by=self.case_worker, reason="Alamat KTP.")
        case.refresh_from_db()
        self.assertEqual((Report.objects.get(pk=report.pk).desa_id, case.desa_id), (DESA_B, DESA_B))
        self.assertEqual(case.kecamatan_code, DESA_B.rsplit(".", 1)[0])


class VolunteerNoteTests(SigapTestCase):
    def test_a_volunteer_adds_a_note_instead_of_amending_and_staff_read_it(self) -> None:
        report = create_report(self.volunteer_a, channel="relawan").report
        url = f"/pengaduan/laporan/{report.pk}/catatan/"
        self.login(self.volunteer_a)
        self.assertEqual(self.client.get(f"/pengaduan/laporan/{report.pk}/ubah/").status_code, 403)
        empty = self.client.post(url, {"text": "   "})
        self.assertContains(empty, "Tuliskan catatannya.", status_code=400)
        self.assertFalse(ReportNote.objects.exists())
        self.assertEqual(self.client.post(url, {"text": "Pelaku sudah pindah ke desa lain."}).status_code, 302)
        self.assertContains(self.client.get(f"/pengaduan/laporan/{report.pk}/"), "Pelaku sudah pindah")
        note = ReportNote.objects.get()
        self.assertEqual((note.report, note.by), (report, self.volunteer_a))
        self.assertTrue(AuditEntry.objects.filter(action="intake.report_note_added").exists())
        # Staff read it on the report and in the case timeline; nobody else may add one.
        self.login(self.operator)
        self.assertContains(self.client.get(f"/pengaduan/laporan/{report.pk}/"), "Pelaku sudah pindah")
        case = case_actions.open_case([report], by=self.operator)
        self.assertTrue(any("Pelaku sudah pindah" in (e.body or "") for e in build(case, self.manager)))
        self.assertAllowedOnly("post", url, [self.volunteer_a], data={"text": "Catatan lain."})
        self.assertEqual(ReportNote.objects.count(), 2)
