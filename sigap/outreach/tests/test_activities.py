from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone

from sigap.lib.testing import DESA_A, SigapTestCase
from sigap.network import actions as network_actions
from sigap.network.models import MemberKind
from sigap.outreach.models import Activity, ActivityPhoto
from sigap.outreach.photos import MAX_PHOTO_BYTES
from sigap.regions.models import Region
from sigap.vault.crypto import unseal
from sigap.vault.models import AuditEntry

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def activity_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "date": "2025-03-04", "kind": "posyandu", "audience_women": "20", "audience_men": "3",
        "audience_children": "0", "pamphlets_handed_out": "40", "notes": "Ibu-ibu posyandu antusias",
    }
    data.update(overrides)
    return data


class ActivityTests(SigapTestCase):
    def test_who_reaches_outreach_screens(self) -> None:
        allowed = [self.manager, self.data_officer]
        self.assertAllowedOnly("get", "/sosialisasi/", allowed)
        self.assertAllowedOnly("get", "/sosialisasi/kegiatan/baru/", allowed)
        self.assertAllowedOnly("get", f"/sosialisasi/kegiatan/baru/?wilayah={DESA_A}", allowed)
        activity = self.record()
        self.assertAllowedOnly("get", f"/sosialisasi/kegiatan/{activity.pk}/", allowed)
        self.assertAllowedOnly("get", f"/sosialisasi/kegiatan/{activity.pk}/ubah/", allowed)

    def record(self, area: str = DESA_A, **overrides: object) -> Activity:
        client = self.login(self.data_officer)
        response = client.post(f"/sosialisasi/kegiatan/baru/?wilayah={area}", activity_data(**overrides))
        self.assertEqual(response.status_code, 302, getattr(response, "context", None) and response.context["form"].errors)
        return Activity.objects.order_by("-id").first()  # type: ignore[return-value]

    def test_recording_an_activity_in_a_desa_with_partners_and_members(self) -> None:
        member = network_actions.add_member(
            desa=Region.objects.get(code=DESA_A), data={"kind": MemberKind.PATBM, "name": "Bu Ani"}, by=self.manager
        )
        activity = self.record(members=[str(member.pk)])
        self.assertEqual((activity.desa_id, activity.kecamatan_id), (DESA_A, "18.11.01"))
        self.assertEqual((activity.audience_total, activity.pamphlets_handed_out), (23, 40))
        self.assertEqual(list(activity.members.all()), [member])
        self.assertEqual(activity.notes, "Ibu-ibu posyandu antusias")
        with connection.cursor() as cursor:
            cursor.execute("SELECT notes FROM outreach_activity")
            self.assertNotIn(b"posyandu", bytes(cursor.fetchone()[0]))
        self.assertTrue(AuditEntry.objects.filter(action="outreach.activity_created").exists())
        page = self.login(self.manager).get(f"/sosialisasi/kegiatan/{activity.pk}/")
        self.assertContains(page, "Bu Ani")
        self.assertContains(page, "Jangan pernah mengunggah foto yang memperlihatkan wajah anak")

    def test_kecamatan_wide_activity(self) -> None:
        activity = self.record("18.11.02", kind="radio")
        self.assertIsNone(activity.desa_id)
        self.assertEqual(activity.kecamatan_id, "18.11.02")

    def test_bad_activity_input_is_refused_in_indonesian(self) -> None:
        client = self.login(self.manager)
        url = f"/sosialisasi/kegiatan/baru/?wilayah={DESA_A}"
        tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        self.assertContains(client.post(url, activity_data(date=tomorrow)), "masa depan", status_code=400)
        self.assertContains(client.post(url, activity_data(audience_men="-1")), "negatif", status_code=400)
        self.assertContains(client.post(url, activity_data(date="kemarin")), "tanggal yang benar", status_code=400)
        self.assertEqual(client.post(url, activity_data(kind="konser")).status_code, 400)
        self.assertEqual(client.get("/sosialisasi/kegiatan/baru/?wilayah=18.10.01.2001").status_code, 404)
        self.assertFalse(Activity.objects.exists())

    def test_editing_an_activity(self) -> None:
        activity = self.record()
        client = self.login(self.manager)
        client.post(f"/sosialisasi/kegiatan/{activity.pk}/ubah/", activity_data(pamphlets_handed_out="5", notes=""))
        activity.refresh_from_db()
        self.assertEqual((activity.pamphlets_handed_out, activity.notes), (5, None))


class PhotoTests(SigapTestCase):
    def setUp(self) -> None:
        self.activity = Activity.objects.create(
            date=datetime.date(2025, 1, 2), kecamatan_id="18.11.01", desa_id=DESA_A, kind="sekolah",
            created_by=self.manager,
        )
        self.url = f"/sosialisasi/kegiatan/{self.activity.pk}/foto/"

    def upload(self, data: bytes, name: str = "foto.jpg", confirm: bool = True) -> HttpResponse:
        payload: dict[str, object] = {"photo": SimpleUploadedFile(name, data, content_type="image/jpeg")}
        if confirm:
            payload["no_children_faces"] = "on"
        return self.login(self.manager).post(self.url, payload)  # type: ignore[return-value]

    def test_photo_is_sealed_and_downloaded_only_through_the_audited_view(self) -> None:
        self.upload(JPEG)
        self.upload(PNG, "foto.png")
        photos = list(ActivityPhoto.objects.order_by("id"))
        self.assertEqual([p.content_type for p in photos], ["image/jpeg", "image/png"])
        self.assertEqual(bytes(photos[0].sealed), JPEG)
        with connection.cursor() as cursor:
            cursor.execute("SELECT sealed FROM outreach_activityphoto WHERE id = %s", [photos[0].pk])
            stored = bytes(cursor.fetchone()[0])
        self.assertNotIn(JPEG, stored)
        # The same envelope crypto.seal wrote before the column became an EncryptedBytesField.
        self.assertEqual(unseal(stored, purpose="attachment", context="outreach.activityphoto.sealed"), JPEG)
        url = f"/sosialisasi/kegiatan/{self.activity.pk}/foto/{photos[0].pk}/"
        self.assertAllowedOnly("get", url, [self.manager, self.data_officer])
        before = AuditEntry.objects.filter(action="outreach.photo_downloaded").count()
        response = self.login(self.data_officer).get(url)
        self.assertEqual(response.content, JPEG)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertEqual(AuditEntry.objects.filter(action="outreach.photo_downloaded").count(), before + 1)

    def test_wrong_type_too_large_or_unconfirmed_photos_are_refused(self) -> None:
        self.assertContains(self.upload(b"GIF89a" + b"\x00" * 20, "x.jpg"), "JPEG atau PNG", status_code=400)
        self.assertContains(self.upload(b"<svg></svg>", "x.png"), "JPEG atau PNG", status_code=400)
        self.assertContains(self.upload(JPEG + b"\x00" * MAX_PHOTO_BYTES), "terlalu besar", status_code=400)
        self.assertContains(self.upload(JPEG, confirm=False), "wajah anak", status_code=400)
        self.assertFalse(ActivityPhoto.objects.exists())
