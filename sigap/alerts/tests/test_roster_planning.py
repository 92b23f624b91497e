"""The manager deletes a roster entry (confirmed, audited) and repeats a week's pattern over a date range."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.alerts import actions, roster
from sigap.alerts.models import RosterEntry, Shift
from sigap.alerts.tests.base import AlertsTestCase
from sigap.vault.models import AuditEntry


def monday_in(weeks: int) -> datetime.date:
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=weeks)


class RosterDeleteTests(AlertsTestCase):
    def setUp(self) -> None:
        day = monday_in(2) + datetime.timedelta(days=1)
        while roster.shifts_of(day)[0] != Shift.KANTOR:
            day += datetime.timedelta(days=1)
        self.entry = RosterEntry.objects.create(date=day, shift=Shift.SORE, duty=self.operator,
                                                backup=self.case_worker, planned_by=self.manager)
        self.url = reverse("alerts:roster_delete", args=[self.entry.pk])

    def test_only_the_manager_reaches_the_confirmation_and_deletes(self) -> None:
        self.assertAllowedOnly("get", self.url, [self.manager])
        self.assertTrue(RosterEntry.objects.filter(pk=self.entry.pk).exists())  # a GET only asks
        for user in (self.operator, self.case_worker, self.volunteer_a, self.data_officer):
            self.assertEqual(self.login(user, client=Client()).post(self.url).status_code, 403)
        self.assertTrue(RosterEntry.objects.filter(pk=self.entry.pk).exists())

    def test_confirming_deletes_audits_and_tells_the_people_planned(self) -> None:
        client = self.login(self.manager)
        page = client.get(self.url)
        self.assertContains(page, "Ya, hapus jadwal ini")
        self.assertContains(page, "operator")
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(RosterEntry.objects.filter(pk=self.entry.pk).exists())
        audit = AuditEntry.objects.get(action="alerts.roster_deleted")
        self.assertEqual((audit.actor, audit.object_id), (self.manager, f"{self.entry.date}:sore"))
        self.assertEqual(self.recipients("alerts.roster_deleted"), {"operator", "pendamping"})
        self.assertEqual(client.post(self.url).status_code, 404)  # twice: nothing left

    def test_a_shift_that_has_ended_is_kept_as_the_record(self) -> None:
        past = timezone.now() - datetime.timedelta(days=3)
        found = roster.slot_at(past)
        old = RosterEntry.objects.create(date=found.date, shift=found.shift, duty=self.operator,
                                         backup=self.operator_b, planned_by=self.manager)
        client = self.login(self.manager)
        self.assertNotContains(client.get(reverse("alerts:roster") + f"?mulai={found.date}"),
                               reverse("alerts:roster_delete", args=[old.pk]))
        response = client.post(reverse("alerts:roster_delete", args=[old.pk]))
        self.assertContains(response, "sudah lewat", status_code=400)
        self.assertTrue(RosterEntry.objects.filter(pk=old.pk).exists())

    def test_the_running_shift_warns_that_alerts_fall_to_the_manager(self) -> None:
        current = self.plan_now()
        page = self.login(self.manager).get(reverse("alerts:roster_delete", args=[current.pk]))
        self.assertContains(page, "sedang berjalan")
        self.assertEqual(self.client.get(f"/piket/hapus/{2**70}/").status_code, 404)


class RepeatWeekTests(AlertsTestCase):
    def setUp(self) -> None:
        self.source = monday_in(1)
        # A full week: operator on duty on weekdays' office hours, operator-b evenings and nights, weekends.
        for offset in range(7):
            day = self.source + datetime.timedelta(days=offset)
            for shift in roster.shifts_of(day):
                duty, backup = ((self.operator, self.operator_b) if shift == Shift.KANTOR
                                else (self.operator_b, self.case_worker))
                RosterEntry.objects.create(date=day, shift=shift, duty=duty, backup=backup, planned_by=self.manager)
        self.url = reverse("alerts:roster_repeat")

    def form(self, **data: Any) -> dict[str, Any]:
        base = {"source": self.source.isoformat(), "start": monday_in(2).isoformat(),
                "end": (monday_in(2) + datetime.timedelta(days=27)).isoformat()}
        base.update(data)
        return base

    def preview(self, user: Any = None, **data: Any) -> Any:
        return self.login(user or self.manager, client=Client()).post(self.url, self.form(**data))

    def post(self, user: Any = None, **data: Any) -> Any:
        """Preview, then confirm that preview (what the manager does)."""
        client = self.login(user or self.manager, client=Client())
        shown = client.post(self.url, self.form(**data))
        if shown.status_code != 200:
            return shown
        with self.captureOnCommitCallbacks(execute=True):
            return client.post(self.url, {**self.form(**data), "konfirmasi": "1",
                                          "rencana": shown.context["plan"].fingerprint})

    def test_only_the_manager_plans_in_bulk(self) -> None:
        self.assertAllowedOnly("get", self.url, [self.manager])
        for user in (self.operator, self.case_worker, self.volunteer_a):
            self.assertEqual(self.post(user).status_code, 403)
        self.assertFalse(RosterEntry.objects.filter(date__gte=monday_in(2)).exists())

    def test_four_weeks_follow_the_pattern_weekday_by_weekday(self) -> None:
        response = self.post()
        self.assertEqual(response.status_code, 302)
        start = monday_in(2)
        for offset in range(28):
            day = start + datetime.timedelta(days=offset)
            for shift in roster.shifts_of(day):
                entry = RosterEntry.objects.get(date=day, shift=shift)
                expected = "operator" if shift == Shift.KANTOR else "operator-b"
                self.assertEqual(entry.duty.username, expected, f"{day} {shift}")
                self.assertEqual(entry.planned_by, self.manager)
        self.assertEqual(AuditEntry.objects.filter(action="alerts.roster_week_repeated").count(), 1)
        self.assertEqual(self.recipients("alerts.roster_planned"), {"operator", "operator-b", "pendamping"})

    def test_planned_shifts_are_kept_unless_overwrite_is_ticked(self) -> None:
        day = monday_in(2) + datetime.timedelta(days=2)
        shift = roster.shifts_of(day)[0]
        RosterEntry.objects.create(date=day, shift=shift, duty=self.case_worker, backup=self.manager,
                                   planned_by=self.manager)
        self.post()
        self.assertEqual(RosterEntry.objects.get(date=day, shift=shift).duty, self.case_worker)
        self.post(overwrite="on")
        self.assertNotEqual(RosterEntry.objects.get(date=day, shift=shift).duty, self.case_worker)

    def test_people_no_longer_active_are_not_planned(self) -> None:
        self.operator.is_active = False
        self.operator.save()
        self.post()
        self.assertFalse(RosterEntry.objects.filter(date__gte=monday_in(2), duty=self.operator).exists())
        self.assertTrue(RosterEntry.objects.filter(date__gte=monday_in(2), duty=self.operator_b).exists())

    def test_bad_ranges_are_refused_and_nothing_is_planned(self) -> None:
        start = monday_in(2)
        cases = [
            ({"end": (start - datetime.timedelta(days=1)).isoformat()}, "sesudah tanggal mulai"),
            ({"end": (start + datetime.timedelta(days=92)).isoformat()}, "Paling banyak 92 hari"),
            ({"source": monday_in(8).isoformat()}, "belum punya jadwal"),
            ({"start": self.source.isoformat()}, "minggu contoh itu sendiri"),
            ({"start": "2026-02-30"}, "tanggal yang valid"),
            ({"start": "٢٠٢٦-١٢-٠٤"}, "tanggal yang valid"),
            ({"end": "9999-12-31"}, "di luar jangkauan"),
        ]
        for data, message in cases:
            response = self.post(**data)
            self.assertContains(response, message, status_code=400, msg_prefix=str(data))
        self.assertFalse(RosterEntry.objects.filter(date__gte=monday_in(2)).exists())

    def test_shifts_already_over_are_never_touched(self) -> None:
        result = actions.repeat_week(self.source, monday_in(2), monday_in(2), by=self.manager,
                                     now=timezone.make_aware(datetime.datetime.combine(
                                         monday_in(2), datetime.time(17, 0))))
        self.assertEqual(result.past, 1 if roster.shifts_of(monday_in(2))[0] == Shift.KANTOR else 0)

    def test_the_first_post_only_shows_what_would_be_created_kept_and_left_empty(self) -> None:
        day = monday_in(2) + datetime.timedelta(days=2)
        shift = roster.shifts_of(day)[0]
        RosterEntry.objects.create(date=day, shift=shift, duty=self.case_worker, backup=self.manager,
                                   planned_by=self.manager)
        self.operator_b.is_active = False  # every sore/malam/libur shift of the pattern has them
        self.operator_b.save()
        response = self.preview()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(RosterEntry.objects.filter(date__gte=monday_in(2)).count(), 1)  # nothing planned yet
        self.assertFalse(AuditEntry.objects.filter(action="alerts.roster_week_repeated").exists())
        plan = response.context["plan"]
        slots = len(roster.slots_between(roster.slot(monday_in(2), roster.shifts_of(monday_in(2))[0]).start,
                                         roster.slot(monday_in(6), roster.shifts_of(monday_in(6))[0]).start))
        self.assertEqual(len(plan.rows), slots)
        self.assertEqual(len(plan.existing), 1)
        self.assertEqual(plan.existing[0].step, actions.PlanStep.KEEP)
        self.assertEqual(len(plan.created) + len(plan.gaps) + 1, slots)
        self.assertTrue(plan.gaps)
        self.assertContains(response, "Pratinjau")
        self.assertContains(response, f"{len(plan.created)} shift kosong akan diisi")
        self.assertContains(response, "1 shift sudah diatur")
        self.assertContains(response, "dibiarkan (Timpa tidak dicentang)")
        self.assertContains(response, f"{len(plan.gaps)} shift tetap kosong")
        self.assertContains(response, "petugas di minggu contoh tidak aktif lagi")
        self.assertContains(response, "Konfirmasi dan simpan jadwal")

    def test_with_overwrite_the_preview_names_what_is_replaced_and_confirming_plans_it(self) -> None:
        day = monday_in(2) + datetime.timedelta(days=2)
        shift = roster.shifts_of(day)[0]
        RosterEntry.objects.create(date=day, shift=shift, duty=self.case_worker, backup=self.manager,
                                   planned_by=self.manager)
        response = self.preview(overwrite="on")
        self.assertEqual([row.step for row in response.context["plan"].existing], [actions.PlanStep.REPLACE])
        self.assertContains(response, "<strong>ditimpa</strong>", html=False)
        self.assertContains(response, "pendamping / kepala")
        self.assertEqual(self.post(overwrite="on").status_code, 302)
        self.assertEqual(RosterEntry.objects.get(date=day, shift=shift).duty.username, "operator")

    def test_a_confirmation_of_a_stale_preview_plans_nothing_and_shows_the_new_one(self) -> None:
        client = self.login(self.manager)
        shown = client.post(self.url, self.form())
        day = monday_in(3)
        RosterEntry.objects.create(date=day, shift=roster.shifts_of(day)[0], duty=self.case_worker,
                                   backup=self.manager, planned_by=self.manager)  # a colleague plans meanwhile
        response = client.post(self.url, {**self.form(), "konfirmasi": "1",
                                           "rencana": shown.context["plan"].fingerprint})
        self.assertContains(response, "berubah sejak pratinjau", status_code=400)
        self.assertContains(response, "1 shift sudah diatur", status_code=400)
        self.assertEqual(RosterEntry.objects.filter(date__gte=monday_in(2)).count(), 1)
        for forged in ("", "0" * 24):
            response = client.post(self.url, {**self.form(), "konfirmasi": "1", "rencana": forged})
            self.assertEqual(response.status_code, 400)
        self.assertEqual(RosterEntry.objects.filter(date__gte=monday_in(2)).count(), 1)
