from django.db import models
from django.utils import timezone


class CeilingRow(models.Model):
    """One plain row per request to the ceiling view: the framework's best case."""

    created_at = models.DateTimeField(default=timezone.now)
    payload = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"ceiling row {self.pk}"
