from __future__ import annotations

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sigap.accounts.models import User, UserSession
from sigap.accounts.roles import Role
from sigap.lib.testing import DESA_A, DESA_B, DESA_OTHER_DISTRICT, SigapTestCase
from sigap.network import actions
from sigap.network.models import Invitation, Member, MemberKind, PatbmGroup
from sigap.regions.models import Region
from sigap.vault.models import AuditEntry

GOOD_PASSWORD = "sebuah-kalimat-rahasia-panjang"
DESA_C = "18.11.01.2002"  # in the region, no volunteer of the cast lives there


def add_member(desa: str, kind: str = MemberKind.PATBM, by: User | None = None, **data: object) -> Member:
    defaults: dict[str, object] = {"kind": kind, "name": "Siti Aminah", "phone": "0812 3456 7890"}
    defaults.update(data)
    return actions.add_member(desa=Region.objects.get(code=desa), data=defaults, by=by)


class VillageNetworkAccessTests(SigapTestCase):
    def test_only_admin_and_manager_reach_the_village_network_screens(self) -> None:
        member = add_member(DESA_C)
        managers = [self.admin, self.manager]
        self.assertAllowedOnly("get", "/jaringan/desa/", managers)
        self.assertAllowedOnly("get", f"/jaringan/desa/{DESA_C}/", managers, ok_statuses=(200,))
        self.assertAllowedOnly("get", f"/jaringan/desa/{DESA_C}/anggota/baru/", managers)
        self.assertAllowedOnly("get", f"/jaringan/desa/{DESA_C}/patbm/", managers)
        self.assertAllowedOnly("get", f"/jaringan/anggota/{member.pk}/ubah/", managers)
        self.assertAllowedOnly("post", f"/jaringan/anggota/{member.pk}/undang/", managers)
        self.assertAllowedOnly("post", f"/jaringan/anggota/{member.pk}/keluar/", managers)

    def test_volunteer_sees_only_their_own_village(self) -> None:
        add_member(DESA_A, name="Ibu Desa A")
        add_member(DESA_B, name="Ibu Desa B")
        client = self.login(self.volunteer_a)
        page = client.get("/jaringan/desa-saya/")
        self.assertContains(page, "Ibu Desa A")
        self.assertNotContains(page, "Ibu Desa B")
        self.assertContains(page, f"lapor?desa={DESA_A}&amp;src=pamflet-desa")
        self.assertRedirects(client.get(f"/jaringan/desa/{DESA_A}/"), "/jaringan/desa-saya/")
        self.assertEqual(client.get(f"/jaringan/desa/{DESA_B}/").status_code, 404)
        self.assertEqual(client.get(f"/jaringan/desa/{DESA_OTHER_DISTRICT}/").status_code, 404)
        self.assertEqual(client.get(f"/sosialisasi/pamflet/{DESA_B}/a4/").status_code, 404)
        self.assertEqual(client.get(f"/sosialisasi/pamflet/{DESA_A}/a4/").status_code, 200)

    def test_my_village_is_for_village_volunteers_only(self) -> None:
        self.assertAllowedOnly("get", "/jaringan/desa-saya/", [self.volunteer_a, self.volunteer_b])

    def test_villages_outside_the_region_are_not_found(self) -> None:
        client = self.login(self.manager)
        self.assertEqual(client.get(f"/jaringan/desa/{DESA_OTHER_DISTRICT}/").status_code, 404)
        self.assertEqual(client.get("/jaringan/desa/18.11.01/").status_code, 404)  # a kecamatan

    def test_village_list_shows_every_desa_of_the_region_in_few_queries(self) -> None:
        add_member(DESA_A, MemberKind.CONTACT_POINT)
        client = self.login(self.manager)
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/jaringan/desa/")
        self.assertEqual(len(page.context["rows"]), Region.objects.in_deployment().desa().count())
        self.assertLess(len(queries), 20)
        row = next(r for r in page.context["rows"] if r.desa.code == DESA_A)
        self.assertTrue(row.has_contact_point)
        filtered = client.get("/jaringan/desa/", {"kecamatan": "18.11.02"})
        self.assertTrue(all(r.desa.code.startswith("18.11.02.") for r in filtered.context["rows"]))


