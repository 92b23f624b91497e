from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sigap.accounts.roles import Perm, has_permission
from sigap.accounts.views import permission_required
from sigap.lib.params import parse_id
from sigap.outreach import access, actions, coverage, pamphlets, press
from sigap.outreach.forms import (
    ActivityForm,
    AreaForm,
    CampaignForm,
    NewPressReleaseForm,
    PhotoForm,
    PressReleaseForm,
)
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
from sigap.outreach.photos import PhotoRejected
from sigap.outreach.seams import public_figures, public_figures_as_of
from sigap.regions.models import Region


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Activities ------------------------------------------------------------------


@permission_required(Perm.MANAGE_OUTREACH)
def activity_list(request: HttpRequest) -> HttpResponse:
    activities = Activity.objects.select_related("desa", "kecamatan", "campaign").order_by("-date", "-id")
    kecamatan = request.GET.get("kecamatan", "")
    choices = list(Region.objects.in_deployment().kecamatan().order_by("code"))
    if kecamatan in {k.code for k in choices}:
        activities = activities.filter(kecamatan_id=kecamatan)
    else:
        kecamatan = ""
    return render(
        request,
        "outreach/activity_list.html",
        {"activities": activities[:200], "kecamatan_choices": choices, "kecamatan": kecamatan},
    )


def _area_from(request: HttpRequest) -> Region | None:
    code = request.GET.get("wilayah", "")
    if not code:
        return None
    return get_object_or_404(
        Region.objects.in_deployment().filter(level__in=["kecamatan", "desa"]), code=code
    )


@permission_required(Perm.MANAGE_OUTREACH)
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    area = _area_from(request)
    if area is None:
        return render(request, "outreach/activity_area.html", {"form": AreaForm()})
    form = ActivityForm(request.POST or None, area=area, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        activity = actions.save_activity(
            None,
            data=form.cleaned_data,
            area=area,
            partners=list(form.cleaned_data["partners"]),
            members=form.chosen_members(),
            by=request.user,
            request=request,
        )
        messages.success(request, _("Kegiatan sosialisasi disimpan."))
        return redirect("outreach:activity_detail", pk=activity.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "outreach/activity_form.html", {"form": form, "area": area}, status=status)


@permission_required(Perm.MANAGE_OUTREACH)
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("desa", "kecamatan"), pk=pk)
    area = activity.desa or activity.kecamatan
    initial = {
        "date": activity.date,
        "kind": activity.kind,
        "campaign": activity.campaign_id,
        "audience_women": activity.audience_women,
        "audience_men": activity.audience_men,
        "audience_children": activity.audience_children,
        "pamphlets_handed_out": activity.pamphlets_handed_out,
        "partners": list(activity.partners.all()),
        "members": [str(pk) for pk in activity.members.values_list("pk", flat=True)],
        "notes": activity.notes or "",
    }
    form = ActivityForm(request.POST or None, area=area, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.save_activity(
            activity,
            data=form.cleaned_data,
            area=area,
            partners=list(form.cleaned_data["partners"]),
            members=form.chosen_members(),
            by=request.user,
            request=request,
        )
        messages.success(request, _("Kegiatan sosialisasi disimpan."))
        return redirect("outreach:activity_detail", pk=activity.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "outreach/activity_form.html", {"form": form, "area": area, "activity": activity}, status=status
    )


@permission_required(Perm.MANAGE_OUTREACH)
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("desa", "kecamatan", "campaign"), pk=pk)
    return render(
        request,
        "outreach/activity_detail.html",
        {
            "activity": activity,
            "partners": activity.partners.all(),
            "members": activity.members.select_related("desa"),
            "photos": activity.photos.defer("sealed"),
            "photo_form": PhotoForm(),
        },
    )


@permission_required(Perm.MANAGE_OUTREACH)
@require_POST
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity, pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["photo"]
        from sigap.outreach.photos import MAX_PHOTO_BYTES

        if upload.size > MAX_PHOTO_BYTES:
            form.add_error("photo", _("Foto terlalu besar (maksimal 5 MB)."))
        else:
            try:
                actions.add_photo(activity, upload.read(), by=request.user, request=request)
            except PhotoRejected as error:
                form.add_error("photo", str(error))
            else:
                messages.success(request, _("Foto disimpan terenkripsi."))
                return redirect("outreach:activity_detail", pk=activity.pk)
    return render(
        request,
        "outreach/activity_detail.html",
        {
            "activity": activity,
            "partners": activity.partners.all(),
            "members": activity.members.select_related("desa"),
            "photos": activity.photos.defer("sealed"),
            "photo_form": form,
        },
        status=400,
    )


