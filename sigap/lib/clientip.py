"""The client's address, the same way for every public limit (docs/SECURITY.md, finding 4).

Behind the documented nginx every request reaches gunicorn from 127.0.0.1; nginx
puts the real client address in ``X-Real-IP``. That header is believed only
when the request comes from a configured proxy (``SIGAP_TRUSTED_PROXIES``,
default the loopback addresses): anyone else could write any address there and
walk around every limit. Without a proxy, the socket address is the client.

``client_key(request, purpose)`` is the keyed digest limiters store (never the
address itself); sign-in throttling, /lapor, /lacak and ``GET /api/v1/track/``
all use it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    peer = _address(request.META.get("REMOTE_ADDR")) or "unknown"
    if peer in settings.SIGAP_TRUSTED_PROXIES:
        forwarded = _address(request.META.get("HTTP_X_REAL_IP"))
        if forwarded is not None:
            return forwarded
    return peer


def client_key(request: HttpRequest, purpose: str) -> str:
    from sigap.accounts.models import keyed_digest

    return keyed_digest(f"{purpose}|{client_ip(request)}")
