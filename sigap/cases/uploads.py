"""Receiving attachments: kept in memory only, checked by their bytes, bounded in size.

Django's default upload handlers write files above 2.5 MB to a temporary file
on disk, unencrypted. ``MemoryOnlyUploadHandler`` keeps every upload in memory
up to SIGAP_ATTACHMENT_MAX_MB and stops reading beyond it, so a case document
never touches the disk before it is sealed.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _

# What a file must start with to be accepted, and the type it is stored as.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def max_bytes() -> int:
    return int(settings.SIGAP_ATTACHMENT_MAX_MB) * 1024 * 1024


class AttachmentRejected(Exception):
    def __init__(self, message: str) -> None:
        super().__init__("attachment rejected")
        self.message = message


def check_attachment(content: bytes) -> str:
    """The content type read from the bytes; raises AttachmentRejected for anything else."""
    if not content:
        raise AttachmentRejected(_("Berkas kosong."))
    if len(content) > max_bytes():
        raise AttachmentRejected(
            _("Berkas terlalu besar. Batasnya %(mb)s MB.") % {"mb": settings.SIGAP_ATTACHMENT_MAX_MB}
        )
    for signature, content_type in SIGNATURES:
        if content.startswith(signature):
            return content_type
    raise AttachmentRejected(_("Jenis berkas tidak diterima. Unggah foto JPEG/PNG atau dokumen PDF."))


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Collects each file in memory; aborts the upload once it passes the size limit."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.too_large = False
        self.buffer = BytesIO()
        self.size = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        if self.size > max_bytes():
            self.too_large = True
            if self.request is not None:
                self.request.attachment_too_large = True  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
