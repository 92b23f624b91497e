"""Ready answers an operator sends with one click. Bahasa Indonesia first, like the office."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

QUICK_REPLIES = {
    "aman": _("Apakah Anda aman untuk berbicara sekarang?"),
    "salam": _("Terima kasih sudah menghubungi kami. Kami di sini untuk membantu. Apa yang bisa kami bantu?"),
    "bahaya": _(
        "Apakah Anda atau orang lain sedang dalam bahaya saat ini? Jika ya, segera hubungi %(emergency)s."
    ),
    "waktu": _("Kapan waktu yang aman bagi kami untuk menghubungi Anda?"),
    "lokasi": _("Boleh kami tahu di desa dan kecamatan mana kejadiannya?"),
    "hapus": _("Demi keamanan Anda, Anda dapat menghapus percakapan ini setelah selesai."),
}


def quick_reply_text(key: str) -> str | None:
    text = QUICK_REPLIES.get(key)
    if text is None:
        return None
    return str(text) % {"emergency": ", ".join(settings.SIGAP_EMERGENCY_NUMBERS)} if "%(" in str(text) else str(text)


def quick_reply_choices() -> list[tuple[str, str]]:
    return [(key, quick_reply_text(key) or "") for key in QUICK_REPLIES]
