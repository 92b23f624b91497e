"""The public screens: the report form (/lapor) and the status lookup (/lacak). No login.

Both are guarded by sliding-window limits (``sigap.lib.ratelimit``) per client
address (a keyed digest of it, never the address) and in all:

* every request to either page, before any form or database work, in process
  memory: SIGAP_PUBLIC_PAGES_PER_IP_PER_MINUTE per address,
  SIGAP_PUBLIC_PAGES_PER_MINUTE in all, per server process. This gate sheds a
  flood with a cheap 429 page and no query, so it never queues in front of the
  staff; counting it in the database would turn the flood into writes;
* report submissions, in the database so the limits hold across every server
  process: SIGAP_PUBLIC_REPORTS_PER_IP_PER_HOUR per address,
  SIGAP_PUBLIC_REPORTS_PER_MINUTE in all;
* tracking lookups and wrong PINs: the API's shared limiters (sigap.intake.api),
  so the page and the API share one budget across processes, and wrong PINs
  lock the code (actions.track).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sigap.intake import api as intake_api
from sigap.intake.actions import TrackingLocked, track
from sigap.intake.codes import Channel
from sigap.intake.forms import PUBLIC, ReportEntry, TrackForm
from sigap.intake.views.common import issue_form_token, public_status_label, submit_entry
from sigap.lib.clientip import client_key
from sigap.lib.ratelimit import SharedWindowLimiter, SlidingWindowLimiter
from sigap.regions.models import Level, Region

page_ip_limiter = SlidingWindowLimiter(settings.SIGAP_PUBLIC_PAGES_PER_IP_PER_MINUTE, 60)
page_global_limiter = SlidingWindowLimiter(settings.SIGAP_PUBLIC_PAGES_PER_MINUTE, 60)
submit_ip_limiter = SharedWindowLimiter("lapor-ip", settings.SIGAP_PUBLIC_REPORTS_PER_IP_PER_HOUR, 3600)
submit_global_limiter = SharedWindowLimiter("lapor-all", settings.SIGAP_PUBLIC_REPORTS_PER_MINUTE, 60)
ALL_LIMITERS = (
    page_ip_limiter, page_global_limiter, submit_ip_limiter, submit_global_limiter,
    intake_api.lookup_limiter, intake_api.failure_limiter,
)
GLOBAL = "all"

# The field bots fill and people never see (hidden by CSS, skipped by keyboard and screen readers).
HONEYPOT = "situs_web"
SOURCE_PATTERN = re.compile(r"[a-z0-9-]{1,40}")
DESA_PATTERN = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")


def _client(request: HttpRequest, purpose: str) -> str:
    return client_key(request, purpose)


def too_many(request: HttpRequest, retry_after: int = 60) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _page_allowed(request: HttpRequest) -> bool:
    # Both limits count the request; the global one last, so one client cannot use it all up.
    return page_ip_limiter.hit(_client(request, "public-page")) and page_global_limiter.hit(GLOBAL)


def valid_source(value: str | None) -> str:
    return value if value and SOURCE_PATTERN.fullmatch(value) else ""


def valid_desa(value: str | None) -> str:
    if not value or not DESA_PATTERN.fullmatch(value):
        return ""
    return value if Region.objects.filter(code=value, level=Level.DESA).exists() else ""


@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest) -> HttpResponse:
    if not _page_allowed(request):
        return too_many(request)
    if request.method == "GET":
        desa = valid_desa(request.GET.get("desa"))
        entry = ReportEntry(mode=PUBLIC, initial={"desa": desa} if desa else None)
        return _render(request, entry, source=valid_source(request.GET.get("src")), token=issue_form_token())

    source = valid_source(request.POST.get("src"))
    token = request.POST.get("form_token", "")
    add = request.POST.get("add") or None
    entry = ReportEntry(request.POST, mode=PUBLIC, add=add)
    if add is not None:
        return _render(request, entry, source=source, token=token or issue_form_token())
    # Every post counts against its own client's limit; only a submission that would be stored
    # (past the honeypot, valid, with a good token) counts against the limit of all clients, so
    # junk from one client never uses up the budget of genuine reporters.
    if not submit_ip_limiter.hit(_client(request, "public-report")):
        return too_many(request, retry_after=600)
    if request.POST.get(HONEYPOT):
        # A bot: say as little as a person would see after a glitch, and keep nothing.
        entry.apply_errors({})
        entry.details.add_error(None, _("Laporan belum terkirim. Silakan coba lagi, atau hubungi hotline %(hotline)s.")
                                % {"hotline": settings.SIGAP_HOTLINE})
        return _render(request, entry, source=source, token=issue_form_token(), status=400)
    outcome = submit_entry(request, entry, by=None, channel=Channel.WEB, source=source, token=token,
                           admit=lambda: submit_global_limiter.hit(GLOBAL))
    if outcome.refused:
        return too_many(request, retry_after=60)
    if outcome.submitted is None:
        if "form_token" in outcome.problems:
            token = issue_form_token()
        return _render(request, entry, source=source, token=token or issue_form_token(), status=400)
    return render(
        request,
        "intake/public_submitted.html",
        {"submitted": outcome.submitted, "track_url_name": "intake:track"},
    )


def _render(request: HttpRequest, entry: ReportEntry, *, source: str, token: str, status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {
        "entry": entry,
        "mode": PUBLIC,
        "source": source,
        "form_token": token,
        "honeypot": HONEYPOT,
    }
    return render(request, "intake/public_report.html", context, status=status)


@require_http_methods(["GET", "POST"])
def track_view(request: HttpRequest) -> HttpResponse:
    if not _page_allowed(request):
        return too_many(request)
    form = TrackForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "GET":
        return render(request, "intake/track.html", context)
    client = intake_api._client_key(request)
    if intake_api.failure_limiter.exceeded(client) or not intake_api.lookup_limiter.hit(client):
        return too_many(request, retry_after=600)
    if not form.is_valid():
        return render(request, "intake/track.html", context, status=400)
    try:
        status = track(form.cleaned_data["code"], form.cleaned_data["pin"], now=timezone.now())
    except TrackingLocked:
        return too_many(request, retry_after=settings.SIGAP_TRACKING_LOCK_MINUTES * 60)
    if status is None:
        intake_api.failure_limiter.record(client)
        # Neither the code nor the PIN is shown back.
        error = _("Kode pelacakan atau PIN tidak cocok. Periksa lagi, atau hubungi hotline.")
        return render(request, "intake/track.html", {"form": TrackForm(), "error": error}, status=400)
    return render(
        request,
        "intake/track.html",
        {"form": TrackForm(), "status": status, "status_label": public_status_label(status)},
    )
