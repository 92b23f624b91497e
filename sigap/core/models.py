from __future__ import annotations

from django.db import models


class ScheduledJob(models.Model):
    """When each periodic job (sigap.core.schedule) was last put on the task queue."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
