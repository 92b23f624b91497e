from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sigap.cases import actions
from sigap.cases.codes import Stage
from sigap.cases.models import Case, Task
from sigap.cases.queries import PAGE_SIZE
from sigap.cases.tests.factories import create_case, create_partner, move_to, sexual_violence
from sigap.intake.tests.factories import VICTIM_NIK, adult_victim
from sigap.lib.testing import DESA_B, SigapTestCase
from sigap.vault.models import AuditEntry


def queries_for(client: Client, url: str) -> int:
    """The queries of one request, without the session middleware's bookkeeping.

    The accounts middleware refreshes the session's activity time now and then
    (time-based, with its savepoint); that is not the page's work, so it is left out.
    """
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    page_queries = [q["sql"] for q in captured.captured_queries
                    if '"django_session"' not in q["sql"] and "SAVEPOINT" not in q["sql"]]
    return len(page_queries)


class BoundedQueryTests(SigapTestCase):
    """The list and a case page cost the same number of queries with 5 or 50 cases in the database."""

    def _grow_to(self, n: int) -> None:
        while Case.objects.count() < n:
            create_case(self.operator, assign_to=self.case_worker, manager=self.manager)

    def _busy_case(self) -> Case:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        move_to(case, Stage.PELAKSANAAN, by=self.manager)
        actions.record_service(case, by=self.case_worker, service="pendampingan", delivered_on=timezone.localdate())
        actions.add_note(case, by=self.case_worker, body="Catatan.")
        actions.send_referral(case, create_partner("hospital", added_by=self.manager), by=self.case_worker,
                              service="kesehatan", consent=True)
        return case

    def test_the_case_list_costs_the_same_with_5_and_50_cases(self) -> None:
        client = self.login(self.manager)
        self._grow_to(5)
        small = {url: queries_for(client, url) for url in ("/kasus/", "/kasus/?status=all&risk=rendah",
                                                           "/kasus/?violence=psikis&overdue=1")}
        self._grow_to(50)
        large = {url: queries_for(client, url) for url in small}
        self.assertEqual(small, large)
        worker = self.login(self.case_worker, client=Client())
        self.assertEqual(queries_for(worker, "/kasus/"), queries_for(worker, "/kasus/?stage=penerimaan"))

    def test_a_case_page_costs_the_same_with_5_and_50_cases_and_with_more_records_in_the_case(self) -> None:
        client = self.login(self.manager)
        case = self._busy_case()
        self._grow_to(5)
        pages = [f"/kasus/{case.pk}/", f"/kasus/{case.pk}/linimasa/", f"/kasus/{case.pk}/rencana/",
                 f"/kasus/{case.pk}/layanan/", f"/kasus/{case.pk}/rujukan/", f"/kasus/{case.pk}/dokumen/"]
        small = {url: queries_for(client, url) for url in pages}
        self._grow_to(50)
        for _ in range(3):
            actions.add_note(case, by=self.case_worker, body="Catatan lagi.")
            actions.record_service(case, by=self.case_worker, service="pengelolaan_kasus",
                                   delivered_on=timezone.localdate())
        large = {url: queries_for(client, url) for url in pages}
        self.assertEqual(small, large)
        self.assertEqual(queries_for(client, "/kasus/pekerjaan-saya/"), queries_for(client, "/kasus/pekerjaan-saya/"))


