"""Where sealed values live: every encrypted field of every installed model.

``rotate_keys``, scrubbing and the tests walk this registry, so a new app that
declares an encrypted field is covered without registering anything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from sigap.vault.fields import EncryptedFieldMixin


@dataclass(frozen=True)
class SealedField:
    model: type[models.Model]
    field: EncryptedFieldMixin

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def column(self) -> str:
        return self.field.column  # type: ignore[attr-defined]

    @property
    def attname(self) -> str:
        return self.field.attname  # type: ignore[attr-defined]

    @property
    def label(self) -> str:
        return self.field.vault_context


def encrypted_fields_of(model: type[models.Model]) -> list[EncryptedFieldMixin]:
    """The encrypted fields stored in ``model``'s own table (inherited ones included)."""
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]


def sealed_fields() -> list[SealedField]:
    """Every encrypted column in the database, once each (proxies and unmanaged models skipped)."""
    found: list[SealedField] = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        for field in meta.local_concrete_fields:
            if isinstance(field, EncryptedFieldMixin):
                found.append(SealedField(model, field))
    return found


def sealed_models() -> dict[type[models.Model], list[SealedField]]:
    """The registry grouped by table, in a stable order (app label, model name)."""
    grouped: dict[type[models.Model], list[SealedField]] = defaultdict(list)
    for item in sealed_fields():
        grouped[item.model].append(item)
    return dict(sorted(grouped.items(), key=lambda pair: pair[0]._meta.label_lower))
