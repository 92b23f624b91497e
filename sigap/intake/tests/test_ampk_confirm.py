""""Konfirmasi kelompok AMPK": staff take SIGAP's suggested AMPK groups of a child victim as their own choice.

Who may (the rule of the amendment page, ``amend.may_amend``), the flag turned, the history and the audit entry,
a second confirmation and bad input changing nothing, and the "usulan SIGAP" mark leaving the report page.
"""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from sigap.accounts.roles import Role
from sigap.cases import actions as case_actions
from sigap.cases.timeline import build
from sigap.intake.amend import amend_report, confirm_ampk_groups
from sigap.intake.models import Report, ReportAmendment, Victim, VictimAmpkGroup
from sigap.intake.tests.factories import adult_victim, create_report
from sigap.intake.validation import ReportInvalid
from sigap.lib.testing import SigapTestCase, create_user
from sigap.vault.models import AuditEntry

CONFIRMED = "intake.ampk_groups_confirmed"
GROUPS = {"kekerasan_fisik_psikis", "perlakuan_salah"}  # what psikis and penelantaran point to


def url(report: Report) -> str:
    return f"/pengaduan/laporan/{report.pk}/ampk/konfirmasi/"


def groups(victim: Victim) -> dict[str, bool]:
    """group -> suggested."""
    return dict(VictimAmpkGroup.objects.filter(victim=victim).values_list("group", "suggested"))


def ampk_shown(page: str) -> str:
    """What the report page shows under "Kelompok AMPK" (the victim's groups, not the history)."""
    found = re.search(r"<dt>Kelompok AMPK</dt><dd>(.*?)</dd>", page, re.S)
    assert found is not None, "no AMPK groups on the page"
    return found.group(1)


class ConfirmTestCase(SigapTestCase):
    def file_child(self, by: Any = None, **overrides: Any) -> tuple[Report, Victim]:
        """A report about a 12-year-old girl; psikis and penelantaran: two groups suggested."""
        overrides.setdefault("violence_types", ["psikis", "penelantaran"])
        report = create_report(by or self.operator, **overrides).report
        victim = Victim.objects.get(report=report)
        self.assertTrue(victim.is_child)
        return report, victim

    def assertUnchanged(self, victim: Victim, before: dict[str, bool]) -> None:
        self.assertEqual(groups(victim), before)
        self.assertFalse(ReportAmendment.objects.filter(report_id=victim.report_id).exists())
        self.assertFalse(AuditEntry.objects.filter(action=CONFIRMED).exists())


