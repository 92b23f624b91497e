from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("audit entries are append-only")

    def delete(self) -> NoReturn:
        raise PermissionError("audit entries are append-only")


class AuditEntry(models.Model):
    """One audited event. Never personal data: only ids, action names and reasons.

    ``hash = HMAC(audit key, prev_hash || canonical entry)``; ``verify_audit``
    walks the chain by ``seq``.
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        verbose_name = _("entri audit")
        verbose_name_plural = _("log audit")

    def __str__(self) -> str:
        return f"audit #{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("audit entries are append-only")


class AuditHead(models.Model):
    """The single row holding the chain's last sequence number and hash.

    Every audit write locks it (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transactions already serialise writers), so entries form one chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class KeyRotationCursor(models.Model):
    """How far ``rotate_keys`` got in one table, so a crashed run resumes there.

    A row exists only while a rotation to ``target_version`` is unfinished; a
    completed run deletes its cursors.
    """

    model_label = models.CharField(max_length=100)
    target_version = models.PositiveIntegerField()
    last_pk = models.CharField(max_length=64, blank=True)
    resealed = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model_label", "target_version"], name="rotation_cursor_unique")
        ]

    def __str__(self) -> str:
        return f"rotation of {self.model_label} to v{self.target_version}"
