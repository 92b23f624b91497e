from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from sigap.accounts import audit
from sigap.accounts.models import UserSession


@receiver(user_logged_in)
def _on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    now = int(time.time())
    request.session["sigap_auth_at"] = now
    request.session["sigap_seen_at"] = now
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.create(user=user, session_key=request.session.session_key or "")
    audit.logged_in(request, user)


@receiver(user_logged_out)
def _on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        if request is not None and request.session.session_key:
            UserSession.objects.filter(user=user, session_key=request.session.session_key).delete()
        audit.logged_out(request, user)