class ConfirmTests(ConfirmTestCase):
    def test_confirming_makes_the_suggested_groups_staffs_choice_and_changes_nothing_else(self) -> None:
        report, victim = self.file_child()
        self.assertEqual(groups(victim), dict.fromkeys(GROUPS, True))
        before = Report.objects.filter(pk=report.pk).values(
            "risk", "risk_reasons", "case_type", "response_due_at", "status", "authority", "desa_id").get()
        victim_before = Victim.objects.filter(pk=victim.pk).values().get()
        self.login(self.operator)
        response = self.client.post(url(report), {"victim": str(victim.pk)})
        self.assertRedirects(response, f"/pengaduan/laporan/{report.pk}/", fetch_redirect_response=False)
        self.assertEqual(groups(victim), dict.fromkeys(GROUPS, False))
        self.assertEqual(Report.objects.filter(pk=report.pk).values(*before).get(), before)
        self.assertEqual(Victim.objects.filter(pk=victim.pk).values().get(), victim_before)
        # One amendment in the report's history: the same groups, no longer "usulan SIGAP".
        row = ReportAmendment.objects.get(report=report)
        self.assertEqual((row.field, row.label, row.by), ("victims.0.ampk_groups", "Korban 1: kelompok AMPK",
                                                          self.operator))
        self.assertEqual(row.old_value, "Anak korban kekerasan fisik dan/atau psikis (usulan SIGAP), "
                                        "Anak korban perlakuan salah dan penelantaran (usulan SIGAP)")
        self.assertEqual(row.new_value, "Anak korban kekerasan fisik dan/atau psikis, "
                                        "Anak korban perlakuan salah dan penelantaran")
        self.assertTrue(row.reason)
        # One audit entry naming the victim by id only.
        entry = AuditEntry.objects.get(action=CONFIRMED)
        self.assertEqual((entry.actor, entry.object_type, entry.object_id, entry.reason),
                         (self.operator, "intake.victim", str(victim.pk), ""))
        self.assertNotIn("Siti", str(AuditEntry.objects.filter(action=CONFIRMED).values().get()))

    def test_the_mark_and_the_button_leave_the_report_page_and_the_history_shows_the_confirmation(self) -> None:
        report, victim = self.file_child()
        self.login(self.operator)
        page = self.client.get(f"/pengaduan/laporan/{report.pk}/").content.decode()
        self.assertIn("usulan SIGAP", ampk_shown(page))
        self.assertIn(f'id="ampk-confirm-{victim.pk}"', page)
        self.assertIn("Konfirmasi kelompok AMPK", page)
        follow = self.client.post(url(report), {"victim": victim.pk}, follow=True)
        page = follow.content.decode()
        self.assertIn("Kelompok AMPK korban 1 dikonfirmasi sebagai pilihan petugas.", page)
        shown = ampk_shown(page)
        self.assertIn("Anak korban kekerasan fisik dan/atau psikis", shown)
        self.assertIn("Anak korban perlakuan salah dan penelantaran", shown)
        self.assertNotIn("usulan SIGAP", shown)
        self.assertNotIn("ampk-confirm-", page)
        self.assertIn("Korban 1: kelompok AMPK", page)  # the history
        self.assertIn("Diubah 1 kali", page)

    def test_the_case_timeline_shows_the_confirmation_as_an_amendment(self) -> None:
        report, victim = self.file_child()
        case = case_actions.open_case([report], by=self.operator)
        case_actions.assign_case(case, self.case_worker, by=self.manager)
        confirm_ampk_groups(report, victim, by=self.case_worker)
        entries = [e for e in build(case, self.case_worker) if e.kind == "amendment"]
        self.assertEqual(len(entries), 1)
        self.assertIn("Korban 1: kelompok AMPK", entries[0].title)
        self.assertIn("(usulan SIGAP)", entries[0].body or "")

    def test_confirming_twice_is_harmless(self) -> None:
        report, victim = self.file_child()
        self.login(self.manager)
        self.assertEqual(self.client.post(url(report), {"victim": victim.pk}).status_code, 302)
        again = self.client.post(url(report), {"victim": victim.pk}, follow=True)  # a double click
        self.assertRedirects(again, reverse("intake:report_detail", args=[report.pk]))
        self.assertContains(again, "Kelompok AMPK korban 1 sudah pilihan petugas.")
        self.assertEqual(groups(victim), dict.fromkeys(GROUPS, False))
        self.assertEqual(ReportAmendment.objects.filter(report=report).count(), 1)
        self.assertEqual(AuditEntry.objects.filter(action=CONFIRMED).count(), 1)

    def test_a_victim_without_suggested_groups_gets_a_clear_message_and_nothing_changes(self) -> None:
        chosen_report, chosen = self.file_child()
        amend_report(chosen_report, {"victims.0.ampk_groups": ["situasi_darurat"]}, by=self.operator,
                     reason="Asesmen.")
        ReportAmendment.objects.all().delete()
        none_report, no_groups = self.file_child(violence_types=["lainnya"])  # nothing to suggest
        adult_report = create_report(self.operator, victims=[adult_victim()]).report
        adult = Victim.objects.get(report=adult_report)
        self.login(self.operator)
        before = groups(chosen)
        response = self.client.post(url(chosen_report), {"victim": chosen.pk}, follow=True)
        self.assertContains(response, "sudah pilihan petugas")  # already chosen: said, nothing changed
        self.assertUnchanged(chosen, before)
        cases = [
            (none_report, no_groups, "tidak mempunyai kelompok AMPK usulan SIGAP"),
            (adult_report, adult, "hanya untuk korban anak"),
        ]
        for report, victim, message in cases:
            with self.subTest(message):
                before = groups(victim)
                response = self.client.post(url(report), {"victim": victim.pk})
                self.assertContains(response, message, status_code=400)
                self.assertUnchanged(victim, before)
        self.assertEqual(groups(chosen), {"situasi_darurat": False})
        self.assertEqual(groups(no_groups), {})
        with self.assertRaises(ReportInvalid):
            confirm_ampk_groups(adult_report, adult, by=self.operator)

    def test_bad_input_is_refused_and_nothing_changes(self) -> None:
        report, victim = self.file_child()
        other_report, other_victim = self.file_child()
        before = groups(victim)
        self.login(self.operator)
        bad: list[tuple[dict[str, Any], int]] = [
            ({}, 400),
            ({"victim": ""}, 400),
            ({"victim": "abc"}, 400),
            ({"victim": f"{victim.pk}\x00"}, 400),
            ({"victim": f"{victim.pk}abc"}, 400),
            ({"victim": "１"}, 400),  # a full-width digit
            ({"victim": "²"}, 400),
            ({"victim": "-1"}, 400),
            ({"victim": "0"}, 400),
            ({"victim": f" {victim.pk}"}, 400),
            ({"victim": "9" * 40}, 400),
            ({"victim": str(2**63)}, 400),
            ({"victim": str(2**63 - 1)}, 404),
            ({"victim": other_victim.pk}, 404),  # a victim of another report
        ]
        for data, status in bad:
            with self.subTest(data):
                self.assertEqual(self.client.post(url(report), data).status_code, status)
        self.assertUnchanged(victim, before)
        self.assertEqual(groups(other_victim), before)
        self.assertFalse(ReportAmendment.objects.filter(report=other_report).exists())
        # Hostile report ids in the path: not found.
        for path in ("/pengaduan/laporan/0/ampk/konfirmasi/", f"/pengaduan/laporan/{'9' * 30}/ampk/konfirmasi/",
                     "/pengaduan/laporan/abc/ampk/konfirmasi/"):
            with self.subTest(path):
                self.assertEqual(self.client.post(path, {"victim": victim.pk}).status_code, 404)
        self.assertUnchanged(victim, before)

    def test_only_a_post_with_the_csrf_token_confirms(self) -> None:
        report, victim = self.file_child()
        before = groups(victim)
        self.login(self.operator)
        self.assertEqual(self.client.get(url(report), {"victim": victim.pk}).status_code, 405)
        client = self.login(self.operator, client=Client(enforce_csrf_checks=True))
        self.assertEqual(client.post(url(report), {"victim": victim.pk}).status_code, 403)
        self.assertUnchanged(victim, before)
        # The page's own form carries the token.
        page = client.get(f"/pengaduan/laporan/{report.pk}/").content.decode()
        form = re.search(rf'<form[^>]*id="ampk-confirm-{victim.pk}".*?</form>', page, re.S)
        assert form is not None
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0))
        assert token is not None
        response = client.post(url(report), {"victim": victim.pk, "csrfmiddlewaretoken": token.group(1)})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(groups(victim), dict.fromkeys(GROUPS, False))


