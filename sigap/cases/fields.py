"""A sealed byte-string field for attachment contents.

It joins the vault's encrypted-field family (``EncryptedFieldMixin``), so the
vault's registry finds it and ``rotate_keys`` re-seals attachments like every
other sealed column. The bytes are sealed as they are, with purpose
``attachment`` and the column as associated data.
"""

from __future__ import annotations

import base64
from typing import Any

from django.db import models

from sigap.vault.crypto import seal, unseal
from sigap.vault.fields import EncryptedFieldMixin


class EncryptedBytesField(EncryptedFieldMixin, models.BinaryField):
    def __init__(self, *args: Any, purpose: str = "attachment", **kwargs: Any) -> None:
        self._init_purpose(purpose, kwargs)
        super().__init__(*args, **kwargs)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        sealed = seal(bytes(value), purpose=self.purpose, context=self.vault_context)
        return connection.Database.Binary(sealed)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return unseal(bytes(value), purpose=self.purpose, context=self.vault_context)

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else base64.b64encode(value).decode("ascii")
