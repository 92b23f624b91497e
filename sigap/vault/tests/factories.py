from __future__ import annotations

import datetime
from typing import Any

from sigap.vault.blind import nik_index, phone_index
from sigap.vault.tests.sample_app.models import SampleIdentity, SampleRecord

NAME = "Siti Rahmawati Kusumaningrum"
NIK = "1811014507890003"
PHONE = "+6281271857372"
ADDRESS = "Jalan Mawar Merah No. 17, Desa Brabasan"
CHRONOLOGY = "Kejadian di kebun karet belakang rumah Pak Darmanto"


def create_identity(**values: Any) -> SampleIdentity:
    fields: dict[str, Any] = {
        "name": NAME,
        "nik": NIK,
        "phone": PHONE,
        "address": ADDRESS,
        "birth_date": datetime.date(1989, 7, 5),
    }
    fields.update(values)
    identity = SampleIdentity(**fields)
    identity.phone_index = phone_index(identity.phone or "") or ""
    identity.nik_index = nik_index(identity.nik or "") or ""
    identity.save()
    return identity


def create_record(identity: SampleIdentity | None = None, **values: Any) -> SampleRecord:
    fields: dict[str, Any] = {
        "identity": identity,
        "chronology": CHRONOLOGY,
        "notes": "Korban minta dihubungi sore hari",
        "desa_code": "18.11.01.2001",
        "age_group": "25-44",
        "violence_type": "fisik",
    }
    fields.update(values)
    return SampleRecord.objects.create(**fields)
