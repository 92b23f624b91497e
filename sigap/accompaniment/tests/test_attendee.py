"""The worker who attends a colleague's appointment records its outcome on a page of that one appointment,
and nothing else: not the case, not another appointment, not after the window or on a read-only case."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.accompaniment import actions
from sigap.accompaniment.codes import AppointmentStatus
from sigap.accompaniment.models import Appointment
from sigap.accompaniment.tests.factories import plain_case
from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.cases.actions import CaseActionError
from sigap.cases.codes import CaseStatus
from sigap.cases.models import Case
from sigap.cases.tests.factories import create_partner
from sigap.core.models import Notification
from sigap.lib.testing import SigapTestCase, create_user
from sigap.vault.audit import AuditEntry

PLACE = "Ruang Sidang Rahasia 3"
OTHERS = "Ibu korban dan penasihat hukum"


class AttendeeOutcomeTests(SigapTestCase):
    colleague: User
    third: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.colleague = create_user(Role.CASE_WORKER, "pendamping-b", first_name="Budi", last_name="Rekan")
        cls.third = create_user(Role.CASE_WORKER, "pendamping-c")

    def setUp(self) -> None:
        super().setUp()
        self.case = plain_case(self)  # assigned to the cast's case worker
        self.court = create_partner("court", added_by=self.manager, name="Pengadilan Negeri Contoh")
        self.hearing = self.schedule(timezone.now() - datetime.timedelta(days=1))  # yesterday's hearing

    def schedule(self, when: datetime.datetime, worker: Any = None) -> Appointment:
        return actions.schedule_appointment(
            self.case, by=self.case_worker, kind="sidang", starts_at=when, worker=worker or self.colleague,
            place=PLACE, attendees=OTHERS, partner=self.court, escort_needed=True)

    def url(self, appointment: Appointment | None = None) -> str:
        return reverse("accompaniment:appointment", args=[(appointment or self.hearing).pk])

    def client_of(self, user: Any) -> Client:
        return self.login(user, client=Client())

    def post(self, user: Any, data: dict[str, Any], appointment: Appointment | None = None) -> Any:
        return self.client_of(user).post(self.url(appointment), data)

    def assertUnchanged(self, appointment: Appointment | None = None) -> None:
        appointment = Appointment.objects.get(pk=(appointment or self.hearing).pk)
        self.assertEqual(appointment.status, AppointmentStatus.SCHEDULED)
        self.assertIsNone(appointment.outcome_at)
        self.assertIsNone(appointment.outcome_by_id)
        self.assertFalse(AuditEntry.objects.filter(action="accompaniment.appointment_outcome").exists())

    # --- who reaches the page -------------------------------------------------------------------

    def test_only_the_attending_worker_reaches_the_page_whatever_their_role_on_the_case(self) -> None:
        response = self.client_of(self.colleague).get(self.url())
        self.assertEqual(response.status_code, 200)
        # The case's own worker and the manager see the case, but are not this appointment's worker: 404 here,
        # they record it from the case's tab. Another worker, attending nothing of this case: 404.
        for user in (self.case_worker, self.manager, self.third):
            self.assertEqual(self.client_of(user).get(self.url()).status_code, 404, user.username)
        for user in (self.admin, self.operator, self.data_officer, self.partner, self.volunteer_a,
                     self.volunteer_b):
            self.assertEqual(self.client_of(user).get(self.url()).status_code, 403, user.username)
        anonymous = Client().get(self.url())
        self.assertEqual(anonymous.status_code, 302)
        self.assertIn(reverse("accounts:login"), anonymous["Location"])

    def test_only_the_attending_worker_may_post_an_outcome_and_everyone_else_changes_nothing(self) -> None:
        data = {"status": "hadir", "note": ""}
        for user in (self.case_worker, self.manager, self.third):
            self.assertEqual(self.post(user, data).status_code, 404, user.username)
        for user in (self.admin, self.operator, self.data_officer, self.partner, self.volunteer_a):
            self.assertEqual(self.post(user, data).status_code, 403, user.username)
        anonymous = Client().post(self.url(), data)
        self.assertEqual(anonymous.status_code, 302)
        self.assertIn(reverse("accounts:login"), anonymous["Location"])
        self.assertUnchanged()
        response = self.post(self.colleague, data)
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.hearing.refresh_from_db()
        self.assertEqual((self.hearing.status, self.hearing.outcome_by_id),
                         (AppointmentStatus.ATTENDED, self.colleague.pk))

    def test_the_attending_worker_still_cannot_open_the_case_or_record_anything_else_on_it(self) -> None:
        client = self.client_of(self.colleague)
        for name in ("accompaniment:case", "accompaniment:case_calendar", "cases:case_detail", "cases:timeline"):
            self.assertEqual(client.get(reverse(name, args=[self.case.pk])).status_code, 404, name)
        # The case's tab forms (reschedule, outcome by the case tab, a new appointment) stay closed.
        for data in ({"form": "outcome", "appointment": self.hearing.pk, "status": "hadir"},
                     {"form": "reschedule", "appointment": self.hearing.pk, "starts_at": "2030-01-01T10:00"}):
            self.assertEqual(client.post(reverse("accompaniment:case", args=[self.case.pk]), data).status_code, 404)
        self.assertUnchanged()

    def test_a_colleague_cannot_record_an_appointment_they_do_not_attend(self) -> None:
        own = self.schedule(timezone.now() - datetime.timedelta(hours=3), worker=self.case_worker)
        self.assertEqual(self.client_of(self.colleague).get(self.url(own)).status_code, 404)
        self.assertEqual(self.post(self.colleague, {"status": "hadir"}, own).status_code, 404)
        with self.assertRaises(PermissionDenied):
            actions.record_outcome(own, by=self.colleague, status="hadir")
        with self.assertRaises(PermissionDenied):
            actions.record_outcome(self.hearing, by=self.third, status="hadir")
        self.assertUnchanged(own)
        self.assertUnchanged()

    # --- what the page shows (need to know) -----------------------------------------------------

    def test_the_page_shows_what_attending_needs_and_nothing_of_the_case(self) -> None:
        page = self.client_of(self.colleague).get(self.url()).content.decode()
        for shown in (self.case.number, "kasus rekan", "Sidang pengadilan", "Pengadilan Negeri Contoh", PLACE,
                      OTHERS, "perlu pengawalan", "Terjadwal", self.case_worker.get_full_name(), "Catat hasil"):
            self.assertIn(shown, page)
        # The victim, their address, the reporter, the chronology: never here.
        for hidden in ("Siti Contoh", "Dusun Contoh", "Budi Contoh", "Jalan Contoh", "Uraian kejadian contoh"):
            self.assertNotIn(hidden, page)
        self.assertNotIn(reverse("accompaniment:case", args=[self.case.pk]), page)
        self.assertTrue(AuditEntry.objects.filter(action="accompaniment.appointment.open", actor=self.colleague,
                                                  object_id=str(self.hearing.pk)).exists())

    def test_after_the_outcome_the_place_and_who_else_came_are_no_longer_shown(self) -> None:
        self.post(self.colleague, {"status": "hadir"})
        page = self.client_of(self.colleague).get(self.url()).content.decode()
        self.assertIn("Hasil jadwal ini sudah dicatat.", page)
        self.assertIn("dicatat oleh Budi Rekan", page)
        self.assertNotIn(PLACE, page)
        self.assertNotIn(OTHERS, page)
        self.assertNotIn('name="status"', page)

    # --- recording --------------------------------------------------------------------------------

    def test_recording_is_audited_shows_on_the_case_and_its_timeline_and_tells_the_case_worker(self) -> None:
        client = self.client_of(self.colleague)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(self.url(), {"status": "tidak_hadir", "note": "Sidang ditunda hakim"})
        self.assertEqual(response.status_code, 302)
        page = client.get(self.url()).content.decode()
        self.assertIn("Hasil jadwal dicatat.", page)
        self.assertIn("Tidak hadir", page)
        entry = AuditEntry.objects.get(action="accompaniment.appointment_outcome")
        self.assertEqual((entry.actor_id, entry.object_id), (self.colleague.pk, str(self.hearing.pk)))
        # The case's worker is told, with the case number and the kind only: no name, no note.
        notice = Notification.objects.get(kind="cases.appointment_outcome_by_attendee")
        self.assertEqual(notice.recipient_id, self.case_worker.pk)
        self.assertIn(self.case.number, notice.text)
        self.assertIn("Sidang pengadilan", notice.text)
        self.assertIn("dicatat oleh pendamping yang hadir", notice.text)
        for personal in ("Budi", "Rekan", "ditunda", "Siti", PLACE):
            self.assertNotIn(personal, notice.text)
        self.assertEqual(notice.link, reverse("accompaniment:case", args=[self.case.pk]) + "#jadwal")
        self.assertFalse(Notification.objects.filter(recipient=self.colleague,
                                                     kind="cases.appointment_outcome_by_attendee").exists())
        # The case worker sees it on the case's tab and its timeline, with who recorded it.
        worker = self.client_of(self.case_worker)
        tab = worker.get(reverse("accompaniment:case", args=[self.case.pk])).content.decode()
        self.assertIn("Tidak hadir", tab)
        self.assertIn("Sidang ditunda hakim", tab)
        self.assertIn("dicatat oleh Budi Rekan", tab)
        self.assertIn("pendamping yang hadir", tab)
        timeline = worker.get(reverse("cases:timeline", args=[self.case.pk])).content.decode()
        self.assertIn("Sidang pengadilan", timeline)
        self.assertIn("Tidak hadir", timeline)
        self.assertIn("dicatat oleh pendamping yang hadir", timeline)
        self.assertIn("Budi Rekan", timeline)
        self.assertIn("Sidang ditunda hakim", timeline)

    def test_an_unassigned_case_tells_the_managers(self) -> None:
        Case.objects.filter(pk=self.case.pk).update(assigned_to=None)
        with self.captureOnCommitCallbacks(execute=True):
            actions.record_outcome(self.hearing, by=self.colleague, status="hadir")
        self.assertEqual(list(Notification.objects.filter(kind="cases.appointment_outcome_by_attendee")
                              .values_list("recipient_id", flat=True)), [self.manager.pk])

    def test_the_case_worker_recording_their_own_case_is_not_told_and_has_no_window(self) -> None:
        old = self.schedule(timezone.now() - datetime.timedelta(days=60))
        with self.captureOnCommitCallbacks(execute=True):
            actions.record_outcome(old, by=self.case_worker, status="hadir")
        old.refresh_from_db()
        self.assertEqual((old.status, old.outcome_by_id), (AppointmentStatus.ATTENDED, self.case_worker.pk))
        self.assertFalse(Notification.objects.filter(kind="cases.appointment_outcome_by_attendee").exists())

    def test_twice_is_refused_with_a_clear_message(self) -> None:
        self.post(self.colleague, {"status": "hadir"})
        response = self.post(self.colleague, {"status": "dibatalkan", "note": "Lagi"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Hasil jadwal ini sudah dicatat.", status_code=400)
        self.hearing.refresh_from_db()
        self.assertEqual(self.hearing.status, AppointmentStatus.ATTENDED)
        self.assertEqual(AuditEntry.objects.filter(action="accompaniment.appointment_outcome").count(), 1)

    # --- bad input --------------------------------------------------------------------------------

    def test_bad_input_gets_a_clear_error_and_changes_nothing(self) -> None:
        cases = [
            ({"status": "menang"}, "Masukkan pilihan yang valid"),  # an unknown outcome code
            ({"status": "dijadwalkan_ulang"}, "Masukkan pilihan yang valid"),  # not an outcome one may record
            ({}, "Bidang ini tidak boleh kosong"),
            ({"status": "tidak_hadir", "note": "   "}, "Tuliskan alasannya."),
            ({"status": "dibatalkan", "note": "x" * 2001}, "2000"),
            ({"status": "9" * 40}, "Masukkan pilihan yang valid"),
        ]
        for data, message in cases:
            response = self.post(self.colleague, data)
            self.assertEqual(response.status_code, 400, data)
            self.assertContains(response, message, status_code=400)
        # NUL in a field: refused before any view; a huge id is no appointment.
        self.assertEqual(self.post(self.colleague, {"status": "hadir", "note": "a\x00b"}).status_code, 400)
        huge = self.client_of(self.colleague)
        for path in (f"/pendampingan/jadwal/{2**63}/", f"/pendampingan/jadwal/{10**40}/"):
            self.assertEqual(huge.get(path).status_code, 404)
            self.assertEqual(huge.post(path, {"status": "hadir"}).status_code, 404)
        self.assertUnchanged()

    # --- when ---------------------------------------------------------------------------------------

    def test_a_past_appointment_may_be_recorded_within_the_window_and_not_after(self) -> None:
        days = actions.ATTENDEE_OUTCOME_DAYS
        inside = self.schedule(timezone.now() - datetime.timedelta(days=days, hours=-1))
        outside = self.schedule(timezone.now() - datetime.timedelta(days=days, hours=1))
        page = self.client_of(self.colleague).get(self.url(outside))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, f"sampai {days} hari setelah jadwalnya")
        self.assertNotContains(page, 'name="status"')
        self.assertNotContains(page, PLACE)
        response = self.post(self.colleague, {"status": "hadir"}, outside)
        self.assertContains(response, f"sampai {days} hari setelah jadwalnya", status_code=400)
        self.assertUnchanged(outside)
        with self.assertRaises(CaseActionError):
            actions.record_outcome(outside, by=self.colleague, status="hadir")
        self.assertEqual(self.post(self.colleague, {"status": "hadir"}, inside).status_code, 302)
        # The case's worker records the old one from the case's tab: no window for them.
        actions.record_outcome(outside, by=self.case_worker, status="hadir")

    def test_a_future_appointment_shows_until_when_it_may_be_recorded(self) -> None:
        tomorrow = self.schedule(timezone.now() + datetime.timedelta(days=1))
        page = self.client_of(self.colleague).get(self.url(tomorrow)).content.decode()
        self.assertIn("Anda dapat mencatat hasilnya sampai", page)
        self.assertIn(PLACE, page)

    def test_a_transferred_or_closed_case_is_read_only_for_the_attending_worker_too(self) -> None:
        other = create_partner("uptd_ppa_regency", added_by=self.manager, name="UPTD PPA Kabupaten Tetangga")
        transfer = actions.prepare_transfer(self.case, by=self.case_worker, partner=other, reason="Pindah")
        actions.approve_transfer(transfer, by=self.manager)
        page = self.client_of(self.colleague).get(self.url())
        self.assertContains(page, "sudah dilimpahkan ke unit lain")
        self.assertNotContains(page, PLACE)
        response = self.post(self.colleague, {"status": "hadir"})
        self.assertContains(response, "sudah dilimpahkan ke unit lain", status_code=400)
        self.assertUnchanged()

    def test_a_closed_case_is_refused_with_a_message_for_the_attending_worker(self) -> None:
        Case.objects.filter(pk=self.case.pk).update(status=CaseStatus.CLOSED)
        response = self.post(self.colleague, {"status": "hadir"})
        self.assertContains(response, "Kasus ini sudah ditutup", status_code=400)
        self.assertUnchanged()

    # --- how they get there ---------------------------------------------------------------------

    def test_the_calendar_today_and_notices_link_the_attending_worker_to_the_page_not_the_case(self) -> None:
        later = timezone.localtime().replace(hour=23, minute=15, second=0, microsecond=0)
        with self.captureOnCommitCallbacks(execute=True):
            today = self.schedule(later)
        client = self.client_of(self.colleague)
        calendar = client.get(reverse("accompaniment:calendar") + f"?bulan={later:%Y-%m}").content.decode()
        self.assertIn(self.url(today), calendar)
        self.assertIn(self.url(), calendar)  # yesterday's, still without an outcome
        self.assertNotIn(reverse("accompaniment:case", args=[self.case.pk]), calendar)
        self.assertIn("kasus rekan", calendar)
        home = client.get(reverse("core:staff_home")).content.decode()
        self.assertIn(self.url(today), home)
        self.assertIn(f"23.15 · Sidang pengadilan · {self.case.number} · kasus rekan", home)
        notice = Notification.objects.filter(recipient=self.colleague, kind="cases.appointment_scheduled").last()
        assert notice is not None
        self.assertEqual(notice.link, self.url(today))
        # The case's worker and the manager still get the case's link on the calendar they see.
        own = self.client_of(self.manager).get(
            reverse("accompaniment:worker_calendar", args=[self.colleague.pk]) + f"?bulan={later:%Y-%m}")
        self.assertIn(reverse("accompaniment:case", args=[self.case.pk]), own.content.decode())
