"""Issue 16, data that tells the truth: service times, closure settles open work, places unknown."""

from __future__ import annotations

import datetime

from django.utils import timezone

from sigap.cases import actions
from sigap.cases.actions import CaseActionError
from sigap.cases.codes import ReferralStatus
from sigap.cases.models import Referral, Task
from sigap.cases.tests.factories import create_case, create_partner
from sigap.cases.timeline import build
from sigap.lib.testing import SigapTestCase


class ServiceTimeTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)

    def test_a_service_has_a_date_and_time_default_now_and_orders_the_timeline(self) -> None:
        now = timezone.now()
        record = actions.record_service(self.case, by=self.case_worker, service="pendampingan", now=now)
        self.assertEqual(record.delivered_at, now)
        self.case.refresh_from_db()
        self.assertEqual(self.case.first_service_at, now)
        earlier = actions.record_service(self.case, by=self.case_worker, service="pendampingan",
                                         delivered_at=now - datetime.timedelta(minutes=30))
        services = [e for e in build(self.case) if e.kind == "service"]
        self.assertEqual([e.at for e in services], [earlier.delivered_at, record.delivered_at])

    def test_a_service_today_is_never_after_the_closure(self) -> None:
        actions.record_service(self.case, by=self.case_worker, service="pendampingan",
                               delivered_on=timezone.localdate())
        closure = actions.close_case(self.case, by=self.case_worker, outcome="tujuan_tercapai", reason="Pulih.")
        case = actions.approve_closure(closure, by=self.manager)
        assert case.first_service_at is not None and case.closed_at is not None
        self.assertLessEqual(case.first_service_at, case.closed_at)

    def test_a_future_service_time_is_refused(self) -> None:
        with self.assertRaises(CaseActionError):
            actions.record_service(self.case, by=self.case_worker, service="pendampingan",
                                   delivered_at=timezone.now() + datetime.timedelta(hours=2))
        self.assertFalse(self.case.services.exists())


class ClosureOpenWorkTests(SigapTestCase):
    def setUp(self) -> None:
        self.case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        self.partner_org = create_partner("rsud", services=("kesehatan",))
        self.referral = actions.send_referral(self.case, self.partner_org, by=self.case_worker, service="kesehatan",
                                              consent=True)
        self.closure = actions.close_case(self.case, by=self.case_worker, outcome="tujuan_tercapai",
                                          reason="Pulih.")

    def test_open_work_lists_open_tasks_and_unanswered_referrals(self) -> None:
        tasks, referrals = actions.open_work(self.case)
        self.assertEqual({t.pk for t in tasks},
                         set(Task.objects.filter(case=self.case, done_at__isnull=True).values_list("pk", flat=True)))
        self.assertEqual(referrals, [self.referral])

    def test_approving_requires_a_decision_and_reason_for_each_and_changes_nothing_otherwise(self) -> None:
        tasks, _referrals = actions.open_work(self.case)
        decisions = {f"task-{t.pk}": ("selesai", "Sudah dikunjungi.") for t in tasks}
        with self.assertRaises(CaseActionError):
            actions.approve_closure(self.closure, by=self.manager, decisions=decisions)
        # An unanswered referral cannot be called done.
        decisions[f"referral-{self.referral.pk}"] = ("selesai", "x")
        with self.assertRaises(CaseActionError):
            actions.approve_closure(self.closure, by=self.manager, decisions=decisions)
        self.case.refresh_from_db()
        self.assertTrue(self.case.is_open)
        self.assertTrue(Task.objects.filter(case=self.case, done_at__isnull=True).exists())

    def test_approving_closes_or_cancels_each_with_its_reason(self) -> None:
        tasks, _referrals = actions.open_work(self.case)
        decisions = {f"task-{t.pk}": ("selesai", "Sudah dikunjungi.") for t in tasks}
        decisions[f"referral-{self.referral.pk}"] = ("batal", "Korban tidak lagi membutuhkan.")
        case = actions.approve_closure(self.closure, by=self.manager, decisions=decisions)
        self.assertFalse(case.is_open)
        self.assertFalse(Task.objects.filter(case=case, done_at__isnull=True).exists())
        self.assertFalse(Task.objects.filter(case=case, cancelled=True).exists())
        referral = Referral.objects.get(pk=self.referral.pk)
        self.assertEqual(referral.status, ReferralStatus.CANCELLED)
        last = referral.updates.last()
        assert last is not None
        self.assertEqual(last.note, "Korban tidak lagi membutuhkan.")
        self.assertEqual(actions.open_tasks_for(self.case_worker).filter(case=case).count(), 0)
