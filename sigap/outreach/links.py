"""Links printed on pamphlets: the public report form, tagged with desa and campaign."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

# Used while no campaign has been created yet.
DEFAULT_CAMPAIGN = "pamflet-desa"


def current_campaign_slug() -> str:
    from sigap.outreach.models import Campaign

    latest = Campaign.objects.order_by("-started_on", "-id").values_list("slug", flat=True).first()
    return latest or DEFAULT_CAMPAIGN


def report_link(desa_code: str, campaign: str | None = None) -> str:
    """``<public URL>/lapor?desa=<code>&src=<campaign>``: what a village's QR code opens."""
    query = urlencode({"desa": desa_code, "src": campaign or current_campaign_slug()})
    return f"{settings.SIGAP_PUBLIC_URL}/lapor?{query}"


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def public_url_problem() -> str:
    """Why pamphlets must not be made now, or "" when they may.

    Outside development a QR code pointing at this machine's own loopback
    address would be dead on every printed pamphlet.
    """
    host = urlsplit(settings.SIGAP_PUBLIC_URL).hostname or ""
    if settings.SIGAP_ENV != "development" and _is_loopback(host):
        return _(
            "Alamat publik SIGAP (SIGAP_PUBLIC_URL) masih %(url)s, alamat komputer ini sendiri: kode QR pada "
            "pamflet tidak akan bisa dibuka warga. Minta admin mengisi alamat publik yang benar lalu coba lagi."
        ) % {"url": settings.SIGAP_PUBLIC_URL}
    return ""
