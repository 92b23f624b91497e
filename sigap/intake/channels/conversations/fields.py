"""A sealed field for raw bytes (voice notes, photos, documents received by chat).

The vault's fields seal text; media are bytes. This field reuses the vault's
envelope (``EncryptedFieldMixin``: purpose, ``app.model.field`` context, no SQL
lookups), so key rotation and the sealed-field registry cover it unchanged.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from sigap.vault.crypto import seal, unseal
from sigap.vault.fields import EncryptedFieldMixin


class SealedBytesField(EncryptedFieldMixin, models.BinaryField):
    def __init__(self, *args: Any, purpose: str = "attachment", **kwargs: Any) -> None:
        self._init_purpose(purpose, kwargs)
        super().__init__(*args, **kwargs)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        return connection.Database.Binary(seal(bytes(value), purpose=self.purpose, context=self.vault_context))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return unseal(bytes(value), purpose=self.purpose, context=self.vault_context)

    def value_to_string(self, obj: models.Model) -> str:
        # Serialising media bytes into fixtures or dumps is never wanted.
        return ""
