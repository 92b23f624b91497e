from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sigap.accounts.roles import Perm
from sigap.accounts.views import permission_required
from sigap.outreach import access, pamphlets
from sigap.outreach.models import Campaign


@permission_required(Perm.MANAGE_OUTREACH)
def activity_list(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/activity_list.html", {})


@login_required
def village_pamphlet(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """A village's pamphlet, made on the fly: PDF (A4/A5) to print, PNG for WhatsApp."""
    desa = access.get_pamphlet_desa_for(request.user, code)
    campaign = None
    wanted = request.GET.get("kampanye", "")
    if wanted and access.can_manage_pamphlets(request.user):
        campaign = Campaign.objects.filter(slug=wanted).values_list("slug", flat=True).first()
        if campaign is None:
            raise Http404
    content = pamphlets.content_for(desa, campaign=campaign)
    if fmt == "png":
        body, content_type, ext = pamphlets.render_png(content), "image/png", "png"
    elif fmt in pamphlets.PAGE_SIZES:
        body, content_type, ext = pamphlets.render_pdf([content], fmt), "application/pdf", f"{fmt.upper()}.pdf"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="pamflet-{content.file_stem}-{ext}"'
    return response
