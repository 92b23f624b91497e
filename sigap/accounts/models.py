from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.accounts.roles import Role, has_permission, requires_two_factor


class User(AbstractUser):
    """A person who signs in: staff of the office, a village volunteer or a partner."""

    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    desa = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("desa"),
        help_text=_("Wajib untuk relawan: desa tempat relawan bertugas."),
    )
    failed_login_count = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def clean(self) -> None:
        super().clean()
        if self.role == Role.VOLUNTEER and not self.desa_id:
            raise ValidationError({"desa": _("Relawan harus terikat pada satu desa.")})
        if self.desa_id and self.role != Role.VOLUNTEER:
            raise ValidationError({"desa": _("Hanya relawan yang terikat pada desa.")})

    def has_perm_code(self, perm: str) -> bool:
        return has_permission(self, perm)

    @property
    def needs_two_factor(self) -> bool:
        return requires_two_factor(self)

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


def keyed_digest(value: str) -> str:
    """A keyed hash for throttling by IP or username without storing either."""
    return hmac.new(settings.SECRET_KEY.encode(), value.lower().encode(), hashlib.sha256).hexdigest()[:32]


class LoginFailure(models.Model):
    """One failed sign-in. IP and typed username are kept only as keyed hashes."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ip_digest = models.CharField(max_length=32)
    username_digest = models.CharField(max_length=32)
    reason = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["ip_digest", "at"], name="loginfailure_ip_at")]

    def __str__(self) -> str:
        return f"login failure {self.pk} ({self.reason})"


class UserSession(models.Model):
    """Which sessions belong to whom, so deactivating a user can end them all."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="session_links")
    session_key = models.CharField(max_length=40, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


class SetupToken(models.Model):
    """The one-time first-run link. Only its hash is stored."""

    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"setup token {self.pk}"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
