"""One case from report to closure, driven through the screens by the people who do each step."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.cases.models import Case, Referral
from sigap.cases.tests.factories import create_partner
from sigap.intake.tests.factories import create_report
from sigap.lib.testing import PASSWORD, create_user, load_test_regions

pytestmark = pytest.mark.browser


def code_for(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


def nav(page: Page, name: str) -> None:
    page.locator("nav.main-nav").get_by_role("link", name=name, exact=True).click()


@pytest.fixture
def person(browser: Browser, live_server: LiveServer) -> Iterator[object]:
    """Opens a fresh, signed-in browser context for a user (one per person, as on their own device)."""
    contexts = []

    def sign_in(user: User) -> Page:
        context = browser.new_context(base_url=live_server.url, locale="id-ID")
        context.set_default_timeout(30_000)  # a loaded CI machine is slow to serve the first page
        contexts.append(context)
        page = context.new_page()
        page.goto("/akun/masuk/")
        page.get_by_label("Nama pengguna").fill(user.username)
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url("**/akun/2fa/verifikasi/")
        page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(code_for(TOTPDevice.objects.get(user=user)))
        page.get_by_role("button", name="Verifikasi").click()
        page.wait_for_url("**/staf/")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def test_one_case_from_report_through_plan_service_referral_and_closure(person) -> None:  # type: ignore[no-untyped-def]
    load_test_regions()
    manager = create_user(Role.MANAGER, "kepala", first_name="Kepala")
    worker = create_user(Role.CASE_WORKER, "pendamping", first_name="Sari")
    operator = create_user(Role.OPERATOR, "operator")
    partner_user = create_user(Role.PARTNER, "mitra-polres")
    police = create_partner("police_uppa", name="Unit PPA Polres Mesuji", members=(partner_user,), added_by=manager)
    report = create_report(operator, consent={"process": True, "refer": True, "police": True}).report

    # The manager opens the case from the report and assigns it, seeing each worker's load.
    boss = person(manager)
    nav(boss, "Buka kasus")
    boss.get_by_label(f"Pilih laporan {report.registration_number}").check()
    boss.get_by_role("button", name="Buka kasus dari laporan terpilih").click()
    expect(boss.get_by_text("dibuka.", exact=False)).to_be_visible()
    case = Case.objects.get()
    boss.get_by_role("link", name="Penugasan").click()
    expect(boss.get_by_role("columnheader", name="Tugas lewat tenggat")).to_be_visible()
    boss.get_by_label("Pendamping").select_option(label="Sari")
    boss.get_by_role("button", name="Tugaskan").click()
    expect(boss.get_by_text("Kasus ditugaskan.")).to_be_visible()

    # The case worker finds it under "Pekerjaan saya", makes first contact and assesses.
    sari = person(worker)
    nav(sari, "Pekerjaan saya")
    sari.get_by_role("link", name=case.number).first.click()
    sari.get_by_label("Catatan singkat").fill("Korban dihubungi, dalam keadaan aman.")
    sari.get_by_role("button", name="Simpan kontak").click()
    expect(sari.get_by_text("Kontak dicatat.")).to_be_visible()
    for stage in ("Identifikasi", "Asesmen"):
        # The control offers only the next stage (and going back).
        sari.get_by_label(f"Lanjut ke {stage}").check()
        sari.get_by_role("button", name="Simpan tahap").click()
        expect(sari.get_by_text("Tahap kasus diperbarui.")).to_be_visible()
    expect(sari.locator("#stage-blocked")).to_contain_text("Asesmen belum disimpan.")
    sari.get_by_role("link", name="Asesmen", exact=True).click()
    sari.get_by_label("Kondisi psikologis").fill("Cemas, sulit tidur.")
    sari.get_by_label("Kebutuhan dan harapan korban").fill("Ingin merasa aman di rumah.")
    sari.get_by_role("button", name="Simpan asesmen").click()
    expect(sari.get_by_text("Asesmen disimpan.")).to_be_visible()
    sari.get_by_role("link", name="Ringkasan").click()
    sari.get_by_label("Lanjut ke Rencana intervensi").check()
    sari.get_by_role("button", name="Simpan tahap").click()

    # The plan: goals and one planned service, submitted to the manager.
    sari.get_by_role("link", name="Rencana intervensi").click()
    sari.get_by_label("Tujuan intervensi").fill("Korban aman dan mendapat pendampingan psikologis.")
    sari.get_by_role("button", name="Simpan tujuan").click()
    sari.locator("#id_service").select_option(label="Pendampingan korban")
    sari.get_by_label("Tenggat").fill((timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    sari.get_by_label("Penanggung jawab: petugas").select_option(label="Sari")
    sari.get_by_role("button", name="Tambah layanan").click()
    expect(sari.get_by_text("Layanan ditambahkan ke rencana.")).to_be_visible()
    sari.get_by_role("button", name="Ajukan rencana kepada manajer").click()
    expect(sari.get_by_text("Rencana diajukan kepada manajer kasus.")).to_be_visible()

    # The manager approves the plan with a comment.
    boss.goto(f"/kasus/{case.pk}/rencana/")
    boss.get_by_label("Setujui").check()
    boss.get_by_label("Komentar").fill("Rencana baik, lanjutkan.")
    boss.get_by_role("button", name="Simpan keputusan").click()
    expect(boss.get_by_text("Rencana disetujui.")).to_be_visible()

    # The worker records a service and refers the victim to the police, with consent.
    sari.get_by_role("link", name="Layanan", exact=True).click()
    sari.get_by_label("Layanan UPTD PPA").select_option(label="Pendampingan korban")
    sari.get_by_label("Hasil").fill("Konseling pertama selesai.")
    sari.get_by_role("button", name="Simpan layanan").click()
    expect(sari.get_by_text("Layanan dicatat.")).to_be_visible()
    sari.get_by_role("link", name="Rujukan", exact=True).click()
    sari.get_by_label("Mitra").select_option(label=police.name)
    sari.get_by_label("Layanan yang diminta").select_option(label="Penegakan hukum")
    sari.get_by_label("Korban (atau walinya) menyetujui rujukan ini").check()
    sari.get_by_role("button", name="Kirim rujukan").click()
    expect(sari.get_by_text("Rujukan dikirim.")).to_be_visible()
    with sari.expect_download() as letter:
        sari.get_by_role("link", name="Unduh surat rujukan (PDF)").click()
    assert letter.value.suggested_filename.endswith(".pdf")

    # The police unit sees the referral in its inbox and accepts it.
    polres = person(partner_user)
    nav(polres, "Rujukan")
    polres.get_by_role("link", name=f"Rujukan #{Referral.objects.get().pk}").click()
    expect(polres.get_by_text("Siti Contoh")).to_be_visible()
    polres.get_by_label("Status baru").select_option(label="Diterima")
    polres.get_by_role("button", name="Kirim tanggapan").click()
    expect(polres.get_by_text("Status rujukan diperbarui.")).to_be_visible()

    # The worker asks to close; the manager approves; the timeline tells the whole story.
    sari.get_by_role("link", name="Penutupan").click()
    sari.get_by_label("Hasil akhir").select_option(label="Tujuan intervensi tercapai")
    sari.get_by_label("Alasan penutupan").fill("Korban aman dan pulih; proses hukum berjalan.")
    sari.get_by_role("button", name="Ajukan penutupan").click()
    expect(sari.get_by_text("Penutupan diajukan kepada manajer kasus.")).to_be_visible()
    boss.goto(f"/kasus/{case.pk}/penutupan/")
    boss.get_by_label("Setujui").check()
    # Open tasks and the running police referral are each closed with a reason.
    expect(boss.get_by_role("heading", name="Pekerjaan yang masih terbuka")).to_be_visible()
    decisions = boss.locator("select[name^=decision-]")
    for i in range(decisions.count()):
        decisions.nth(i).select_option(index=1)
        boss.locator("input[name^=reason-]").nth(i).fill("Selesai bersama penutupan kasus.")
    boss.get_by_role("button", name="Simpan keputusan").click()
    expect(boss.get_by_text("Kasus ditutup.")).to_be_visible()
    boss.get_by_role("link", name="Linimasa").click()
    timeline = boss.locator("ol.timeline")
    for text in (f"Laporan {report.registration_number} diterima", "Tahap: Penerimaan pengaduan → Identifikasi",
                 "Asesmen biopsikososial dicatat", "Rencana intervensi versi 1 disetujui",
                 "Layanan: Pendampingan korban", "Rujukan dikirim ke Unit PPA Polres Mesuji",
                 "Rujukan ke Unit PPA Polres Mesuji: Diterima", "Penutupan diajukan", "→ Terminasi"):
        expect(timeline).to_contain_text(text)

    case.refresh_from_db()
    assert (case.stage, case.is_open) == ("terminasi", False)
    assert case.first_contact_at and case.assessed_at and case.first_service_at and case.closed_at