@permission_required(Perm.MANAGE_OUTREACH)
@require_GET
def photo_download(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    photo = get_object_or_404(ActivityPhoto, pk=photo_pk, activity_id=pk)
    body = bytes(photo.sealed)
    actions.photo_downloaded(photo, by=request.user, request=request)
    ext = "png" if photo.content_type == "image/png" else "jpg"
    return _attachment(body, photo.content_type, f"kegiatan-{pk}-foto-{photo.pk}.{ext}")


# Pamphlets -------------------------------------------------------------------


def _refused(request: HttpRequest, problem: str) -> HttpResponse:
    """A pamphlet that would carry a dead QR code: the reason, nothing generated."""
    return render(request, "outreach/pamphlet_refused.html", {"problem": problem}, status=409)


@login_required
def village_pamphlet(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """A village's pamphlet, made on the fly: PDF (A4/A5) to print, PNG for WhatsApp."""
    desa = access.get_pamphlet_desa_for(request.user, code)
    if problem := public_url_problem():
        return _refused(request, problem)
    campaign = None
    wanted = request.GET.get("kampanye", "")
    if wanted and access.can_manage_pamphlets(request.user):
        campaign = Campaign.objects.filter(slug=wanted).values_list("slug", flat=True).first()
        if campaign is None:
            raise Http404
    content = pamphlets.content_for(desa, campaign=campaign)
    if fmt == "png":
        return _attachment(pamphlets.render_png(content), "image/png", f"pamflet-{content.file_stem}.png")
    if fmt in pamphlets.PAGE_SIZES:
        return _attachment(
            pamphlets.render_pdf([content], fmt), "application/pdf", f"pamflet-{content.file_stem}-{fmt.upper()}.pdf"
        )
    raise Http404


@permission_required(Perm.MANAGE_OUTREACH)
@require_http_methods(["GET", "POST"])
def pamphlet_home(request: HttpRequest) -> HttpResponse:
    """Campaigns, the batch of pamphlets for every desa, and single-village downloads."""
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.create_campaign(**form.cleaned_data, by=request.user, request=request)
        messages.success(request, _("Kampanye dibuat."))
        return redirect("outreach:pamphlet_home")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "outreach/pamphlet_home.html",
        {
            "form": form,
            "campaigns": Campaign.objects.order_by("-started_on", "-id"),
            "batches": PamphletBatch.objects.select_related("campaign").defer("combined_pdf", "archive")[:20],
            "villages": Region.objects.in_deployment().desa().select_related("parent").order_by("code"),
            "public_url": settings.SIGAP_PUBLIC_URL,
            "public_url_problem": public_url_problem(),
        },
        status=status,
    )


@permission_required(Perm.MANAGE_OUTREACH)
@require_POST
def batch_request(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    if problem := public_url_problem():
        messages.error(request, problem)
        return redirect("outreach:pamphlet_home")
    actions.request_pamphlet_batch(campaign, by=request.user, request=request)
    messages.success(request, _("Pamflet semua desa sedang dibuat di latar belakang. Muat ulang halaman ini nanti."))
    return redirect("outreach:pamphlet_home")


@permission_required(Perm.MANAGE_OUTREACH)
@require_GET
def batch_download(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    batch = get_object_or_404(PamphletBatch.objects.select_related("campaign"), pk=pk, status=BatchStatus.DONE)
    if part == "pdf" and batch.combined_pdf:
        body = bytes(batch.combined_pdf)
        content_type, filename = "application/pdf", f"pamflet-{batch.campaign.slug}-semua-desa-A4.pdf"
    elif part == "zip" and batch.archive:
        body = bytes(batch.archive)
        content_type, filename = "application/zip", f"pamflet-{batch.campaign.slug}-semua-desa.zip"
    else:
        raise Http404
    actions.batch_downloaded(batch, part, by=request.user, request=request)
    return _attachment(body, content_type, filename)


# Coverage --------------------------------------------------------------------


def _coverage_from(request: HttpRequest) -> tuple[coverage.Coverage, str, str]:
    kecamatan = request.GET.get("kecamatan", "")
    if kecamatan and not Region.objects.in_deployment().kecamatan().filter(code=kecamatan).exists():
        kecamatan = ""
    sort = request.GET.get("urut", "kecamatan")
    if sort not in coverage.SORTS:
        sort = "kecamatan"
    return coverage.build_coverage(kecamatan, sort), kecamatan, sort


@permission_required(Perm.MANAGE_OUTREACH)
@require_GET
def coverage_view(request: HttpRequest) -> HttpResponse:
    result, kecamatan, sort = _coverage_from(request)
    return render(
        request,
        "outreach/coverage.html",
        {
            "coverage": result,
            "totals": result.totals(),
            "kecamatan": kecamatan,
            "sort": sort,
            "kecamatan_choices": Region.objects.in_deployment().kecamatan().order_by("code"),
        },
    )


@permission_required(Perm.MANAGE_OUTREACH)
@require_GET
def coverage_export(request: HttpRequest, fmt: str) -> HttpResponse:
    result, _kecamatan, _sort = _coverage_from(request)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        body, content_type = coverage.to_csv(result), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = coverage.to_xlsx(result)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    actions.coverage_exported(fmt, rows=len(result.rows), by=request.user, request=request)
    return _attachment(body, content_type, f"cakupan-desa-{stamp}.{fmt}")


# Press releases (staff) ------------------------------------------------------------


@permission_required(Perm.MANAGE_OUTREACH)
@require_http_methods(["GET", "POST"])
def press_list(request: HttpRequest) -> HttpResponse:
    form = NewPressReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = form.cleaned_data["campaign"]
        _title, _body, figures = press.draft_for(campaign)
        release = actions.draft_press_release(
            campaign=campaign, title=form.cleaned_data["title"], body=form.cleaned_data["body"],
            figures=figures, by=request.user, request=request,
        )
        messages.success(request, _("Draf siaran pers disimpan. Kepala UPTD harus menyetujuinya sebelum terbit."))
        return redirect("outreach:press_detail", pk=release.pk)
    if request.method == "GET" and request.GET.get("kampanye"):
        campaign_pk = parse_id(request.GET["kampanye"])
        campaign = Campaign.objects.filter(pk=campaign_pk).first() if campaign_pk else None
        if campaign is not None:
            title, body, _figures = press.draft_for(campaign)
            form = NewPressReleaseForm(initial={"campaign": campaign, "title": title, "body": body})
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "outreach/press_list.html",
        {"form": form, "releases": PressRelease.objects.select_related("campaign"),
         "campaigns": Campaign.objects.order_by("-started_on")},
        status=status,
    )


@permission_required(Perm.MANAGE_OUTREACH)
@require_http_methods(["GET", "POST"])
def press_detail(request: HttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(PressRelease.objects.select_related("campaign", "drafted_by", "approved_by"), pk=pk)
    form = PressReleaseForm(request.POST or None, initial={"title": release.title, "body": release.body})
    if request.method == "POST" and form.is_valid():
        actions.update_press_release(
            release, title=form.cleaned_data["title"], body=form.cleaned_data["body"], by=request.user, request=request
        )
        messages.success(request, _("Siaran pers diubah dan kembali menjadi draf."))
        return redirect("outreach:press_detail", pk=release.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "outreach/press_detail.html",
        {"release": release, "form": form, "can_approve": has_permission(request.user, Perm.APPROVE_PRESS)},
        status=status,
    )


@permission_required(Perm.APPROVE_PRESS)
@require_POST
def press_approve(request: HttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(PressRelease, pk=pk)
    if release.status == ReleaseStatus.APPROVED:
        return redirect("outreach:press_detail", pk=pk)
    actions.approve_press_release(release, by=request.user, request=request)
    messages.success(request, _("Siaran pers disetujui dan tampil di halaman media."))
    return redirect("outreach:press_detail", pk=pk)


@permission_required(Perm.APPROVE_PRESS)
@require_POST
def press_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(PressRelease, pk=pk)
    actions.withdraw_press_release(release, by=request.user, request=request)
    messages.success(request, _("Siaran pers ditarik dari halaman media."))
    return redirect("outreach:press_detail", pk=pk)


# The public media kit --------------------------------------------------------


@require_GET
def media_kit(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "outreach/media_kit.html",
        {
            "figures": public_figures(),
            "figures_as_of": public_figures_as_of(),
            "releases": PressRelease.objects.filter(status=ReleaseStatus.APPROVED).order_by("-approved_at")[:10],
            "press_contact": settings.SIGAP_PRESS_CONTACT,
            "press_phone": settings.SIGAP_PRESS_PHONE,
            "press_email": settings.SIGAP_PRESS_EMAIL,
            "public_url": settings.SIGAP_PUBLIC_URL,
        },
    )


@require_GET
def media_release(request: HttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(PressRelease, pk=pk, status=ReleaseStatus.APPROVED)
    return render(request, "outreach/media_release.html", {"release": release})


@require_GET
def media_pamphlet(request: HttpRequest, fmt: str) -> HttpResponse:
    """The region-wide pamphlet (no village contact) for the press to publish."""
    if problem := public_url_problem():
        return _refused(request, problem)
    content = pamphlets.district_content()
    if fmt == "png":
        return _attachment(pamphlets.render_cached(content, fmt), "image/png", "pamflet-hotline.png")
    if fmt in pamphlets.PAGE_SIZES:
        return _attachment(
            pamphlets.render_cached(content, fmt), "application/pdf", f"pamflet-hotline-{fmt.upper()}.pdf"
        )
    raise Http404