class ConfirmAccessTests(ConfirmTestCase):
    def _try(self, user: Any) -> tuple[int, Report, Victim, dict[str, bool]]:
        report, victim = self.file_child()
        before = groups(victim)
        client = Client()
        self.login(user, client=client)
        return client.post(url(report), {"victim": victim.pk}).status_code, report, victim, before

    def test_operators_and_the_manager_confirm_before_a_case_opens_everyone_else_is_refused(self) -> None:
        allowed = [self.manager, self.operator]
        for user in self.everyone:
            with self.subTest(user.username):
                status, report, victim, before = self._try(user)
                if user in allowed:
                    self.assertEqual(status, 302)
                    self.assertEqual(groups(victim), dict.fromkeys(GROUPS, False))
                else:
                    self.assertIn(status, (403, 404))
                    self.assertEqual(groups(victim), before)
                    self.assertFalse(ReportAmendment.objects.filter(report=report).exists())
        self.assertEqual(AuditEntry.objects.filter(action=CONFIRMED).count(), len(allowed))

    def test_anonymous_is_sent_to_sign_in(self) -> None:
        report, victim = self.file_child()
        before = groups(victim)
        response = Client().post(url(report), {"victim": victim.pk})
        self.assertEqual(response.status_code, 302)
        self.assertIn("/akun/masuk/", response["Location"])
        self.assertUnchanged(victim, before)

    def test_in_a_case_the_assigned_worker_and_the_manager_confirm_not_the_operator(self) -> None:
        report, victim = self.file_child()
        case = case_actions.open_case([report], by=self.operator)
        case_actions.assign_case(case, self.case_worker, by=self.manager)
        other_worker = create_user(Role.CASE_WORKER, "pendamping-lain")
        before = groups(victim)
        for user in [*self.everyone, other_worker]:
            if user in (self.manager, self.case_worker):
                continue
            with self.subTest(user.username):
                client = self.login(user, client=Client())
                self.assertIn(client.post(url(report), {"victim": victim.pk}).status_code, (403, 404))
        self.assertUnchanged(victim, before)
        # The operator still reads the report, with the mark but without the button.
        page = self.login(self.operator, client=Client()).get(f"/pengaduan/laporan/{report.pk}/").content.decode()
        self.assertIn("usulan SIGAP", ampk_shown(page))
        self.assertNotIn("ampk-confirm-", page)
        worker = self.login(self.case_worker, client=Client())
        self.assertIn(f'id="ampk-confirm-{victim.pk}"', worker.get(f"/pengaduan/laporan/{report.pk}/").content.decode())
        self.assertEqual(worker.post(url(report), {"victim": victim.pk}).status_code, 302)
        self.assertEqual(groups(victim), dict.fromkeys(GROUPS, False))

    def test_the_volunteer_who_filed_it_may_not_confirm(self) -> None:
        report, victim = self.file_child(self.volunteer_a, channel="relawan")
        before = groups(victim)
        client = self.login(self.volunteer_a, client=Client())
        self.assertEqual(client.post(url(report), {"victim": victim.pk}).status_code, 403)
        self.assertNotIn("ampk-confirm-", client.get(f"/pengaduan/laporan/{report.pk}/").content.decode())
        self.assertUnchanged(victim, before)


