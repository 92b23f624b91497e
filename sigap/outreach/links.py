"""Links printed on pamphlets: the public report form, tagged with desa and campaign."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings

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
