"""A sealed field for raw bytes (voice notes, photos, documents received by chat).

The vault's ``EncryptedBytesField`` (purpose ``attachment``, ``app.model.field``
context, no SQL lookups), so key rotation, scrubbing and the sealed-field
registry cover it unchanged; only its serialisation differs.
"""

from __future__ import annotations

from django.db import models

from sigap.vault.fields import EncryptedBytesField


class SealedBytesField(EncryptedBytesField):
    def value_to_string(self, obj: models.Model) -> str:
        # Serialising media bytes into fixtures or dumps is never wanted.
        return ""
