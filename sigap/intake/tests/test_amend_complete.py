"""Issue 16 point 1, completed: danger flags, safe contact, a victim's disability types, accommodations and AMPK
groups; authority after a corrected place; the volunteer's note reaches someone; hostile input on the page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from sigap.alerts.tests.base import AlertsTestCase
from sigap.cases import actions as case_actions
from sigap.cases.timeline import build
from sigap.core.models import Notification
from sigap.intake.actions import add_note, decide_authority
from sigap.intake.amend import amend_report
from sigap.intake.codes import Authority, Risk
from sigap.intake.models import (
    Report,
    ReportAmendment,
    Victim,
    VictimAccommodation,
    VictimAmpkGroup,
    VictimDisability,
)
from sigap.intake.tests.factories import OTHER_DISTRICT_DESA, adult_victim, create_report
from sigap.intake.validation import ReportInvalid
from sigap.intake.views.amend import AmendForm
from sigap.lib.testing import DESA_A, SigapTestCase
from sigap.vault.models import AuditEntry

SAFE_TIME = "Selasa pagi lewat bibi"  # invented


def amended(report: Report) -> set[str]:
    return set(ReportAmendment.objects.filter(report=report).values_list("field", flat=True))


def kinds(victim: Victim, model: Any, column: str) -> set[str]:
    return set(model.objects.filter(victim=victim).values_list(column, flat=True))


class DangerFlagTests(AlertsTestCase):
    def test_a_raised_danger_flag_raises_the_risk_and_alerts_again_a_lowered_one_needs_the_reason(self) -> None:
        self.plan_now()
        report = self.file(victims=[adult_victim()])
        before = report.risk
        self.assertNotEqual(before, Risk.TINGGI)
        self.clear()
        with self.captureOnCommitCallbacks(execute=True):
            amend_report(report, {"threat_to_life": True, "immediate_danger": True}, by=self.operator,
                         reason="Terlapor mengancam lewat telepon.")
        report.refresh_from_db()
        self.assertEqual(report.risk, Risk.TINGGI)
        self.assertIn("threat_to_life", report.risk_reasons)
        self.assertEqual(amended(report), {"threat_to_life", "immediate_danger"})
        self.assertEqual(ReportAmendment.objects.get(field="threat_to_life").new_value, "ya")
        self.assertEqual(AuditEntry.objects.filter(action="intake.report_amended").count(), 1)
        # Risiko tinggi: the duty person, the backup and the manager hear of it again.
        self.assertEqual(self.recipients("alerts.risk_raised"), {"operator", "operator-b", "kepala"})
        # Lowering it back needs the reason; without one nothing changes.
        with self.assertRaises(ReportInvalid) as refused:
            amend_report(report, {"threat_to_life": False, "immediate_danger": False}, by=self.operator, reason=" ")
        self.assertIn("reason", refused.exception.fields)
        report.refresh_from_db()
        self.assertEqual(report.risk, Risk.TINGGI)
        self.clear()
        with self.captureOnCommitCallbacks(execute=True):
            amend_report(report, {"threat_to_life": False, "immediate_danger": False}, by=self.operator,
                         reason="Terlapor sudah ditahan polisi.")
        report.refresh_from_db()
        self.assertEqual(report.risk, before)
        self.assertFalse(Notification.objects.exists())  # lowering alerts nobody

    def test_the_danger_flags_on_the_page_and_in_the_case_timeline(self) -> None:
        report = self.file(victims=[adult_victim()])
        case = case_actions.open_case([report], by=self.operator)
        case_actions.assign_case(case, self.case_worker, by=self.manager)
        self.login(self.case_worker)
        data = page_data(report, self.case_worker, repeated_violence="on", reason="Asesmen: kekerasan berulang.")
        response = self.client.post(f"/pengaduan/laporan/{report.pk}/ubah/", data)
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertTrue(report.repeated_violence)
        self.assertIn("repeated_violence", report.risk_reasons)
        titles = [f"{e.title} {e.body}" for e in build(case, self.case_worker) if e.kind == "amendment"]
        self.assertEqual(len(titles), 1)
        self.assertIn("Diubah: kekerasan berulang", titles[0])
        self.assertIn("Sebelumnya: tidak", titles[0])
        self.assertIn("Sekarang: ya", titles[0])


def page_data(report: Report, user: Any, **changes: Any) -> dict[str, Any]:
    """The amend page as it is shown to ``user`` (prefilled), with ``changes``."""
    from sigap.intake import access

    form = AmendForm(report=report, full_victims=access.sees_victim_details(user, report))
    data: dict[str, Any] = {}
    for name, bound in form.fields.items():
        value = form.initial.get(name, bound.initial)
        if value is None or value is False or value == "" or value == []:
            continue
        data[name] = "on" if value is True else value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class SafeContactTests(SigapTestCase):
    def test_safe_contact_is_amended_and_its_times_stay_need_to_know(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        case = case_actions.open_case([report], by=self.operator)
        amend_report(report, {"safe_times": SAFE_TIME, "safe_channel": "whatsapp", "never_call_back": True},
                     by=self.manager, reason="Korban minta dihubungi lewat WhatsApp saja.")
        report.refresh_from_db()
        self.assertEqual((report.safe_times, report.safe_channel, report.never_call_back),
                         (SAFE_TIME, "whatsapp", True))
        self.assertEqual(amended(report), {"safe_times", "safe_channel", "never_call_back"})
        self.assertEqual(ReportAmendment.objects.get(field="safe_times").old_value, "sore")

        def bodies(user: Any) -> str:
            return "\n".join(f"{e.title} {e.body}" for e in build(case, user) if e.kind == "amendment")

        # The times: the manager (need to know) sees both; the operator sees neither, but the channel.
        self.assertIn(SAFE_TIME, bodies(self.manager))
        self.assertNotIn(SAFE_TIME, bodies(self.operator))
        self.assertNotIn("sore", bodies(self.operator).replace("Sebelumnya", ""))
        self.assertIn("WhatsApp", bodies(self.operator))
        # The report's own history: the same rule.
        self.login(self.operator)
        page = self.client.get(f"/pengaduan/laporan/{report.pk}/").content.decode()
        self.assertNotIn(SAFE_TIME, page)
        self.assertIn("(disembunyikan)", page)
        self.login(self.manager)
        self.assertContains(self.client.get(f"/pengaduan/laporan/{report.pk}/ubah/"), SAFE_TIME)

    def test_the_operator_leaves_the_hidden_times_blank_and_they_stay(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        self.login(self.operator)
        response = self.client.post(f"/pengaduan/laporan/{report.pk}/ubah/", page_data(
            report, self.operator, safe_channel="sms", reason="Pelapor minta SMS."))
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual((report.safe_times, report.safe_channel), ("sore", "sms"))
        self.assertEqual(amended(report), {"safe_channel"})

    def test_bad_safe_contact_is_refused(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        for changes in ({"safe_channel": "merpati"}, {"safe_times": "x" * 201}, {"safe_times": "pagi\x00"},
                        {"never_call_back": ["ya"]}, {"immediate_danger": {"a": 1}}):
            with self.subTest(changes), self.assertRaises(ReportInvalid):
                amend_report(report, changes, by=self.operator, reason="Uji.")
        self.assertFalse(ReportAmendment.objects.exists())


class DisabilityAndAmpkTests(SigapTestCase):
    def test_a_type_makes_a_disability_and_accommodations_are_recorded_with_their_history(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        amend_report(report, {"victims.0.disability_types": ["sensorik"],
                              "victims.0.accommodations": ["juru_bahasa_isyarat", "waktu_disesuaikan"]},
                     by=self.operator, reason="Korban tuli; butuh juru bahasa isyarat.")
        victim = Victim.objects.get(report=report)
        self.assertTrue(victim.disability)
        self.assertEqual(kinds(victim, VictimDisability, "kind"), {"sensorik"})
        self.assertEqual(kinds(victim, VictimAccommodation, "kind"), {"juru_bahasa_isyarat", "waktu_disesuaikan"})
        self.assertEqual(amended(report), {"victims.0.disability_types", "victims.0.accommodations",
                                           "victims.0.disability"})
        row = ReportAmendment.objects.get(field="victims.0.accommodations")
        self.assertEqual(row.old_value, "—")
        self.assertIn("Juru bahasa isyarat", row.new_value)
        # The report page shows what the victim needs.
        self.login(self.operator)
        self.assertContains(self.client.get(f"/pengaduan/laporan/{report.pk}/"), "Juru bahasa isyarat")
        # Changing one accommodation keeps the other and notes both lists.
        amend_report(report, {"victims.0.accommodations": ["juru_bahasa_isyarat"]}, by=self.operator,
                     reason="Waktu tidak perlu disesuaikan.")
        self.assertEqual(kinds(victim, VictimAccommodation, "kind"), {"juru_bahasa_isyarat"})

    def test_contradictions_are_refused_and_nothing_changes(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        bad: list[dict[str, Any]] = [
            {"victims.0.accommodations": ["pendamping_disabilitas"]},  # no disability
            {"victims.0.disability_types": [""]},
            {"victims.0.accommodations": ["sihir"]},
            {"victims.0.disability_types": ["fisik", "fisik"]},
            {"victims.0.disability_types": "fisik"},
            {"victims.0.ampk_groups": ["kejahatan_seksual"]},  # an adult victim
            {"victims.3.accommodations": ["tenaga_ahli"]},
        ]
        for changes in bad:
            with self.subTest(changes), self.assertRaises(ReportInvalid) as refused:
                amend_report(report, changes, by=self.operator, reason="Uji.")
            self.assertTrue(refused.exception.fields)
        victim = Victim.objects.get(report=report)
        self.assertFalse(victim.disability)
        self.assertFalse(VictimDisability.objects.exists() or VictimAccommodation.objects.exists())
        self.assertFalse(ReportAmendment.objects.exists())
        # With the disability and its type stored, unticking "disabilitas" alone is refused.
        amend_report(report, {"victims.0.disability_types": ["fisik"]}, by=self.operator, reason="Kursi roda.")
        with self.assertRaises(ReportInvalid) as refused:
            amend_report(report, {"victims.0.disability": False}, by=self.operator, reason="Salah centang.")
        self.assertIn("victims.0.disability", refused.exception.fields)
        amend_report(report, {"victims.0.disability": False, "victims.0.disability_types": []}, by=self.operator,
                     reason="Salah centang.")
        self.assertFalse(Victim.objects.get(report=report).disability)

    def test_staff_choose_a_childs_ampk_groups_instead_of_the_suggestion(self) -> None:
        report = create_report(self.operator).report  # a 12-year-old girl, psikis: the suggestion is stored
        victim = Victim.objects.get(report=report)
        self.assertTrue(VictimAmpkGroup.objects.filter(victim=victim, suggested=True).exists())
        amend_report(report, {"victims.0.ampk_groups": ["kekerasan_fisik_psikis", "situasi_darurat"]},
                     by=self.operator, reason="Asesmen: anak dalam situasi darurat.")
        groups = VictimAmpkGroup.objects.filter(victim=victim)
        self.assertEqual({g.group for g in groups}, {"kekerasan_fisik_psikis", "situasi_darurat"})
        self.assertFalse(any(g.suggested for g in groups))
        self.assertEqual(amended(report), {"victims.0.ampk_groups"})
        self.login(self.operator)
        page = self.client.get(f"/pengaduan/laporan/{report.pk}/").content.decode()
        self.assertIn("Anak dalam situasi darurat", page)
        # The page offers the groups only for a child victim.
        form = AmendForm(report=report, full_victims=False)
        self.assertIn("v0_ampk_groups", form.fields)
        adult = create_report(self.operator, victims=[adult_victim()]).report
        self.assertNotIn("v0_ampk_groups", AmendForm(report=adult, full_victims=False).fields)

    def test_the_page_records_disability_types_and_accommodations(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        self.login(self.operator)
        response = self.client.post(f"/pengaduan/laporan/{report.pk}/ubah/", page_data(
            report, self.operator, v0_disability_types=["fisik"], v0_accommodations=["aksesibilitas"],
            reason="Korban memakai kursi roda."))
        self.assertEqual(response.status_code, 302)
        victim = Victim.objects.get(report=report)
        self.assertTrue(victim.disability)
        self.assertEqual(kinds(victim, VictimAccommodation, "kind"), {"aksesibilitas"})


class AuthorityAfterAmendmentTests(SigapTestCase):
    def test_a_corrected_event_desa_re_suggests_the_authority_unless_staff_decided(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        self.assertEqual(report.authority, Authority.OWN)
        amend_report(report, {"events.0.desa": OTHER_DISTRICT_DESA}, by=self.operator,
                     reason="Kejadian di kabupaten tetangga.")
        report.refresh_from_db()
        self.assertEqual((report.authority, report.authority_suggested), (Authority.PROVINCE, Authority.PROVINCE))
        decide_authority(report, Authority.OWN, by=self.manager, reason="Korban tinggal di sini; ditangani di sini.")
        amend_report(report, {"victims.0.desa": OTHER_DISTRICT_DESA}, by=self.operator, reason="Alamat KTP.")
        report.refresh_from_db()
        self.assertEqual((report.authority, report.authority_suggested), (Authority.OWN, Authority.OTHER))
        # Back to the home regency: the staff decision still stands.
        amend_report(report, {"victims.0.desa": DESA_A, "events.0.desa": DESA_A}, by=self.operator,
                     reason="Salah ketik.")
        report.refresh_from_db()
        self.assertEqual((report.authority, report.authority_suggested), (Authority.OWN, Authority.OWN))

    def test_the_amend_page_links_to_the_authority_decision_for_those_who_decide(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        link = reverse("intake:report_detail", args=[report.pk]) + "#authority"
        for user in (self.operator, self.manager):
            self.login(user)
            self.assertContains(self.client.get(f"/pengaduan/laporan/{report.pk}/ubah/"), link)
        case = case_actions.open_case([report], by=self.operator)
        case_actions.assign_case(case, self.case_worker, by=self.manager)
        self.login(self.case_worker)
        page = self.client.get(f"/pengaduan/laporan/{report.pk}/ubah/")
        self.assertNotContains(page, link)
        self.assertContains(page, "Kewenangan diputuskan oleh operator atau Kepala UPTD")


class HostilePageInputTests(SigapTestCase):
    def test_hostile_input_on_the_page_is_refused_next_to_the_field_and_nothing_changes(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        self.login(self.operator)
        url = f"/pengaduan/laporan/{report.pk}/ubah/"
        bad: list[dict[str, Any]] = [
            {"v0_name": "Rina\x00Contoh"},
            {"v0_age": "٣٠"},  # Arabic-Indic digits
            {"v0_age": "３０"},  # full-width digits
            {"v0_age": "9" * 5000},
            {"np_age": "99999999999999999999999"},
            {"v0_birth_date": "2020-13-45"},
            {"v0_accommodations": ["\x00"]},
            {"safe_channel": "x" * 10000},
            {"reason": "Alasan\x00"},
        ]
        for changes in bad:
            data = page_data(report, self.operator, reason="Uji.")
            data.update(changes)
            with self.subTest(changes):
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, 'role="alert"', status_code=400)
        self.assertFalse(ReportAmendment.objects.exists())
        self.assertEqual(Victim.objects.get(report=report).name, "Rina Contoh")

    def test_a_victim_that_does_not_exist_is_refused_by_the_action_and_ignored_by_the_page(self) -> None:
        report = create_report(self.operator, victims=[adult_victim()]).report
        for key in ("victims.1.name", "victims.99999999999999999999.name", "victims.-1.name", "victims.٣.name"):
            with self.subTest(key), self.assertRaises(ReportInvalid) as refused:
                amend_report(report, {key: "Orang Lain"}, by=self.operator, reason="Uji.")
            self.assertEqual(list(refused.exception.fields), [key])
        self.login(self.operator)
        response = self.client.post(f"/pengaduan/laporan/{report.pk}/ubah/", page_data(
            report, self.operator, v7_name="Orang Lain", v7_remove="on", reason="Uji."))
        self.assertEqual(response.status_code, 302)  # fields the page does not have are never read
        self.assertFalse(ReportAmendment.objects.exists())
        self.assertEqual(Victim.objects.filter(report=report).count(), 1)


class VolunteerNoteNotifiesTests(AlertsTestCase):
    NOTE = "Pelaku terlihat di rumah kebun milik Pak Contoh"  # invented; must never reach a notification

    def test_without_a_case_the_people_on_duty_hear_of_the_note_without_its_content(self) -> None:
        self.plan_now()
        report = self.file(by=self.volunteer_a, channel="relawan", victims=[adult_victim()])
        self.clear()
        with self.captureOnCommitCallbacks(execute=True):
            add_note(report, self.NOTE, by=self.volunteer_a)
        self.assertEqual(self.recipients("alerts.report_note"), {"operator"})  # as for a new report of that risk
        notice = Notification.objects.get()
        self.assertIn(report.registration_number, notice.text)
        self.assertIn("catatan baru dari relawan", notice.text)
        self.assertIn("Kec.", notice.text)
        self.assertNotIn("Pelaku", notice.text)
        self.assertEqual(notice.link, f"/pengaduan/laporan/{report.pk}/")

    def test_in_a_case_only_its_assigned_worker_hears_of_it(self) -> None:
        self.plan_now()
        report = self.file(by=self.volunteer_a, channel="relawan", victims=[adult_victim()])
        case = case_actions.open_case([report], by=self.operator)
        case_actions.assign_case(case, self.case_worker, by=self.manager)
        self.clear()
        self.login(self.volunteer_a)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/pengaduan/laporan/{report.pk}/catatan/", {"text": self.NOTE})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.recipients(), {"pendamping"})
        # The worker opens the link and reads the note.
        self.login(self.case_worker)
        self.assertContains(self.client.get(Notification.objects.get().link), "Pelaku terlihat")

    def test_a_refused_note_notifies_nobody(self) -> None:
        self.plan_now()
        report = self.file(by=self.volunteer_a, channel="relawan", victims=[adult_victim()])
        self.clear()
        with self.captureOnCommitCallbacks(execute=True), self.assertRaises(ReportInvalid):
            add_note(report, "catatan\x00", by=self.volunteer_a)
        self.assertFalse(Notification.objects.exists())


class WhoMayAmendEachRoleEachStateTests(SigapTestCase):
    """Issue 16 point 7: who may amend what, each role in each state of the report."""

    def test_each_role_in_each_state(self) -> None:
        from sigap.accounts.roles import Role
        from sigap.cases.codes import CaseStatus
        from sigap.intake.amend import may_amend
        from sigap.lib.testing import create_user

        other_worker = create_user(Role.CASE_WORKER, "pendamping-lain")
        report = create_report(self.operator, victims=[adult_victim()]).report
        own = create_report(self.volunteer_a, channel="relawan", victims=[adult_victim()]).report
        cast = [*self.everyone, other_worker]

        def allowed(target: Report) -> list[Any]:
            return [u for u in cast if may_amend(u, target)]

        states: list[tuple[str, Report, list[Any]]] = [("filed", report, [self.manager, self.operator]),
                                                       ("filed by a volunteer", own, [self.manager, self.operator])]
        for name, target, expected in states:
            with self.subTest(name):
                self.assertEqual(allowed(target), expected)
        case = case_actions.open_case([report], by=self.operator)
        with self.subTest("case not yet assigned"):
            self.assertEqual(allowed(report), [self.manager])
        case_actions.assign_case(case, self.case_worker, by=self.manager)
        with self.subTest("case assigned"):
            self.assertEqual(allowed(report), [self.manager, self.case_worker])
        case_actions.assign_case(case, other_worker, by=self.manager)
        with self.subTest("case reassigned"):
            self.assertEqual(allowed(report), [self.manager, other_worker])
        closure = case_actions.close_case(case, by=other_worker, outcome="tujuan_tercapai", reason="Pulih.")
        case_actions.approve_closure(closure, by=self.manager)
        case.refresh_from_db()
        self.assertEqual(case.status, CaseStatus.CLOSED)
        with self.subTest("case closed"):  # corrections stay possible for the worker and the manager
            self.assertEqual(allowed(report), [self.manager, other_worker])
            self.assertAllowedOnly("get", f"/pengaduan/laporan/{report.pk}/ubah/", [self.manager])
        for user in cast:
            if user not in (self.manager, other_worker):
                with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                    amend_report(report, {"needs": "x"}, by=user, reason="Coba.")
        self.assertFalse(ReportAmendment.objects.exists())
