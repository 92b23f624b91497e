"""Case workers see only the conversations assigned to them or tied to reports they may see.

Security review finding 2: every case worker read every WhatsApp/SMS
conversation, a colleague's case's chat included (the reporter's own words and
profile name). Operators and managers keep the whole inbox.
"""

from __future__ import annotations

from sigap.cases.tests.factories import create_case
from sigap.intake.channels.conversations.models import Conversation
from sigap.intake.channels.conversations.tests.base import ChannelTestCase
from sigap.intake.models import Contact, Report
from sigap.lib.testing import create_user


class ConversationNeedToKnowTests(ChannelTestCase):
    def test_a_case_worker_sees_assigned_and_case_linked_conversations_only(self) -> None:
        colleague = create_user("case_worker", "pendamping-2")
        mine = self.conversation_with("Untuk saya", message_id="m.1", wa_id="6281100000001")
        Conversation.objects.filter(pk=mine.pk).update(assigned_to=self.case_worker)
        of_my_case = self.conversation_with("Kasus saya", message_id="m.2", wa_id="6281100000002")
        case = create_case(self.operator, assign_to=self.case_worker, manager=self.manager)
        contact = Contact.objects.create(channel="whatsapp", operator=self.operator, outcome="laporan_baru",
                                         report=Report.objects.get(case_link__case=case))
        Conversation.objects.filter(pk=of_my_case.pk).update(contact=contact)
        of_colleague = self.conversation_with("Kasus rekan", message_id="m.3", wa_id="6281100000003")
        other_case = create_case(self.operator, assign_to=colleague, manager=self.manager)
        other_contact = Contact.objects.create(channel="whatsapp", operator=self.operator, outcome="laporan_baru",
                                               report=Report.objects.get(case_link__case=other_case))
        Conversation.objects.filter(pk=of_colleague.pk).update(contact=other_contact)
        unassigned = self.conversation_with("Belum ditangani", message_id="m.4", wa_id="6281100000004")

        client = self.login(self.case_worker)
        inbox = client.get("/pengaduan/inbox/")
        shown = {row["conversation"].pk for row in inbox.context["rows"]}
        self.assertEqual(shown, {mine.pk, of_my_case.pk})
        self.assertNotContains(inbox, "Kasus rekan")
        for hidden in (of_colleague, unassigned):
            self.assertEqual(client.get(f"/pengaduan/inbox/{hidden.pk}/").status_code, 404)
            self.assertEqual(client.post(f"/pengaduan/inbox/{hidden.pk}/ambil/").status_code, 404)
        self.assertEqual(client.get(f"/pengaduan/inbox/{of_my_case.pk}/").status_code, 200)

        for everyone in (self.operator, self.manager):
            rows = self.login(everyone).get("/pengaduan/inbox/").context["rows"]
            self.assertEqual(len(rows), 4, everyone.username)
