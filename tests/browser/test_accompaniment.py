"""A case worker accompanies one rape case: the 72-hour checklist, the police report, a hearing, restitution."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sigap.accompaniment import actions
from sigap.accompaniment.models import CareChecklist, JusticeRecord, OfficialLetter, Restitution
from sigap.accompaniment.tests.factories import chronology
from sigap.accounts.roles import Role
from sigap.cases import actions as case_actions
from sigap.cases.tests.factories import create_partner, sexual_violence
from sigap.intake.tests.factories import create_report
from sigap.lib.testing import create_user, load_test_regions
from tests.browser.test_cases import person  # noqa: F401 - the signed-in browser fixture

pytestmark = pytest.mark.browser


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_case_worker_walks_a_case_from_post_rape_care_to_a_restitution_order(person) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    load_test_regions()
    manager = create_user(Role.MANAGER, "kepala", first_name="Kepala")
    worker = create_user(Role.CASE_WORKER, "pendamping", first_name="Sari")
    operator = create_user(Role.OPERATOR, "operator")
    create_partner("police_uppa", name="Unit PPA Polres Mesuji", added_by=manager)
    overrides = sexual_violence()
    overrides["chronology"] = chronology(8)
    report = create_report(operator, **overrides).report
    case = case_actions.open_case([report], by=operator)
    case_actions.assign_case(case, worker, by=manager)

    page = person(worker)
    page.goto(f"/pendampingan/kasus/{case.pk}/")

    # The 72-hour checklist with its clock; PEP given at the puskesmas.
    page.locator("#id_checklist_incident_at").fill(local(timezone.now() - datetime.timedelta(hours=8)))
    page.get_by_role("button", name="Buka daftar periksa").click()
    expect(page.get_by_text("Daftar periksa 72 jam dibuka.")).to_be_visible()
    expect(page.get_by_text("sisa waktu", exact=False)).to_be_visible()
    page.locator("tr", has_text="PEP").get_by_role("button", name="Catat").click()
    expect(page.get_by_text("Butir daftar periksa dicatat.")).to_be_visible()
    expect(page.locator("tr", has_text="PEP").get_by_text("Dilakukan", exact=True)).to_be_visible()

    # The police report: the referral with its cover letter, then the report number the police gave.
    page.locator("#id_police_letter_partner").select_option(label="Unit PPA Polres Mesuji")
    page.locator("#id_police_letter_consent").check()
    page.get_by_role("button", name="Kirim dan buat surat").click()
    expect(page.get_by_text("surat pengantar dibuat", exact=False)).to_be_visible()
    page.locator("#id_justice_police_report_number").fill("LP/B/77/XII/2026/POLRES")
    page.locator("#id_justice_police_report_at").fill(local(timezone.now() - datetime.timedelta(hours=1)))
    page.locator("#id_justice_police_unit").select_option(label="Unit PPA Polres Mesuji")
    page.locator("#id_justice_police_report_number").press("Enter")
    expect(page.get_by_text("Data proses hukum disimpan.")).to_be_visible()
    expect(page.get_by_text("LP/B/77/XII/2026/POLRES", exact=False)).to_be_visible()

    # A hearing on the calendar.
    page.locator("#id_appointment_kind").select_option(label="Sidang pengadilan")
    hearing_at = timezone.now() + datetime.timedelta(days=3)
    page.locator("#id_appointment_starts_at").fill(local(hearing_at))
    page.locator("#id_appointment_worker").select_option(label="Sari")
    page.locator("#id_appointment_place").fill("Pengadilan Negeri Contoh")
    page.get_by_role("button", name="Simpan jadwal").click()
    expect(page.get_by_text("Jadwal dicatat.")).to_be_visible()
    expect(page.locator("#daftar-sidang")).to_contain_text("Terjadwal")

    # Restitution requested, then ordered by the court.
    page.locator("#id_restitution_requested_on").fill(timezone.localdate().isoformat())
    page.locator("#id_restitution_amount").fill("50000000")
    page.get_by_role("button", name="Catat pengajuan restitusi").click()
    expect(page.get_by_text("Pengajuan restitusi dicatat.")).to_be_visible()
    panel = page.locator(".panel", has_text="diajukan")
    panel.get_by_label("Status baru").select_option(label="Diputus pengadilan")
    panel.get_by_label("Tanggal").fill(timezone.localdate().isoformat())
    panel.get_by_label("Jumlah (Rp)").fill("25000000")
    panel.get_by_role("button", name="Perbarui").click()
    expect(page.get_by_text("Status restitusi diperbarui.")).to_be_visible()
    expect(page.locator(".panel", has_text="Diputus pengadilan")).to_contain_text("Rp 25000000")

    # The worker's own month grid shows the hearing on its day (one "next month" away when it falls there).
    page.locator("nav.main-nav").get_by_role("link", name="Jadwal saya", exact=True).click()
    expect(page.locator("li.day[aria-current=date]")).to_contain_text("Hari ini")
    today, hearing_day = timezone.localdate(), timezone.localdate(hearing_at)
    for _month in range((hearing_day.year - today.year) * 12 + hearing_day.month - today.month):
        page.locator(".month-nav a[rel=next]").click()
    day = page.locator("li.day", has=page.locator(f"time[datetime^='{hearing_day.isoformat()}']"))
    expect(day.locator(".appt")).to_contain_text("Sidang pengadilan")
    expect(day.locator(".appt")).to_contain_text(case.number)

    checklist = CareChecklist.objects.get(case=case)
    assert checklist.items.filter(status="dilakukan").count() == 1
    assert JusticeRecord.objects.get(case=case).police_report_number == "LP/B/77/XII/2026/POLRES"
    assert Restitution.objects.get(case=case).ordered_amount == 25_000_000
    assert OfficialLetter.objects.filter(case=case, letter_type="pengantar_polisi").count() == 1


def test_the_month_grid_is_a_day_list_on_a_phone_and_seven_columns_on_a_wide_screen(person) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    load_test_regions()
    manager = create_user(Role.MANAGER, "kepala", first_name="Kepala")
    worker = create_user(Role.CASE_WORKER, "pendamping", first_name="Sari")
    operator = create_user(Role.OPERATOR, "operator")
    report = create_report(operator).report
    case = case_actions.open_case([report], by=operator)
    case_actions.assign_case(case, worker, by=manager)
    # A month with nothing today in it: 10 March 2026 (a Tuesday) and 25 March 2026 (a Wednesday).
    for day, kind in ((10, "konseling"), (25, "sidang")):
        actions.schedule_appointment(case, by=worker, kind=kind, worker=worker,
                                     starts_at=datetime.datetime(2026, 3, day, 9, tzinfo=timezone.get_current_timezone()))

    page = person(worker)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/pendampingan/jadwal/?bulan=2026-03")
    days = page.locator("li.day")
    expect(days.filter(has_text="Sesi konseling")).to_be_visible()
    expect(days.filter(has_text="Selasa, 10 Maret 2026")).to_be_visible()  # the day's name, in words
    expect(days.filter(has_text="Senin, 9 Maret 2026")).to_be_hidden()  # a day without appointments
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling

    page.set_viewport_size({"width": 1366, "height": 768})
    expect(days.filter(has_text="Senin, 9 Maret 2026")).to_be_visible()
    tops = {round(days.nth(i).bounding_box()["y"]) for i in range(7)}  # type: ignore[index]
    assert len(tops) == 1, tops  # the first week is one row of seven
    monday, sunday = days.nth(0).bounding_box(), days.nth(6).bounding_box()
    assert monday is not None and sunday is not None and sunday["x"] > monday["x"] + 5 * monday["width"]
    expect(page.locator(".weekdays")).to_contain_text("Sen")

    page.locator(".month-nav a[rel=next]").click()
    expect(page.locator(".month-nav h2")).to_have_text("April 2026")
    page.locator(".month-nav a[rel=prev]").click()
    page.locator(".month-nav a[rel=prev]").click()
    expect(page.locator(".month-nav h2")).to_have_text("Februari 2026")
    expect(page.get_by_text("Tidak ada jadwal bulan ini.")).to_be_visible()


def test_a_colleague_who_attended_the_hearing_records_its_outcome_from_today_on_a_phone(person) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    load_test_regions()
    manager = create_user(Role.MANAGER, "kepala", first_name="Kepala")
    worker = create_user(Role.CASE_WORKER, "pendamping", first_name="Sari")
    colleague = create_user(Role.CASE_WORKER, "pendamping-b", first_name="Budi")
    operator = create_user(Role.OPERATOR, "operator")
    court = create_partner("court", name="Pengadilan Negeri Contoh", added_by=manager)
    report = create_report(operator).report
    case = case_actions.open_case([report], by=operator)
    case_actions.assign_case(case, worker, by=manager)
    # The case's worker is ill; the colleague goes to this morning's hearing in her place.
    start_of_day = timezone.localtime().replace(hour=0, minute=1, second=0, microsecond=0)
    actions.schedule_appointment(case, by=worker, kind="sidang", starts_at=start_of_day, worker=colleague,
                                 place="Ruang Sidang Cakra", partner=court, escort_needed=True)

    page = person(colleague)
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name=f"00.01 · Sidang pengadilan · {case.number} · kasus rekan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sidang pengadilan")
    expect(page.get_by_text("Ruang Sidang Cakra")).to_be_visible()
    expect(page.get_by_text("Siti Contoh")).to_have_count(0)  # the victim stays with the case
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    page.locator("#id_status").select_option(label="Tidak hadir")
    page.get_by_role("button", name="Catat hasil").click()
    expect(page.get_by_text("Tuliskan alasannya.")).to_be_visible()  # the same rules as the case's worker
    page.locator("#id_note").fill("Sidang ditunda karena hakim berhalangan")
    page.get_by_role("button", name="Catat hasil").click()
    expect(page.get_by_text("Hasil jadwal dicatat.")).to_be_visible()
    expect(page.get_by_text("dicatat oleh Budi", exact=False)).to_be_visible()
    expect(page.get_by_text("Ruang Sidang Cakra")).to_have_count(0)

    own = person(worker)
    own.locator("nav.main-nav").get_by_role("link", name="Notifikasi").click()
    own.get_by_role("link", name="dicatat oleh pendamping yang hadir", exact=False).click()
    expect(own.locator("#jadwal ~ .table-wrap")).to_contain_text("Sidang ditunda karena hakim berhalangan")
    expect(own.locator("#jadwal ~ .table-wrap")).to_contain_text("dicatat oleh Budi")
