"""Code lists of the conversations app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ConversationState(models.TextChoices):
    OPEN = "terbuka", _("Terbuka")
    CLOSED = "selesai", _("Selesai")


class Direction(models.TextChoices):
    # "Masuk"/"Keluar" also mean sign in/out and shelter check-in/out: a context tells them apart.
    INBOUND = "masuk", pgettext_lazy("message direction", "Masuk")
    OUTBOUND = "keluar", pgettext_lazy("message direction", "Keluar")


class MessageKind(models.TextChoices):
    TEXT = "text", _("Teks")
    IMAGE = "image", _("Gambar")
    AUDIO = "audio", _("Pesan suara / audio")
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Dokumen")
    STICKER = "sticker", _("Stiker")
    LOCATION = "location", _("Lokasi")
    INTERACTIVE = "interactive", _("Pilihan tombol / daftar")
    BUTTON = "button", _("Tombol templat")
    CONTACTS = "contacts", _("Kontak")
    REACTION = "reaction", _("Reaksi")
    TEMPLATE = "template", _("Templat")
    UNSUPPORTED = "unsupported", _("Tidak didukung")


MEDIA_KINDS = frozenset({MessageKind.IMAGE, MessageKind.AUDIO, MessageKind.VIDEO, MessageKind.DOCUMENT,
                         MessageKind.STICKER})


class MessageStatus(models.TextChoices):
    """Where a message stands. Inbound messages are ``received``; outbound ones climb
    queued -> sent -> delivered -> read, or end ``failed`` / ``refused``."""

    RECEIVED = "received", _("Diterima")
    QUEUED = "queued", _("Dalam antrean")
    SENT = "sent", _("Terkirim")
    DELIVERED = "delivered", _("Sampai")
    READ = "read", _("Dibaca")
    FAILED = "failed", _("Gagal")
    REFUSED = "refused", _("Tidak dikirim")


# Provider status updates arrive out of order and more than once: a message only
# moves up this ladder. "failed" may follow "sent" (the provider gave up later)
# but never a "read".
STATUS_RANK: dict[str, int] = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.FAILED: 2,
    MessageStatus.READ: 3,
}


class MediaState(models.TextChoices):
    NONE = "", _("Tanpa media")
    PENDING = "pending", _("Sedang diambil")
    STORED = "stored", _("Tersimpan")
    FAILED = "failed", _("Gagal diambil")
    TOO_LARGE = "too_large", _("Terlalu besar")


class OutboundPurpose(models.TextChoices):
    REPLY = "reply", _("Balasan petugas")
    AUTO_REPLY = "auto_reply", _("Balasan otomatis di luar jam layanan")
    NOTIFICATION = "notification", _("Notifikasi staf")


class OutboundState(models.TextChoices):
    QUEUED = "queued", _("Dalam antrean")
    SENDING = "sending", _("Sedang dikirim")
    RETRY = "retry", _("Menunggu dicoba lagi")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")
    REFUSED = "refused", _("Ditolak aturan keamanan")
