"""Every change to outreach records: one transaction and one audit entry each."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sigap.network.models import Member, Partner
from sigap.outreach import pamphlets
from sigap.outreach.links import public_url_problem
from sigap.outreach.models import (
    Activity,
    ActivityPhoto,
    BatchStatus,
    Campaign,
    PamphletBatch,
    PressRelease,
    ReleaseStatus,
)
from sigap.outreach.photos import check_photo
from sigap.regions.models import Region
from sigap.vault import audit

log = logging.getLogger(__name__)


ACTIVITY_FIELDS = (
    "date", "kind", "campaign", "audience_women", "audience_men", "audience_children", "pamphlets_handed_out",
)


def create_campaign(*, slug: str, name: str, started_on: Any, by: Any, request: HttpRequest | None = None) -> Campaign:
    with transaction.atomic():
        campaign = Campaign.objects.create(slug=slug, name=name, started_on=started_on, created_by=by)
        audit.record("outreach.campaign_created", actor=by, obj=campaign, reason=slug, request=request)
    return campaign


def save_activity(
    activity: Activity | None,
    *,
    data: dict[str, Any],
    area: Region,
    partners: list[Partner],
    members: list[Member],
    by: Any,
    request: HttpRequest | None = None,
) -> Activity:
    """Create or update an activity. ``area`` is a desa, or a kecamatan for area-wide activities."""
    created = activity is None
    activity = activity or Activity(created_by=by)
    for field in ACTIVITY_FIELDS:
        if field in data:
            setattr(activity, field, data[field])
    if area.level == "desa":
        activity.desa = area
        activity.kecamatan_id = area.parent_id  # type: ignore[assignment]
    else:
        activity.desa = None
        activity.kecamatan = area
    activity.notes = data.get("notes") or None
    activity.updated_at = timezone.now()
    with transaction.atomic():
        activity.save()
        activity.partners.set(partners)
        activity.members.set(members)
        audit.record(
            "outreach.activity_created" if created else "outreach.activity_updated",
            actor=by,
            obj=activity,
            request=request,
        )
    return activity


def add_photo(activity: Activity, data: bytes, *, by: Any, request: HttpRequest | None = None) -> ActivityPhoto:
    """Check (PhotoRejected) and seal a photo; the plaintext never reaches the database."""
    content_type = check_photo(data)
    with transaction.atomic():
        photo = ActivityPhoto.objects.create(
            activity=activity, sealed=data, content_type=content_type, size=len(data), uploaded_by=by
        )
        audit.record("outreach.photo_added", actor=by, obj=photo, reason=f"activity={activity.pk}", request=request)
    return photo


def photo_downloaded(photo: ActivityPhoto, *, by: Any, request: HttpRequest | None = None) -> None:
    audit.record("outreach.photo_downloaded", actor=by, obj=photo, request=request)


# Pamphlet batches ------------------------------------------------------------


def request_pamphlet_batch(campaign: Campaign, *, by: Any, request: HttpRequest | None = None) -> PamphletBatch:
    """Queue a batch; the worker picks it up once this transaction has committed."""
    from sigap.outreach.tasks import generate_pamphlet_batch

    with transaction.atomic():
        batch = PamphletBatch.objects.create(campaign=campaign, requested_by=by)
        audit.record("outreach.pamphlet_batch_requested", actor=by, obj=batch, reason=campaign.slug, request=request)
        transaction.on_commit(lambda: generate_pamphlet_batch.enqueue(batch.pk))
    return batch


def run_pamphlet_batch(batch_id: int) -> PamphletBatch:
    """Make every desa's pamphlets for a queued batch (called by the worker)."""
    with transaction.atomic():
        batch = PamphletBatch.objects.select_for_update().select_related("campaign").get(pk=batch_id)
        if batch.status != BatchStatus.QUEUED:
            return batch
        batch.status = BatchStatus.RUNNING
        batch.started_at = timezone.now()
        batch.save(update_fields=["status", "started_at"])
    started = time.perf_counter()
    if public_url_problem():
        # Configuration changed between the request and the run: no dead QR codes.
        with transaction.atomic():
            PamphletBatch.objects.filter(pk=batch_id).update(
                status=BatchStatus.FAILED, finished_at=timezone.now(), error="public address is loopback"
            )
            audit.record("outreach.pamphlet_batch_failed", object_type="outreach.pamphletbatch", object_id=batch_id)
        return PamphletBatch.objects.get(pk=batch_id)
    try:
        output = pamphlets.render_batch(pamphlets.contents_for_region(batch.campaign.slug))
    except Exception:
        log.exception("pamphlet batch %s failed", batch_id)
        with transaction.atomic():
            PamphletBatch.objects.filter(pk=batch_id).update(
                status=BatchStatus.FAILED, finished_at=timezone.now(), error="render failed"
            )
            audit.record("outreach.pamphlet_batch_failed", object_type="outreach.pamphletbatch", object_id=batch_id)
        raise
    seconds = time.perf_counter() - started
    with transaction.atomic():
        batch.combined_pdf = output.combined_pdf
        batch.archive = output.archive
        batch.village_count = output.village_count
        batch.seconds = round(seconds, 3)
        batch.status = BatchStatus.DONE
        batch.finished_at = timezone.now()
        batch.save()
        audit.record("outreach.pamphlet_batch_done", obj=batch, reason=f"villages={output.village_count}")
    log.info("pamphlet batch %s: %s villages in %.2f s", batch_id, output.village_count, seconds)
    return batch


def batch_downloaded(batch: PamphletBatch, part: str, *, by: Any, request: HttpRequest | None = None) -> None:
    audit.record("outreach.pamphlet_batch_downloaded", actor=by, obj=batch, reason=part, request=request)


# Exports and press releases ----------------------------------------------------------


def coverage_exported(fmt: str, *, rows: int, by: Any, request: HttpRequest | None = None) -> None:
    audit.record("outreach.coverage_exported", actor=by, object_type="outreach.coverage",
                 reason=f"{fmt} rows={rows}", request=request)


def draft_press_release(
    *, campaign: Campaign, title: str, body: str, figures: dict[str, Any], by: Any, request: HttpRequest | None = None
) -> PressRelease:
    with transaction.atomic():
        release = PressRelease.objects.create(
            campaign=campaign, title=title, body=body, figures=figures, drafted_by=by
        )
        audit.record("outreach.press_release_drafted", actor=by, obj=release, request=request)
    return release


def update_press_release(
    release: PressRelease, *, title: str, body: str, by: Any, request: HttpRequest | None = None
) -> PressRelease:
    """Edit a draft. Editing an approved release takes it down until it is approved again."""
    with transaction.atomic():
        release.title, release.body = title, body
        release.status = ReleaseStatus.DRAFT
        release.approved_by, release.approved_at = None, None
        release.save()
        audit.record("outreach.press_release_updated", actor=by, obj=release, request=request)
    return release


def approve_press_release(release: PressRelease, *, by: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        release.status = ReleaseStatus.APPROVED
        release.approved_by = by
        release.approved_at = timezone.now()
        release.save(update_fields=["status", "approved_by", "approved_at"])
        audit.record("outreach.press_release_approved", actor=by, obj=release, request=request)


def withdraw_press_release(release: PressRelease, *, by: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        release.status = ReleaseStatus.WITHDRAWN
        release.save(update_fields=["status"])
        audit.record("outreach.press_release_withdrawn", actor=by, obj=release, request=request)