class MemberFormTests(SigapTestCase):
    def test_manager_registers_a_contact_point_with_sealed_name_and_phone(self) -> None:
        client = self.login(self.manager)
        response = client.post(
            f"/jaringan/desa/{DESA_A}/anggota/baru/",
            {"kind": "contact_point", "name": "Pak Kades", "position": "kepala_desa", "group_role": "anggota",
             "phone": "0812-7777-1234", "may_print": "on"},
        )
        self.assertRedirects(response, f"/jaringan/desa/{DESA_A}/")
        member = Member.objects.get()
        self.assertEqual((member.name, member.phone, member.may_print), ("Pak Kades", "0812-7777-1234", True))
        self.assertTrue(member.phone_index)
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, phone FROM network_member")
            raw = b"".join(bytes(v) for v in cursor.fetchone())
        self.assertNotIn(b"Pak Kades", raw)
        self.assertNotIn(b"7777", raw)
        entry = AuditEntry.objects.get(action="network.member_added")
        self.assertEqual(entry.object_id, str(member.pk))
        self.assertNotIn("Kades", entry.reason)

    def test_bad_input_gets_indonesian_errors_and_saves_nothing(self) -> None:
        client = self.login(self.manager)
        url = f"/jaringan/desa/{DESA_A}/anggota/baru/"
        response = client.post(url, {"kind": "patbm", "name": " ", "position": "warga", "group_role": "anggota",
                                     "phone": "bukan nomor"})
        self.assertContains(response, "Nomor telepon tidak dikenali", status_code=400)
        response = client.post(url, {"kind": "patbm", "name": "A", "position": "warga", "group_role": "anggota",
                                     "may_print": "on"})
        self.assertContains(response, "Hanya narahubung desa yang dicetak", status_code=400)
        response = client.post(url, {"kind": "alien", "name": "A", "position": "warga", "group_role": "anggota"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Member.objects.exists())

    def test_a_desa_has_one_active_contact_point(self) -> None:
        add_member(DESA_A, MemberKind.CONTACT_POINT)
        client = self.login(self.manager)
        response = client.post(
            f"/jaringan/desa/{DESA_A}/anggota/baru/",
            {"kind": "contact_point", "name": "Kedua", "position": "kader", "group_role": "anggota"},
        )
        self.assertContains(response, "sudah punya narahubung", status_code=400)
        self.assertEqual(Member.objects.count(), 1)

    def test_editing_a_member(self) -> None:
        member = add_member(DESA_A)
        client = self.login(self.admin)
        response = client.post(
            f"/jaringan/anggota/{member.pk}/ubah/",
            {"kind": "sapa", "name": "Nama Baru", "position": "guru", "group_role": "ketua", "phone": ""},
        )
        self.assertRedirects(response, f"/jaringan/desa/{DESA_A}/")
        member.refresh_from_db()
        self.assertEqual((member.kind, member.name, member.phone, member.phone_index), ("sapa", "Nama Baru", None, ""))

    def test_patbm_group_is_recorded(self) -> None:
        client = self.login(self.manager)
        url = f"/jaringan/desa/{DESA_A}/patbm/"
        bad = client.post(url, {"formed_on": "kemarin"})
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(PatbmGroup.objects.exists())
        client.post(url, {"formed_on": "2023-05-02", "decree_number": "SK 12/2023"})
        group = PatbmGroup.objects.get()
        self.assertEqual((group.desa_id, group.formed_on), (DESA_A, datetime.date(2023, 5, 2)))


class InvitationTests(SigapTestCase):
    def invite(self, member: Member) -> str:
        client = self.login(self.manager, client=Client())
        response = client.post(f"/jaringan/anggota/{member.pk}/undang/")
        self.assertEqual(response.status_code, 200)
        link = response.context["link"]
        token = link.rstrip("/").rsplit("/", 1)[1]
        self.assertEqual(Invitation.objects.get(member=member, used_at__isnull=True).token_digest, Invitation.digest(token))
        self.assertFalse(Invitation.objects.filter(token_digest=token).exists())
        return token

    def test_member_accepts_invitation_once_and_becomes_a_volunteer_of_their_desa(self) -> None:
        member = add_member(DESA_B)
        token = self.invite(member)
        url = f"/jaringan/undangan/{token}/"
        anonymous = Client()
        self.assertContains(anonymous.get(url), "Buat akun relawan")
        response = anonymous.post(url, {"username": "sari.patbm", "password1": GOOD_PASSWORD,
                                        "password2": GOOD_PASSWORD})
        self.assertRedirects(response, "/jaringan/desa-saya/")
        user = User.objects.get(username="sari.patbm")
        self.assertEqual((user.role, user.desa_id), (Role.VOLUNTEER, DESA_B))
        member.refresh_from_db()
        self.assertEqual(member.user, user)
        self.assertEqual(Client().get(url).status_code, 404)
        self.assertEqual(Client().post(url, {"username": "lagi", "password1": GOOD_PASSWORD,
                                             "password2": GOOD_PASSWORD}).status_code, 404)
        self.assertTrue(AuditEntry.objects.filter(action="network.invitation_accepted").exists())

    def test_weak_password_or_taken_username_is_refused(self) -> None:
        token = self.invite(add_member(DESA_A))
        url = f"/jaringan/undangan/{token}/"
        short = Client().post(url, {"username": "baru", "password1": "pendek", "password2": "pendek"})
        self.assertContains(short, "terlalu pendek", status_code=400)
        taken = Client().post(url, {"username": "kepala", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
        self.assertContains(taken, "sudah dipakai", status_code=400)
        self.assertFalse(User.objects.filter(username="baru").exists())
        self.assertEqual(Client().get(url).status_code, 200)

    def test_invitation_expires_after_seven_days_and_a_new_one_replaces_the_old(self) -> None:
        member = add_member(DESA_A)
        old = self.invite(member)
        new = self.invite(member)
        self.assertEqual(Client().get(f"/jaringan/undangan/{old}/").status_code, 404)
        self.assertEqual(Client().get(f"/jaringan/undangan/{new}/").status_code, 200)
        Invitation.objects.filter(used_at__isnull=True).update(expires_at=timezone.now() - datetime.timedelta(1))
        self.assertEqual(Client().get(f"/jaringan/undangan/{new}/").status_code, 404)
        self.assertEqual(Client().get("/jaringan/undangan/tebakan/").status_code, 404)

    def test_leaving_the_network_ends_access_and_open_invitations(self) -> None:
        member = add_member(DESA_A)
        token = self.invite(member)
        volunteer_client = Client()
        volunteer_client.post(f"/jaringan/undangan/{token}/", {"username": "relawan.baru",
                                                              "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
        self.assertEqual(volunteer_client.get("/jaringan/desa-saya/").status_code, 200)
        other = add_member(DESA_A, name="Belum diterima")
        other_token = self.invite(other)

        manager = self.login(self.manager)
        manager.post(f"/jaringan/anggota/{member.pk}/keluar/")
        manager.post(f"/jaringan/anggota/{other.pk}/keluar/")
        member.refresh_from_db()
        self.assertIsNotNone(member.left_at)
        self.assertFalse(User.objects.get(username="relawan.baru").is_active)
        self.assertFalse(UserSession.objects.filter(user__username="relawan.baru").exists())
        self.assertNotEqual(volunteer_client.get("/jaringan/desa-saya/").status_code, 200)
        self.assertEqual(Client().get(f"/jaringan/undangan/{other_token}/").status_code, 404)
        self.assertEqual(self.login(self.manager).post(f"/jaringan/anggota/{member.pk}/undang/").status_code, 302)
        self.assertFalse(Invitation.objects.filter(member=member, used_at__isnull=True).exists())

    def test_signed_in_user_cannot_use_an_invitation(self) -> None:
        token = self.invite(add_member(DESA_A))
        response = self.login(self.operator).get(f"/jaringan/undangan/{token}/")
        self.assertRedirects(response, "/staf/", fetch_redirect_response=False)
