"""Who may reach the roster, handover and alert pages; bad input; the unread count in the navigation."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.alerts import actions, roster
from sigap.alerts.models import Handover, RosterEntry, Shift
from sigap.alerts.tests.base import AlertsTestCase
from sigap.core.notify import notify


def next_working_day() -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=1)
    while roster.shifts_of(day)[0] != Shift.KANTOR:
        day += datetime.timedelta(days=1)
    return day


def next_weekend_day() -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=1)
    while roster.shifts_of(day) != [Shift.LIBUR]:
        day += datetime.timedelta(days=1)
    return day


class AccessTests(AlertsTestCase):
    def test_the_hotline_team_sees_the_roster_and_handovers(self) -> None:
        team = [self.manager, self.case_worker, self.operator]
        self.assertAllowedOnly("get", reverse("alerts:roster"), team)
        self.assertAllowedOnly("get", reverse("alerts:handover"), team)

    def test_only_the_manager_plans_the_roster(self) -> None:
        day = next_working_day()
        data = {"date": day.isoformat(), "shift": "sore", "duty": self.operator.pk, "backup": self.case_worker.pk}
        self.assertAllowedOnly("post", reverse("alerts:roster"), [self.manager], data)
        entry = RosterEntry.objects.get(date=day, shift="sore")
        self.assertEqual((entry.duty, entry.backup, entry.planned_by), (self.operator, self.case_worker, self.manager))

    def test_the_alert_page_and_acknowledging(self) -> None:
        report = self.file()
        url = reverse("alerts:report_alert", args=[report.pk])
        self.assertAllowedOnly("get", url, [self.manager, self.case_worker, self.operator])
        self.assertAllowedOnly("post", reverse("alerts:report_alert_acknowledge", args=[report.pk]),
                               [self.manager, self.case_worker, self.operator])
        self.assertEqual(self.login(self.operator).get(reverse("alerts:report_alert", args=[999999])).status_code, 404)

    def test_the_alert_page_shows_no_personal_data_and_links_the_report_only_to_who_may_open_it(self) -> None:
        report = self.file()
        page = self.login(self.case_worker).get(reverse("alerts:report_alert", args=[report.pk]))
        self.assertContains(page, report.registration_number)
        self.assertNotContains(page, "Budi Contoh")
        self.assertNotContains(page, "Siti Contoh")
        self.assertNotContains(page, reverse("intake:report_detail", args=[report.pk]))
        page = self.login(self.operator).get(reverse("alerts:report_alert", args=[report.pk]))
        self.assertContains(page, reverse("intake:report_detail", args=[report.pk]))


class RosterFormTests(AlertsTestCase):
    def post(self, **data: object) -> object:
        return self.login(self.manager).post(reverse("alerts:roster"), data)

    def test_the_same_person_twice_is_refused_with_a_message(self) -> None:
        day = next_working_day()
        response = self.post(date=day.isoformat(), shift="kantor", duty=self.operator.pk, backup=self.operator.pk)
        self.assertEqual(response.status_code, 400)  # type: ignore[attr-defined]
        self.assertContains(response, "Cadangan harus orang lain", status_code=400)  # type: ignore[arg-type]
        self.assertFalse(RosterEntry.objects.exists())

    def test_a_shift_that_day_does_not_have_is_refused(self) -> None:
        response = self.post(date=next_weekend_day().isoformat(), shift="kantor", duty=self.operator.pk,
                             backup=self.operator_b.pk)
        self.assertContains(response, "Shift ini tidak ada", status_code=400)  # type: ignore[arg-type]
        self.assertFalse(RosterEntry.objects.exists())

    def test_someone_outside_the_hotline_team_or_a_bad_date_is_refused(self) -> None:
        day = next_working_day()
        response = self.post(date=day.isoformat(), shift="kantor", duty=self.volunteer_a.pk, backup=self.operator.pk)
        self.assertEqual(response.status_code, 400)  # type: ignore[attr-defined]
        response = self.post(date="31-31-2026", shift="kantor", duty=self.operator_b.pk, backup=self.operator.pk)
        self.assertEqual(response.status_code, 400)  # type: ignore[attr-defined]
        self.assertFalse(RosterEntry.objects.exists())

    def test_the_roster_shows_gaps_and_the_current_shift_in_english_too(self) -> None:
        self.plan_now()
        client = self.login(self.operator)
        page = client.get(reverse("alerts:roster"))
        self.assertContains(page, "Kosong")
        self.assertContains(page, 'aria-current="true"')
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        page = client.get(reverse("alerts:roster"))
        self.assertContains(page, "On-call roster")
        self.assertContains(page, "Empty")


class HandoverTests(AlertsTestCase):
    def test_the_duty_person_writes_and_the_next_shift_acknowledges(self) -> None:
        now = timezone.now()
        self.plan_now(at=now)
        nxt = roster.slot_at(roster.slot_at(now).end)
        RosterEntry.objects.create(date=nxt.date, shift=nxt.shift, duty=self.case_worker, backup=self.manager,
                                   planned_by=self.manager)
        client = self.login(self.operator)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(reverse("alerts:handover"), {"note": "Laporan 1811-2026-000004 perlu telepon balik."})
        self.assertEqual(response.status_code, 302)
        handover = Handover.objects.get()
        self.assertEqual(handover.written_by, self.operator)
        self.assertEqual(self.recipients("alerts.handover"), {"pendamping", "kepala"})
        # The writer and a volunteer may not acknowledge; the next duty person may.
        url = reverse("alerts:handover_acknowledge", args=[handover.pk])
        self.assertEqual(client.post(url).status_code, 403)
        self.assertEqual(self.login(self.operator_b, client=Client()).post(url).status_code, 403)
        home = self.login(self.case_worker, client=Client()).get(reverse("core:staff_home"))
        self.assertContains(home, "Serah terima")
        response = self.login(self.case_worker, client=Client()).post(url)
        self.assertEqual(response.status_code, 302)
        handover.refresh_from_db()
        self.assertEqual(handover.acknowledged_by, self.case_worker)

    def test_an_empty_note_is_refused_and_someone_off_shift_may_not_write(self) -> None:
        self.plan_now()
        response = self.login(self.operator).post(reverse("alerts:handover"), {"note": "   "})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.login(self.case_worker, client=Client()).post(
            reverse("alerts:handover"), {"note": "x"}).status_code, 403)
        self.assertFalse(Handover.objects.exists())

    def test_the_note_is_sealed(self) -> None:
        self.plan_now()
        actions.write_handover("Telepon balik pelapor tentang kunjungan", by=self.operator)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT note FROM alerts_handover")
            stored = cursor.fetchone()[0]
        self.assertNotIn("Telepon balik", str(stored))


class UnreadCountTests(AlertsTestCase):
    def test_the_navigation_shows_the_unread_count_next_to_notifikasi(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            notify([self.operator], "test", "Satu")
            notify([self.operator], "test", "Dua")
        page = self.login(self.operator).get(reverse("core:staff_home"))
        self.assertContains(page, 'class="badge unread-count">2<')
        self.client.post(reverse("notifications:mark_all_read"))
        page = self.client.get(reverse("core:staff_home"))
        self.assertNotContains(page, "unread-count")
        page = self.login(self.manager, client=Client()).get(reverse("core:staff_home"))
        self.assertNotContains(page, "unread-count")