class CaseListTests(SigapTestCase):
    def test_filters_narrow_the_list(self) -> None:
        high = create_case(self.operator, assign_to=self.case_worker, manager=self.manager, immediate_danger=True)
        sexual = create_case(self.operator, **sexual_violence())
        elsewhere = create_case(self.operator, victims=[adult_victim(desa=DESA_B)])
        client = self.login(self.manager)

        def numbers(query: str) -> set[str]:
            page = client.get(f"/kasus/?{query}").context["page"]
            return {row["number"] for row in page.rows}

        self.assertEqual(numbers(""), {high.number, sexual.number, elsewhere.number})
        self.assertEqual(numbers("risk=tinggi"), {high.number})
        self.assertEqual(numbers("violence=seksual"), {sexual.number})
        self.assertEqual(numbers(f"kecamatan={elsewhere.kecamatan_code}"), {elsewhere.number})
        self.assertEqual(numbers(f"desa={DESA_B}"), {elsewhere.number})
        self.assertEqual(numbers(f"worker={self.case_worker.pk}"), {high.number})
        self.assertEqual(numbers(f"q={sexual.number}"), {sexual.number})
        self.assertEqual(numbers(f"q={elsewhere.registration_number}"), {elsewhere.number})
        actions.move_stage(high, Stage.IDENTIFIKASI, by=self.case_worker)
        self.assertEqual(numbers("stage=identifikasi"), {high.number})
        Task.objects.filter(case=sexual).update(due_at=timezone.now() - datetime.timedelta(hours=1))
        actions.refresh_next_due(sexual)
        self.assertEqual(numbers("overdue=1"), {sexual.number})
        # A stage or "overdue" implies the status: all cases means the open ones here, and a
        # contradiction (closed and overdue, closed at asesmen, open at terminasi) is empty.
        self.assertEqual(numbers("status=all&overdue=1"), {sexual.number})
        self.assertEqual(numbers("status=all&stage=identifikasi"), {high.number})
        for contradiction in ("status=closed&overdue=1", "status=closed&stage=identifikasi",
                              "status=open&stage=terminasi"):
            self.assertEqual(numbers(contradiction), set(), contradiction)
        closure = actions.close_case(elsewhere, by=self.manager, outcome="tujuan_tercapai", reason="Selesai.")
        actions.approve_closure(closure, by=self.manager)
        self.assertEqual(numbers("status=all&stage=terminasi"), {elsewhere.number})
        self.assertEqual(numbers("status=closed"), {elsewhere.number})

    def test_lookup_by_nik_and_phone_through_blind_indexes_is_audited_without_the_value(self) -> None:
        victim = adult_victim(nik=None)
        victim["nik"] = None
        with_nik = create_case(self.operator, victims=[{**victim, "nik": VICTIM_NIK, "birth_date": "2014-01-01",
                                                        "age": None}])
        other = create_case(self.operator, reporter={"declined_identity": True, "declined_reason": "takut"})
        client = self.login(self.manager)
        page = client.post("/kasus/", {"nik": VICTIM_NIK}).context["page"]
        self.assertEqual([r["number"] for r in page.rows], [with_nik.number])
        page = client.post("/kasus/", {"phone": "+62 812 0000 1111"}).context["page"]
        self.assertEqual([r["number"] for r in page.rows], [with_nik.number])
        self.assertNotIn(other.number, [r["number"] for r in page.rows])
        entries = AuditEntry.objects.filter(action="cases.identifier_lookup")
        self.assertEqual(sorted(entries.values_list("reason", flat=True)), ["nik; matched=1", "phone; matched=1"])
        response = client.post("/kasus/", {"nik": "123"})
        self.assertContains(response, "NIK harus 16 angka.", status_code=400)
        # In a query string the identifiers are ignored: they never travel in a URL.
        page = client.get("/kasus/", {"nik": VICTIM_NIK}).context["page"]
        self.assertIn(other.number, [r["number"] for r in page.rows])

    def test_keyset_pages_walk_every_case_once(self) -> None:
        now = timezone.now()
        for i in range(PAGE_SIZE + 5):
            case = create_case(self.operator)
            Case.objects.filter(pk=case.pk).update(opened_at=now - datetime.timedelta(minutes=i % 7))
        client = self.login(self.manager)
        seen: list[str] = []
        url = "/kasus/"
        while url:
            response = client.get(url)
            page = response.context["page"]
            seen += [row["number"] for row in page.rows]
            url = f"/kasus/?after={page.next_cursor}" if page.next_cursor else ""
        self.assertEqual(len(seen), PAGE_SIZE + 5)
        self.assertEqual(len(set(seen)), PAGE_SIZE + 5)

    def test_the_case_worker_list_shows_only_their_cases(self) -> None:
        mine = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        create_case(self.operator)
        page = self.login(self.case_worker).get("/kasus/").context["page"]
        self.assertEqual([r["number"] for r in page.rows], [mine.number])

    def test_the_assignment_screen_shows_each_workers_load_and_overdue_count(self) -> None:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        Task.objects.filter(case=case).update(due_at=timezone.now() - datetime.timedelta(hours=2))
        response = self.login(self.manager).get(f"/kasus/{case.pk}/tugaskan/")
        loads: list[Any] = response.context["loads"]
        mine = next(load for load in loads if load.user == self.case_worker)
        self.assertEqual((mine.open_cases, mine.overdue_tasks), (2, 1))
        manager = next(load for load in loads if load.user == self.manager)
        self.assertEqual((manager.open_cases, manager.overdue_tasks), (0, 0))
