"""Retention: closed cases past SIGAP_RETENTION_YEARS lose their personal data, with their reports; nothing else does."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from sigap.cases import actions
from sigap.cases.codes import CaseStatus, Stage
from sigap.cases.models import Attachment, Case, CaseNote, Closure
from sigap.cases.tests.factories import create_case, move_to
from sigap.intake.channels.conversations.models import (
    Conversation,
    MediaBlob,
    Message,
    OutboundMessage,
)
from sigap.intake.models import ChronologyEvent, Contact, Report, ReporterIdentity, Victim
from sigap.lib.testing import SigapTestCase
from sigap.vault.models import AuditEntry
from sigap.vault.registry import encrypted_fields_of
from sigap.vault.scrub import links_within_app, retention_cutoff, scrub_if_due

PDF = b"%PDF-1.4\n% hasil visum contoh\n%%EOF\n"


def years_ago(years: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=round(365.25 * years))


class RetentionTests(SigapTestCase):
    def make_case(self, *, closed_years_ago: float | None) -> Case:
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        case = move_to(case, Stage.ASESMEN, by=self.case_worker)
        actions.record_assessment(case, {"psychological": "Cemas dan sulit tidur."}, by=self.case_worker)
        actions.add_note(case, by=self.case_worker, body="Korban tinggal sementara di rumah bibi.")
        actions.add_attachment(case, by=self.case_worker, kind="rekam_medis", name="visum.pdf", content=PDF)
        if closed_years_ago is not None:
            when = years_ago(closed_years_ago)
            closure = actions.close_case(case, by=self.case_worker, outcome="tujuan_tercapai",
                                         reason="Korban aman dan pulih.", now=when)
            actions.approve_closure(closure, by=self.manager, comment="Setuju.", now=when)
        case.refresh_from_db()
        return case

    def retention(self, *args: str) -> str:
        out = io.StringIO()
        call_command("retention", *args, stdout=out)
        return out.getvalue()

    def test_listing_names_only_closed_cases_past_the_period_and_changes_nothing(self) -> None:
        old = self.make_case(closed_years_ago=11)
        self.make_case(closed_years_ago=9)
        self.make_case(closed_years_ago=None)
        out = self.retention()
        self.assertIn(f"cases.case: 1 due (ids {old.pk})", out)
        self.assertEqual(list(Case.retention_queryset(retention_cutoff())), [old])
        self.assertFalse(AuditEntry.objects.filter(action="vault.scrub").exists())
        self.assertEqual(CaseNote.objects.get(case=old).body, "Korban tinggal sementara di rumah bibi.")

    def test_scrub_erases_the_case_and_its_reports_keeps_statistics_and_leaves_the_rest(self) -> None:
        old = self.make_case(closed_years_ago=11)
        recent = self.make_case(closed_years_ago=9)
        still_open = self.make_case(closed_years_ago=None)
        report = old.primary_report
        Contact.objects.create(channel="telepon", operator=self.operator, caller_phone="+6281200001111",
                               caller_phone_index="abc123", outcome="laporan", note="Menelepon dari pasar.",
                               report=report)
        identity_id = report.reporter_id
        before = AuditEntry.objects.count()

        out = self.retention("--scrub", "--yes")
        self.assertIn("Scrubbed", out)

        # The case's own records: sealed text and files erased.
        old.refresh_from_db()
        self.assertIsNotNone(old.scrubbed_at)
        self.assertEqual(CaseNote.objects.get(case=old).body, "")
        attachment = Attachment.objects.with_content().get(case=old)
        self.assertEqual((attachment.name, bytes(attachment.content)), ("", b""))
        self.assertIsNone(old.assessments.get().psychological)
        self.assertEqual(Closure.objects.get(case=old).reason, "")
        # Its report: victims, chronology, reporter identity, contacts; counted fields stay.
        report = Report.objects.get(pk=report.pk)
        self.assertIsNotNone(report.scrubbed_at)
        self.assertIsNone(report.needs)
        victim = Victim.objects.get(report=report)
        self.assertEqual((victim.name, victim.birth_date, victim.address, victim.name_index), (None, None, None, ""))
        self.assertEqual((victim.age_group, victim.sex, victim.desa_id), ("6-12", "P", report.desa_id))
        self.assertEqual({e.description for e in ChronologyEvent.objects.filter(report=report)}, {""})
        identity = ReporterIdentity.objects.get(pk=identity_id)
        self.assertEqual((identity.name, identity.phone, identity.address, identity.phone_index), (None, None, None, ""))
        contact = Contact.objects.get(report=report)
        self.assertEqual((contact.caller_phone, contact.note, contact.caller_phone_index), (None, None, ""))
        self.assertEqual((old.case_type, old.risk, old.status), (report.case_type, report.risk, CaseStatus.CLOSED))

        # The plaintext is gone from the stored bytes too, not just from what the ORM shows.
        with connection.cursor() as cursor:
            cursor.execute("SELECT body FROM cases_casenote WHERE case_id = %s", [old.pk])
            self.assertNotIn(b"bibi", bytes(cursor.fetchone()[0]))

        # The recent and the open case are untouched.
        for case in (recent, still_open):
            case.refresh_from_db()
            self.assertIsNone(case.scrubbed_at)
            self.assertEqual(CaseNote.objects.get(case=case).body, "Korban tinggal sementara di rumah bibi.")
            self.assertEqual(bytes(Attachment.objects.with_content().get(case=case).content), PDF)
            self.assertEqual(Victim.objects.get(report=case.primary_report).name, "Siti Contoh")
            self.assertIsNone(Report.objects.get(pk=case.primary_report_id).scrubbed_at)

        # One audit entry per scrubbed record, each saying why.
        entries = AuditEntry.objects.filter(action="vault.scrub", seq__gt=0).order_by("seq")
        self.assertEqual(AuditEntry.objects.count() - before, entries.count())
        self.assertTrue(all(e.reason.startswith("retention: closed before ") for e in entries))
        scrubbed = {(e.object_type, e.object_id) for e in entries}
        for expected in [("cases.case", str(old.pk)), ("intake.report", str(report.pk)),
                         ("intake.reporteridentity", identity_id), ("cases.casenote", str(CaseNote.objects.get(case=old).pk)),
                         ("cases.attachment", str(attachment.pk)), ("intake.victim", str(victim.pk)),
                         ("intake.contact", str(contact.pk))]:
            self.assertIn(expected, scrubbed)
        self.assertNotIn(("cases.case", str(recent.pk)), scrubbed)
        self.assertNotIn(("cases.case", str(still_open.pk)), scrubbed)

        # A second run finds nothing.
        self.assertIn("0 records due", self.retention())

    def test_scrubbed_case_and_report_pages_still_open(self) -> None:
        old = self.make_case(closed_years_ago=11)
        self.retention("--scrub", "--yes")
        client = self.login(self.manager)
        for url in (reverse("cases:case_detail", args=[old.pk]), reverse("cases:timeline", args=[old.pk]),
                    reverse("cases:documents", args=[old.pk]),
                    reverse("intake:report_detail", args=[old.primary_report_id])):
            page = client.get(url)
            self.assertEqual(page.status_code, 200, url)
            self.assertNotContains(page, "Siti Contoh")
        revealed = client.post(reverse("intake:report_detail", args=[old.primary_report_id]),
                               {"vault_reveal": "1", "reason": "Memeriksa data yang sudah dihapus"})
        self.assertEqual(revealed.status_code, 200)
        self.assertNotContains(revealed, "Budi Contoh")

    def test_closed_chat_conversations_recorded_as_the_reports_contact_go_too(self) -> None:
        old = self.make_case(closed_years_ago=11)
        contact = Contact.objects.create(channel="whatsapp", operator=self.operator, caller_phone="+6281234567890",
                                         outcome="laporan", report=old.primary_report)

        def conversation(state: str) -> Conversation:
            chat = Conversation.objects.create(channel="whatsapp", sender="+6281234567890", sender_index="a1b2c3",
                                               profile_name="Bu Contoh", state=state, contact=contact)
            message = Message.objects.create(conversation=chat, channel="whatsapp", direction="masuk",
                                             body="Anak saya dipukul tetangga", status="received")
            MediaBlob.objects.create(message=message, data=PDF, mime_type="application/pdf", size=len(PDF),
                                     sha256="0" * 64)
            OutboundMessage.objects.create(channel="whatsapp", purpose="reply", conversation=chat,
                                           body="Kami akan menghubungi Ibu")
            return chat

        closed, still_open = conversation("selesai"), conversation("terbuka")
        self.retention("--scrub", "--yes")

        chat = Conversation.objects.get(pk=closed.pk)
        self.assertEqual((chat.sender, chat.profile_name, chat.sender_index), ("", None, ""))
        self.assertEqual([m.body for m in Message.objects.filter(conversation=chat)], [None])
        self.assertEqual(bytes(MediaBlob.objects.get(message__conversation=chat).data), b"")
        self.assertEqual([o.body for o in OutboundMessage.objects.filter(conversation=chat)], [None])
        untouched = Conversation.objects.get(pk=still_open.pk)
        self.assertEqual((untouched.sender, untouched.sender_index), ("+6281234567890", "a1b2c3"))
        self.assertEqual([m.body for m in Message.objects.filter(conversation=untouched)],
                         ["Anak saya dipukul tetangga"])
        scrubbed = set(AuditEntry.objects.filter(action="vault.scrub").values_list("object_type", "object_id"))
        self.assertIn(("conversations.conversation", str(closed.pk)), scrubbed)
        self.assertNotIn(("conversations.conversation", str(still_open.pk)), scrubbed)

        client = self.login(self.operator)
        self.assertEqual(client.get(reverse("conversations:detail", args=[closed.pk])).status_code, 200)
        self.assertEqual(client.get(reverse("conversations:inbox") + "?status=selesai").status_code, 200)

    def test_a_value_whose_key_is_lost_is_erased_all_the_same(self) -> None:
        old = self.make_case(closed_years_ago=11)
        unreadable = b"\x01" + (99).to_bytes(4, "big") + bytes(40)  # sealed under a key version nobody has
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_casenote SET body = %s WHERE case_id = %s",
                           [connection.Database.Binary(unreadable), old.pk])  # type: ignore[attr-defined]
        self.retention("--scrub", "--yes")
        self.assertEqual(CaseNote.objects.get(case=old).body, "")

    def test_a_reporter_identity_shared_with_a_live_report_is_kept(self) -> None:
        old = self.make_case(closed_years_ago=11)
        live = self.make_case(closed_years_ago=None)
        shared = old.primary_report.reporter_id
        Report.objects.filter(pk=live.primary_report_id).update(reporter_id=shared)
        self.retention("--scrub", "--yes")
        self.assertIsNotNone(Report.objects.get(pk=old.primary_report_id).scrubbed_at)
        self.assertEqual(ReporterIdentity.objects.get(pk=shared).name, "Budi Contoh")

    def test_a_case_reopened_is_never_scrubbed_even_between_listing_and_scrubbing(self) -> None:
        old = self.make_case(closed_years_ago=11)
        cutoff = retention_cutoff()
        self.assertEqual(list(Case.retention_queryset(cutoff).values_list("pk", flat=True)), [old.pk])
        actions.reopen_case(old, by=self.manager, reason="Korban datang lagi.")
        self.assertEqual(scrub_if_due(Case, old.pk, cutoff, reason="retention: uji"), [])
        self.assertFalse(Case.retention_queryset(cutoff).exists())
        self.assertEqual(CaseNote.objects.get(case=old).body, "Korban tinggal sementara di rumah bibi.")

    def test_a_case_closed_again_after_its_scrub_is_due_again(self) -> None:
        old = self.make_case(closed_years_ago=11)
        self.retention("--scrub", "--yes")
        Case.objects.filter(pk=old.pk).update(scrubbed_at=years_ago(12))  # scrubbed, then reopened and closed
        self.assertEqual(list(Case.retention_queryset(retention_cutoff())), [old])


class RetentionReachTests(SigapTestCase):
    def reachable(self, root: type) -> set[type]:
        seen, pending = {root}, [root]
        while pending:
            for child, _field in links_within_app(pending.pop()):
                if child not in seen:
                    seen.add(child)
                    pending.append(child)
        return seen

    def test_every_sealed_model_of_cases_is_reached_from_the_case(self) -> None:
        from django.apps import apps

        sealed = {m for m in apps.get_app_config("cases").get_models() if encrypted_fields_of(m)}
        self.assertEqual(sealed - self.reachable(Case), set())

    def test_every_sealed_model_of_intake_is_reached_from_the_report(self) -> None:
        from django.apps import apps

        sealed = {m for m in apps.get_app_config("intake").get_models() if encrypted_fields_of(m)}
        # The reporter's identity is a link from the report (Report.scrub_related adds it).
        self.assertEqual(sealed - self.reachable(Report), {ReporterIdentity})
