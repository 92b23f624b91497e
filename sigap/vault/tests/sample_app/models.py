"""Stand-ins for intake's and cases' models, shaped like them: an identity record
apart from the record it belongs to, sealed personal fields, plain statistical
fields, blind indexes, and the scrub/retention protocol."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models

from sigap.vault.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField


class SampleIdentity(models.Model):
    name = EncryptedCharField(purpose="identity", max_length=200, null=True, blank=True)
    nik = EncryptedCharField(purpose="identity", max_length=16, null=True, blank=True)
    phone = EncryptedCharField(purpose="identity", max_length=32, null=True, blank=True)
    address = EncryptedTextField(purpose="identity", null=True, blank=True)
    birth_date = EncryptedDateField(purpose="identity", null=True, blank=True)
    phone_index = models.CharField(max_length=6, blank=True, db_index=True)
    nik_index = models.CharField(max_length=6, blank=True, db_index=True)

    # Plain columns that identify too and are reset by a scrub.
    scrub_extra_fields: dict[str, Any] = {"phone_index": "", "nik_index": ""}

    def __str__(self) -> str:
        return f"identity {self.pk}"


class SampleRecord(models.Model):
    identity = models.ForeignKey(SampleIdentity, null=True, blank=True, on_delete=models.PROTECT)
    chronology = EncryptedTextField(null=True, blank=True)
    notes = EncryptedTextField(blank=True)
    desa_code = models.CharField(max_length=13, blank=True)
    age_group = models.CharField(max_length=8, blank=True)
    violence_type = models.CharField(max_length=20, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    scrubbed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"record {self.pk}"

    def scrub_related(self) -> Iterable[models.Model]:
        return [self.identity] if self.identity is not None else []

    @classmethod
    def retention_queryset(cls, cutoff: datetime.datetime) -> models.QuerySet[SampleRecord]:
        return cls.objects.filter(closed_at__lt=cutoff, scrubbed_at__isnull=True).order_by("pk")


class SampleOther(models.Model):
    text = EncryptedTextField(null=True, blank=True)

    def __str__(self) -> str:
        return f"other {self.pk}"
