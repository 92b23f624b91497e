from __future__ import annotations

from django.db import connection

from sigap.accounts.roles import Role
from sigap.lib.testing import SigapTestCase, create_user
from sigap.network import actions
from sigap.network.models import Partner, PartnerMember, Service, partner_of
from sigap.regions.models import Region
from sigap.vault.models import AuditEntry

GOOD = {
    "name": "Unit PPA Polres Mesuji",
    "partner_type": "police_uppa",
    "services": ["penegakan_hukum", "pengaduan"],
    "kecamatan": ["18.11.01", "18.11.02"],
    "address": "Jl. Lintas Timur",
    "contact_name": "Ipda Rina",
    "phone": "0812 1111 2222",
    "email": "uppa@example.org",
    "active": "on",
}


def make_partner(**overrides: object) -> Partner:
    data = {**GOOD, **overrides}
    data["active"] = bool(data["active"])
    return actions.save_partner(
        None,
        data=data,
        services=data["services"],  # type: ignore[arg-type]
        kecamatan=Region.objects.filter(code__in=data["kecamatan"]),
        by=None,
    )


class PartnerDirectoryTests(SigapTestCase):
    def test_who_reaches_the_partner_directory(self) -> None:
        partner = make_partner()
        self.assertAllowedOnly("get", "/jaringan/mitra/", [self.admin, self.manager, self.case_worker])
        self.assertAllowedOnly("get", f"/jaringan/mitra/{partner.pk}/", [self.admin, self.manager, self.case_worker])
        self.assertAllowedOnly("get", "/jaringan/mitra/baru/", [self.admin, self.manager])
        self.assertAllowedOnly("get", f"/jaringan/mitra/{partner.pk}/ubah/", [self.admin, self.manager])
        self.assertAllowedOnly(
            "post", f"/jaringan/mitra/{partner.pk}/pengguna/", [self.admin, self.manager], {"user": self.partner.pk}
        )

    def test_manager_adds_a_partner_with_services_and_kecamatan(self) -> None:
        client = self.login(self.manager)
        response = client.post("/jaringan/mitra/baru/", GOOD)
        partner = Partner.objects.get()
        self.assertRedirects(response, f"/jaringan/mitra/{partner.pk}/")
        self.assertEqual(sorted(partner.service_codes), ["penegakan_hukum", "pengaduan"])
        self.assertEqual(sorted(k.code for k in partner.kecamatan_served.all()), ["18.11.01", "18.11.02"])
        self.assertEqual((partner.contact_name, partner.phone), ("Ipda Rina", "0812 1111 2222"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT contact_name, phone FROM network_partner")
            raw = b"".join(bytes(v) for v in cursor.fetchone())
        self.assertNotIn(b"Rina", raw)
        self.assertTrue(AuditEntry.objects.filter(action="network.partner_created").exists())
        page = client.get(f"/jaringan/mitra/{partner.pk}/")
        self.assertContains(page, "Penegakan hukum")
        # The case worker can read the directory but not change it.
        self.assertNotContains(self.login(self.case_worker).get(f"/jaringan/mitra/{partner.pk}/"), "Ubah</a>")

    def test_editing_replaces_services_and_kecamatan(self) -> None:
        partner = make_partner()
        client = self.login(self.admin)
        client.post(f"/jaringan/mitra/{partner.pk}/ubah/", {**GOOD, "services": ["kesehatan"], "kecamatan": []})
        partner.refresh_from_db()
        self.assertEqual(partner.service_codes, ["kesehatan"])
        self.assertFalse(partner.kecamatan_served.exists())
        self.assertIn(partner, Partner.objects.serving("18.11.05"))
        self.assertIn(partner, Partner.objects.offering(Service.KESEHATAN))

    def test_bad_partner_input_saves_nothing(self) -> None:
        client = self.login(self.manager)
        response = client.post("/jaringan/mitra/baru/", {**GOOD, "services": [], "phone": "abc", "partner_type": "x"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Nomor telepon tidak dikenali", status_code=400)
        response = client.post("/jaringan/mitra/baru/", {**GOOD, "kecamatan": ["18.10.01"]})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Partner.objects.exists())

    def test_partner_users_are_linked_once_and_only_partner_role(self) -> None:
        partner = make_partner()
        client = self.login(self.manager)
        client.post(f"/jaringan/mitra/{partner.pk}/pengguna/", {"user": self.partner.pk})
        self.assertEqual(partner_of(self.partner), partner)
        client.post(f"/jaringan/mitra/{partner.pk}/pengguna/", {"user": self.operator.pk})
        other = make_partner(name="RSUD")
        client.post(f"/jaringan/mitra/{other.pk}/pengguna/", {"user": self.partner.pk})
        self.assertEqual(PartnerMember.objects.count(), 1)
        self.assertIsNone(partner_of(self.operator))
        link = PartnerMember.objects.get()
        client.post(f"/jaringan/mitra/{partner.pk}/pengguna/{link.pk}/lepas/")
        self.assertIsNone(partner_of(self.partner))

    def test_inactive_partner_has_no_members_reading_referrals(self) -> None:
        partner = make_partner(active="")
        second = create_user(Role.PARTNER, "mitra-2")
        actions.add_partner_member(partner, second, by=self.manager)
        self.assertIsNone(partner_of(second))
