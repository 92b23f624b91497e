"""Seams to apps that may not exist yet: intake's reports and the statistics app.

Both import lazily and degrade to zeros / None, so outreach works (and is tested)
whatever has landed. When ``sigap.intake`` exists, reports are counted per desa
by their victims' desa (a report with victims in two villages counts in both),
falling back to the report's own desa when a report has no victim rows; a
report "came through the village's QR code" when its ``source`` is a campaign
code (the ``src`` of pamphlet links) and the village is its desa.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count


@dataclass(frozen=True)
class ReportCounts:
    total: int = 0
    via_qr: int = 0


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def report_counts(desa_codes: list[str], campaign_codes: list[str]) -> dict[str, ReportCounts]:
    """Reports received per desa, and those tagged with a pamphlet campaign; {} without intake."""
    report = _model("intake.Report")
    if report is None or not desa_codes:
        return {}
    victim = _model("intake.Victim")
    fields = {f.name for f in report._meta.get_fields()}
    totals: dict[str, int] = defaultdict(int)
    if victim is not None:
        for row in (
            victim.objects.filter(desa_id__in=desa_codes)
            .values("desa_id")
            .annotate(n=Count("report_id", distinct=True))
        ):
            totals[row["desa_id"]] += row["n"]
        no_victims = report.objects.filter(desa_id__in=desa_codes, victims__isnull=True)
    else:
        no_victims = report.objects.filter(desa_id__in=desa_codes)
    if "desa" in fields:
        for row in no_victims.values("desa_id").annotate(n=Count("id")):
            totals[row["desa_id"]] += row["n"]
    via_qr: dict[str, int] = {}
    if "source" in fields and "desa" in fields and campaign_codes:
        via_qr = {
            row["desa_id"]: row["n"]
            for row in report.objects.filter(desa_id__in=desa_codes, source__in=campaign_codes)
            .values("desa_id")
            .annotate(n=Count("id"))
        }
    return {code: ReportCounts(totals.get(code, 0), via_qr.get(code, 0)) for code in desa_codes}


def public_figures() -> dict[str, Any] | None:
    """Key anonymised figures for the media kit, from the statistics app; None until it exists.

    The statistics app is expected to offer ``sigap.stats.public.public_figures()``
    returning a mapping of already-safe numbers (small counts suppressed there).
    """
    if not apps.is_installed("sigap.stats"):
        return None
    try:
        from importlib import import_module

        provider = getattr(import_module("sigap.stats.public"), "public_figures", None)
    except ImportError:
        return None
    if provider is None:
        return None
    figures = provider()
    return dict(figures) if figures else None


def public_figures_as_of() -> Any:
    """When the statistics app computed the public figures (a datetime), or None."""
    if not apps.is_installed("sigap.stats"):
        return None
    try:
        from importlib import import_module

        provider = getattr(import_module("sigap.stats.public"), "public_figures_as_of", None)
    except ImportError:
        return None
    return provider() if provider is not None else None
