"""A case worker corrects a victim's birth date and adds a violence type, and sees both versions."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sigap.accounts.roles import Role
from sigap.cases import actions
from sigap.intake.tests.factories import create_report
from sigap.lib.testing import create_user, load_test_regions
from tests.browser.test_cases import person  # noqa: F401 - the signed-in browser fixture

pytestmark = pytest.mark.browser


def test_case_worker_corrects_a_birth_date_and_adds_a_violence_type(person) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    load_test_regions()
    operator = create_user(Role.OPERATOR, "operator")
    manager = create_user(Role.MANAGER, "kepala")
    worker = create_user(Role.CASE_WORKER, "sari", first_name="Sari")
    report = create_report(operator, victims=[{
        "name": "Rina Contoh", "birth_date": "1990-03-04", "sex": "P", "desa": "18.11.01.2001",
    }]).report
    case = actions.open_case([report], by=operator)
    actions.assign_case(case, worker, by=manager)

    sari = person(worker)
    sari.goto(f"/pengaduan/laporan/{report.pk}/")
    sari.get_by_role("link", name="Ubah laporan").click()
    sari.get_by_label("Korban 1: tanggal lahir").fill("2012-03-04")
    sari.get_by_label("Seksual", exact=True).check()
    sari.get_by_label("Alasan perubahan").fill("Tanggal lahir dari akta kelahiran; kekerasan seksual terungkap saat asesmen.")
    sari.get_by_role("button", name="Simpan perubahan").click()
    expect(sari.get_by_text("Laporan diubah; versi sebelumnya tetap tersimpan.")).to_be_visible()

    sari.goto(f"/kasus/{case.pk}/linimasa/")
    timeline = sari.locator("ol.timeline")
    expect(timeline).to_contain_text("Diubah: Korban 1: tanggal lahir")
    expect(timeline).to_contain_text("Sebelumnya: 04-03-1990")
    expect(timeline).to_contain_text("Sekarang: 04-03-2012")
    expect(timeline).to_contain_text("Diubah: Jenis kekerasan")
    expect(timeline).to_contain_text("Sekarang: Psikis, Seksual")
    case.refresh_from_db()
    assert case.has_sexual_violence and case.police_deadline_at is not None
