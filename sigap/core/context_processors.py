from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from sigap.accounts.roles import nav_for


def sigap(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "office_name": settings.SIGAP_OFFICE_NAME,
        "hotline": settings.SIGAP_HOTLINE,
        "whatsapp": settings.SIGAP_WHATSAPP,
        "whatsapp_link": "https://wa.me/" + _wa_number(settings.SIGAP_WHATSAPP),
        "emergency_numbers": settings.SIGAP_EMERGENCY_NUMBERS,
        "quick_exit_url": settings.SIGAP_QUICK_EXIT_URL,
        "training": settings.SIGAP_TRAINING,
        "nav_items": nav_for(user) if user is not None and user.is_authenticated else [],
        "unread_notifications": _unread(user),
    }


def _unread(user: Any) -> object:
    """The unread count beside "Notifikasi", counted only when a page shows it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    from sigap.core.models import Notification

    return SimpleLazyObject(lambda: Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count())


def _wa_number(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits
