"""Activity photos: checked by their bytes; ``ActivityPhoto.sealed`` seals them on the way to the database."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MAX_PHOTO_BYTES = 5 * 1024 * 1024

# Magic bytes: the file's own first bytes decide its type, never its name or the browser's claim.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class PhotoRejected(ValueError):
    """The upload is not a JPEG/PNG or is too large; the message is shown to the user."""


def sniff(data: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def check_photo(data: bytes) -> str:
    """The content type of an acceptable photo, or PhotoRejected."""
    if not data:
        raise PhotoRejected(_("Berkas foto kosong."))
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRejected(_("Foto terlalu besar (maksimal 5 MB)."))
    content_type = sniff(data)
    if content_type is None:
        raise PhotoRejected(_("Hanya foto JPEG atau PNG yang dapat diunggah."))
    return content_type

