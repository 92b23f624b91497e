from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """When each periodic job (sigap.core.schedule) was last put on the task queue."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """A message to one user inside SIGAP.

    ``text`` and ``link`` never hold personal data: they name records by number
    and staff by username, because notifications are previewed on lock screens
    and forwarded to other channels (WhatsApp, e-mail).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(_("jenis"), max_length=40)
    text = models.CharField(_("isi"), max_length=300)
    link = models.CharField(_("tautan"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_inbox")]
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")

    def __str__(self) -> str:
        return f"notification {self.pk} ({self.kind})"


class RateWindow(models.Model):
    """One fixed counting window of a shared rate limit (``sigap.lib.ratelimit.SharedWindowLimiter``).

    Shared by every server process, so a limit holds whatever the number of
    gunicorn workers. ``key`` is the limiter's name and a keyed digest of the
    client (``accounts.models.keyed_digest``), never an address or typed text.
    Rows past ``expires_at`` (epoch seconds) are purged by a periodic job.
    """

    key = models.CharField(max_length=100)
    window = models.BigIntegerField()  # epoch seconds // window length
    count = models.PositiveIntegerField(default=0)
    expires_at = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="rate_window_unique")]
        indexes = [models.Index(fields=["expires_at"], name="rate_window_expiry")]

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.window}: {self.count}"
