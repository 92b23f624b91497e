from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone


class ThrottledModelBackend(ModelBackend):
    """The model backend, refusing locked accounts even with the right password."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and user.locked_until is not None and user.locked_until > timezone.now():
            return None
        return user
