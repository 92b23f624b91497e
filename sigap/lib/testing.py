"""Shared test scaffolding: a fixed cast of users in two districts.

``SigapTestCase`` builds, once per class, the regions of two regencies
(the deployment's own, 18.11 Mesuji, and its neighbour 18.10) and one user per
role. Staff users have a confirmed TOTP device; ``login()`` signs a user in with
the second factor already passed, ``login(user, verified=False)`` without it.
"""

from __future__ import annotations

import csv
from typing import Any

from django.test import Client, TestCase
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.regions.loader import DATA_DIR, FILES
from sigap.regions.models import Region

HOME_REGENCY = "18.11"  # Kabupaten Mesuji, the default SIGAP_REGION
OTHER_REGENCY = "18.10"
DESA_A = "18.11.01.2001"
DESA_B = "18.11.02.2001"
DESA_OTHER_DISTRICT = "18.10.01.2001"
PASSWORD = "kata-sandi-uji-yang-panjang"  # noqa: S105 - test accounts only


def load_test_regions(regencies: tuple[str, ...] = (HOME_REGENCY, OTHER_REGENCY)) -> None:
    """Insert province 18 and the given regencies with all their districts and villages."""
    if Region.objects.filter(code=regencies[0]).exists():
        return
    rows: list[Region] = []
    for filename, parent_column in FILES:
        with open(DATA_DIR / filename, newline="", encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                code = record["code"]
                if code == "18" or any(code == r or code.startswith(r + ".") for r in regencies):
                    rows.append(
                        Region(
                            code=code,
                            name=record["name"],
                            level=Region.level_for_code(code),
                            parent_id=record[parent_column] if parent_column else None,
                        )
                    )
    Region.objects.bulk_create(rows)


def create_user(role: str, username: str | None = None, *, desa: str | None = None, two_factor: bool | None = None,
                **extra: Any) -> User:
    user = User.objects.create_user(
        username=username or f"{role}-{User.objects.count() + 1}",
        password=PASSWORD,
        role=role,
        desa_id=desa,
        first_name=extra.pop("first_name", "Uji"),
        **extra,
    )
    if two_factor if two_factor is not None else role != Role.VOLUNTEER:
        TOTPDevice.objects.create(user=user, name="uji", confirmed=True)
    return user


class SigapTestCase(TestCase):
    admin: User
    manager: User
    case_worker: User
    operator: User
    data_officer: User
    volunteer_a: User
    volunteer_b: User
    partner: User

    @classmethod
    def setUpTestData(cls) -> None:
        load_test_regions()
        cls.admin = create_user(Role.ADMIN, "admin")
        cls.manager = create_user(Role.MANAGER, "kepala")
        cls.case_worker = create_user(Role.CASE_WORKER, "pendamping")
        cls.operator = create_user(Role.OPERATOR, "operator")
        cls.data_officer = create_user(Role.DATA_OFFICER, "data")
        cls.volunteer_a = create_user(Role.VOLUNTEER, "relawan-a", desa=DESA_A)
        cls.volunteer_b = create_user(Role.VOLUNTEER, "relawan-b", desa=DESA_B)
        cls.partner = create_user(Role.PARTNER, "mitra")

    @property
    def staff_cast(self) -> list[User]:
        return [self.admin, self.manager, self.case_worker, self.operator, self.data_officer, self.partner]

    @property
    def everyone(self) -> list[User]:
        return [*self.staff_cast, self.volunteer_a, self.volunteer_b]

    def login(self, user: User, *, verified: bool = True, client: Client | None = None) -> Client:
        client = client or self.client
        client.force_login(user)
        if verified:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
        return client

    def assertAllowedOnly(self, method: str, url: str, allowed: list[User], data: dict[str, Any] | None = None,
                          ok_statuses: tuple[int, ...] = (200, 302)) -> None:
        """Each user of the cast is either allowed (status in ok_statuses) or refused (403/404)."""
        for user in self.everyone:
            client = Client()
            self.login(user, client=client)
            response = getattr(client, method)(url, data or {})
            if user in allowed:
                self.assertIn(response.status_code, ok_statuses, f"{user.username} should reach {url}")
            else:
                self.assertIn(response.status_code, (403, 404), f"{user.username} must not reach {url}")
        anonymous = Client().get(url) if method == "get" else Client().post(url, data or {})
        self.assertIn(anonymous.status_code, (302, 401, 403, 404), f"anonymous must not reach {url}")