class AmendPageTests(ConfirmTestCase):
    def test_the_amend_page_offers_the_confirmation_and_the_same_groups_saved_stay_a_suggestion(self) -> None:
        from sigap.intake.tests.test_amend_complete import page_data

        report, victim = self.file_child()
        self.login(self.operator)
        page = self.client.get(f"/pengaduan/laporan/{report.pk}/ubah/").content.decode()
        self.assertIn('id="amend-ampk-confirm"', page)
        self.assertIn(f'action="{url(report)}"', page)
        self.assertIn("Konfirmasi kelompok AMPK korban 1", page)
        self.assertIn("Menyimpan pilihan yang sama tidak mengubah apa pun", page)
        # The same groups submitted through the form: still no change.
        response = self.client.post(f"/pengaduan/laporan/{report.pk}/ubah/",
                                    page_data(report, self.operator, reason="Diperiksa."), follow=True)
        self.assertContains(response, "Tidak ada yang berubah.")
        self.assertEqual(groups(victim), dict.fromkeys(GROUPS, True))
        # The button is the way; afterwards the amend page no longer offers it.
        self.assertEqual(self.client.post(url(report), {"victim": victim.pk}).status_code, 302)
        page = self.client.get(f"/pengaduan/laporan/{report.pk}/ubah/").content.decode()
        self.assertNotIn('id="amend-ampk-confirm"', page)
        self.assertNotIn("Menyimpan pilihan yang sama tidak mengubah apa pun", page)
        self.assertEqual(groups(victim), dict.fromkeys(GROUPS, False))
