"""Model fields whose values are sealed with AES-256-GCM before they reach the database.

Use them for everything that names or locates a person: names, NIK, phone
numbers, addresses, dates of birth, chronology text, notes and other free text;
``EncryptedBytesField`` for file contents (attachments, photos, generated PDFs).
Counted fields (desa code, age group, sex, violence type, event dates, status)
stay plain.

Sealed columns cannot be searched or compared in SQL (each seal uses a fresh
nonce); exact-match lookups go through a blind index (``sigap.vault.blind``).
"""

from __future__ import annotations

import base64
import datetime
from typing import Any

from django import forms
from django.core import checks
from django.db import models
from django.db.models import Lookup
from django.db.models.lookups import IsNull

from sigap.lib.params import clean_text
from sigap.vault.crypto import seal, unseal

# Purposes a field may seal under. Blind indexes and the audit chain have keys of
# their own that never encrypt stored values; "backup" protects backup files.
FIELD_PURPOSES = ("identity", "content", "attachment")


class EncryptedFieldMixin:
    """Shared behaviour: seal on the way in, unseal on the way out, no SQL lookups."""

    purpose: str
    name: str
    model: type[models.Model]
    # What a scrub writes into a field that cannot be null (sigap.vault.scrub);
    # None means the field must be null=True to be scrubbed.
    scrub_placeholder: Any = ""

    def _init_purpose(self, purpose: str, kwargs: dict[str, Any]) -> None:
        if purpose not in FIELD_PURPOSES:
            raise ValueError(f"encrypted fields use one of {FIELD_PURPOSES}, not {purpose!r}")
        self.purpose = purpose
        kwargs.setdefault("editable", True)

    @property
    def vault_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        # clean_text: a lone surrogate (from a JSON escape) cannot be UTF-8; it is sealed as U+FFFD.
        sealed = seal(clean_text(self.to_text(value)).encode("utf-8"), purpose=self.purpose,
                      context=self.vault_context)
        return connection.Database.Binary(sealed)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.from_text(unseal(bytes(value), purpose=self.purpose, context=self.vault_context).decode("utf-8"))

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)  # type: ignore[attr-defined]
        return "" if value is None else self.to_text(value)

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name == "isnull":
            return IsNull
        return None

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors: list[checks.CheckMessage] = list(super().check(**kwargs))  # type: ignore[misc]
        if getattr(self, "db_index", False) or getattr(self, "_unique", False):
            errors.append(checks.Error("encrypted fields cannot be indexed or unique", obj=self, id="vault.E001"))
        if self.scrub_placeholder is None and not getattr(self, "null", False):
            errors.append(
                checks.Warning("this encrypted field cannot be scrubbed unless null=True", obj=self, id="vault.W001")
            )
        return errors

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        kwargs["purpose"] = self.purpose
        kwargs.pop("editable", None)
        return name, path, args, kwargs


class EncryptedTextField(EncryptedFieldMixin, models.BinaryField):
    """Free text of any length (chronology, notes). Forms show a textarea."""

    def __init__(self, *args: Any, purpose: str = "content", **kwargs: Any) -> None:
        self._init_purpose(purpose, kwargs)
        super().__init__(*args, **kwargs)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field:
        defaults: dict[str, Any] = {"widget": forms.Textarea, "required": not self.blank, "label": self.verbose_name}
        defaults.update(kwargs)
        return forms.CharField(**defaults)


class EncryptedCharField(EncryptedFieldMixin, models.BinaryField):
    """A short value (name, NIK, phone, address). ``max_length`` bounds the plaintext."""

    def __init__(self, *args: Any, purpose: str = "content", max_length: int = 255, **kwargs: Any) -> None:
        self._init_purpose(purpose, kwargs)
        self.plain_max_length = max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        if self.plain_max_length != 255:
            kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field:
        defaults: dict[str, Any] = {
            "max_length": self.plain_max_length,
            "required": not self.blank,
            "label": self.verbose_name,
        }
        defaults.update(kwargs)
        return forms.CharField(**defaults)


class EncryptedDateField(EncryptedFieldMixin, models.BinaryField):
    """A date that identifies a person (date of birth). Stored as ISO text, sealed."""

    scrub_placeholder = None

    def __init__(self, *args: Any, purpose: str = "content", **kwargs: Any) -> None:
        self._init_purpose(purpose, kwargs)
        super().__init__(*args, **kwargs)

    def to_text(self, value: Any) -> str:
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return value.isoformat()
        return datetime.date.fromisoformat(str(value)).isoformat()

    def from_text(self, text: str) -> Any:
        return datetime.date.fromisoformat(text)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field:
        defaults: dict[str, Any] = {"required": not self.blank, "label": self.verbose_name}
        defaults.update(kwargs)
        return forms.DateField(**defaults)


class EncryptedBytesField(EncryptedFieldMixin, models.BinaryField):
    """A byte string (document, photo, generated file), sealed as it is, purpose ``attachment``.

    Being one of the family, the registry finds it and ``rotate_keys`` re-seals it
    like every other sealed column.
    """

    scrub_placeholder: Any = b""

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
