"""WhatsApp in a real browser: a message arrives by the webhook, the operator
replies from the inbox (the fake Graph API receives it) and turns the chat
into a report whose chronology is pre-filled from the messages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.intake.channels.conversations.models import Conversation
from sigap.intake.channels.testing import FakeProvider, wa_signature, wa_text
from sigap.lib.testing import PASSWORD, create_user, load_test_regions

pytestmark = pytest.mark.browser

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def fake_provider() -> Iterator[FakeProvider]:
    with FakeProvider() as fake, override_settings(TASKS=IMMEDIATE_TASKS, **fake.settings()):
        yield fake


def sign_in(page: Page, user: User) -> None:
    device = TOTPDevice.objects.get(user=user)
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/akun/2fa/verifikasi/")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(f"{code:06d}")
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url("**/staf/")


def test_a_whatsapp_message_is_answered_and_becomes_a_report(
    page: Page, live_server: LiveServer, fake_provider: FakeProvider
) -> None:
    load_test_regions()
    operator = create_user(Role.OPERATOR, "operator", first_name="Rina")

    # Meta delivers a signed message to the public webhook.
    body = json.dumps(wa_text("6281234567890", "wamid.BROWSER1", "Tolong, adik saya dipukul ayah tiri tadi malam",
                              name="Ibu Uji")).encode()
    answer = httpx.post(live_server.url + "/webhooks/whatsapp", content=body,
                        headers={"Content-Type": "application/json", "X-Hub-Signature-256": wa_signature(body)}, timeout=60)
    assert answer.status_code == 200

    sign_in(page, operator)
    page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Kotak masuk").click()
    expect(page.get_by_role("heading", name="Kotak masuk WhatsApp dan SMS")).to_be_visible()
    page.get_by_role("link", name="Ibu Uji").click()
    expect(page.get_by_text("Tolong, adik saya dipukul ayah tiri tadi malam")).to_be_visible()

    page.get_by_role("textbox", name="Balasan").fill("Terima kasih, Ibu. Apakah Anda aman untuk berbicara sekarang?")
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_text("Balasan masuk antrean pengiriman.")).to_be_visible()
    expect(page.locator(".bubble-out .bubble-status")).to_contain_text("Terkirim")
    [sent] = fake_provider.sent_messages()
    assert sent.json["to"] == "6281234567890"
    assert sent.json["text"]["body"] == "Terima kasih, Ibu. Apakah Anda aman untuk berbicara sekarang?"

    page.get_by_role("button", name="Buat laporan").click()
    page.wait_for_url("**/pengaduan/laporan/baru/?conversation=*")
    description = page.get_by_label("Uraian kejadian").first
    expect(description).to_have_value(re.compile(r"\] Tolong, adik saya dipukul ayah tiri tadi malam"))
    conversation = Conversation.objects.get()
    assert conversation.contact is not None and conversation.contact.channel == "whatsapp"
