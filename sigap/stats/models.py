from __future__ import annotations

from django.db import models
from django.utils import timezone


class PublicStatsSnapshot(models.Model):
    """The published, suppressed numbers of one year, computed by the worker.

    Requests read the stored snapshot; nothing is counted per request.
    """

    year = models.PositiveSmallIntegerField(unique=True)
    generated_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField()

    def __str__(self) -> str:
        return f"public stats {self.year}"
