from __future__ import annotations

from django.db import models
from django.utils import timezone


class CeilingRow(models.Model):
    """One plain row per request to the ceiling view: the framework's best case."""

    created_at = models.DateTimeField(default=timezone.now)
    payload = models.CharField(max_length=200)

    # Declared because the app is only installed under SIGAP_BENCH (mypy runs without it).
    objects: models.Manager[CeilingRow] = models.Manager()

    def __str__(self) -> str:
        return f"ceiling row {self.pk}"
