from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sigap.accounts.roles import Perm, has_permission
from sigap.accounts.views import permission_required
from sigap.network import access, actions
from sigap.network.forms import (
    AcceptInvitationForm,
    MemberForm,
    PartnerForm,
    PartnerMemberForm,
    PatbmGroupForm,
)
from sigap.network.models import Member, MemberKind, Partner, PartnerMember, PatbmGroup
from sigap.network.queries import deployment_villages, village_networks
from sigap.regions.models import Region


def _kecamatan_choices() -> list[Region]:
    return list(Region.objects.in_deployment().kecamatan().order_by("code"))


@permission_required(Perm.MANAGE_NETWORK)
def village_list(request: HttpRequest) -> HttpResponse:
    kecamatan = request.GET.get("kecamatan", "")
    choices = _kecamatan_choices()
    if kecamatan and kecamatan not in {k.code for k in choices}:
        kecamatan = ""
    rows = village_networks(deployment_villages(kecamatan))
    return render(
        request,
        "network/village_list.html",
        {"rows": rows, "kecamatan_choices": choices, "kecamatan": kecamatan},
    )


def _village_context(desa: Region) -> dict[str, object]:
    members = list(Member.objects.active().filter(desa=desa).select_related("user").order_by("kind", "id"))
    return {
        "desa": desa,
        "kecamatan": desa.parent,
        "contact_points": [m for m in members if m.kind == MemberKind.CONTACT_POINT],
        "patbm_members": [m for m in members if m.kind == MemberKind.PATBM],
        "sapa_members": [m for m in members if m.kind == MemberKind.SAPA],
        "patbm_group": PatbmGroup.objects.filter(desa=desa).first(),
    }


@login_required
def village_detail(request: HttpRequest, code: str) -> HttpResponse:
    if not has_permission(request.user, Perm.MANAGE_NETWORK):
        # A volunteer reaches their own village through "Desa saya"; every other one is 404.
        if access.is_village_volunteer(request.user) and request.user.desa_id == code:  # type: ignore[union-attr]
            return redirect("network:my_village")
        raise Http404
    desa = access.deployment_desa(code)
    context = _village_context(desa)
    context["left_members"] = Member.objects.filter(desa=desa, left_at__isnull=False).order_by("-left_at")
    return render(request, "network/village_detail.html", context)


@login_required
def my_village(request: HttpRequest) -> HttpResponse:
    if not access.is_village_volunteer(request.user):
        raise Http404
    desa = access.get_village_for(request.user, str(getattr(request.user, "desa_id", "")))
    context = _village_context(desa)
    from sigap.outreach.links import report_link

    context["report_link"] = report_link(desa.code)
    return render(request, "network/my_village.html", context)


@permission_required(Perm.MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, code: str) -> HttpResponse:
    desa = access.deployment_desa(code)
    initial = {"kind": request.GET.get("kind", MemberKind.CONTACT_POINT)}
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["kind"] == MemberKind.CONTACT_POINT and Member.objects.active().filter(
            desa=desa, kind=MemberKind.CONTACT_POINT
        ).exists():
            form.add_error("kind", _("Desa ini sudah punya narahubung. Keluarkan narahubung lama lebih dulu."))
        else:
            actions.add_member(desa=desa, data=form.cleaned_data, by=request.user, request=request)
            messages.success(request, _("Anggota jaringan disimpan."))
            return redirect("network:village_detail", code=desa.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "network/member_form.html", {"form": form, "desa": desa}, status=status)


@permission_required(Perm.MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = access.get_member_for_manager(request.user, pk)
    if not member.is_active:
        raise Http404
    initial = {
        "kind": member.kind,
        "name": member.name,
        "position": member.position,
        "group_role": member.group_role,
        "phone": member.phone or "",
        "may_print": member.may_print,
        "joined_on": member.joined_on,
    }
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if (
            form.cleaned_data["kind"] == MemberKind.CONTACT_POINT
            and Member.objects.active()
            .filter(desa=member.desa, kind=MemberKind.CONTACT_POINT)
            .exclude(pk=member.pk)
            .exists()
        ):
            form.add_error("kind", _("Desa ini sudah punya narahubung. Keluarkan narahubung lama lebih dulu."))
        else:
            actions.update_member(member, data=form.cleaned_data, by=request.user, request=request)
            messages.success(request, _("Anggota jaringan disimpan."))
            return redirect("network:village_detail", code=member.desa_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "network/member_form.html", {"form": form, "desa": member.desa, "member": member}, status=status
    )


@permission_required(Perm.MANAGE_NETWORK)
@require_POST
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member = access.get_member_for_manager(request.user, pk)
    actions.leave_network(member, by=request.user, request=request)
    messages.success(request, _("Anggota keluar dari jaringan. Akses akunnya (bila ada) sudah diakhiri."))
    return redirect("network:village_detail", code=member.desa_id)


@permission_required(Perm.MANAGE_NETWORK)
@require_POST
def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    member = access.get_member_for_manager(request.user, pk)
    if not member.is_active or member.user_id is not None:
        messages.error(request, _("Anggota ini tidak dapat diundang: sudah keluar atau sudah punya akun."))
        return redirect("network:village_detail", code=member.desa_id)
    token = actions.invite_member(member, by=request.user, request=request)
    link = request.build_absolute_uri(reverse("network:accept_invitation", args=[token]))
    return render(
        request,
        "network/invitation_created.html",
        {"member": member, "desa": member.desa, "link": link, "days": actions.INVITATION_DAYS},
    )


@permission_required(Perm.MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def patbm_edit(request: HttpRequest, code: str) -> HttpResponse:
    desa = access.deployment_desa(code)
    group = PatbmGroup.objects.filter(desa=desa).first()
    initial = {"formed_on": group.formed_on, "decree_number": group.decree_number} if group else {}
    form = PatbmGroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.save_patbm_group(
            desa,
            formed_on=form.cleaned_data["formed_on"],
            decree_number=form.cleaned_data["decree_number"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("Kelompok PATBM disimpan."))
        return redirect("network:village_detail", code=desa.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "network/patbm_form.html", {"form": form, "desa": desa}, status=status)


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = actions.invitation_for(token)
    if invitation is None:
        raise Http404
    if request.user.is_authenticated:
        messages.error(request, _("Keluar dari akun Anda dulu untuk memakai tautan undangan."))
        return redirect("core:staff_home")
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.accept_invitation(
            token, username=form.cleaned_data["username"], password=form.cleaned_data["password1"], request=request
        )
        if user is None:
            raise Http404
        login(request, user, backend="sigap.accounts.backends.ThrottledModelBackend")
        messages.success(request, _("Akun relawan Anda sudah dibuat."))
        return redirect("network:my_village")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "network/accept_invitation.html", {"form": form, "desa": invitation.member.desa}, status=status
    )


# Partners -------------------------------------------------------------------


def _can_browse_partners(user: object) -> bool:
    # Case workers pick referral partners from the directory; only network managers change it.
    return has_permission(user, Perm.MANAGE_NETWORK) or has_permission(user, Perm.WORK_CASES)


@login_required
def partner_list(request: HttpRequest) -> HttpResponse:
    if not _can_browse_partners(request.user):
        raise Http404
    partners = Partner.objects.prefetch_related("services", "kecamatan_served").order_by("-active", "name")
    return render(
        request,
        "network/partner_list.html",
        {"partners": partners, "can_manage": has_permission(request.user, Perm.MANAGE_NETWORK)},
    )


@login_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not _can_browse_partners(request.user):
        raise Http404
    partner = get_object_or_404(Partner.objects.prefetch_related("services", "kecamatan_served"), pk=pk)
    can_manage = has_permission(request.user, Perm.MANAGE_NETWORK)
    return render(
        request,
        "network/partner_detail.html",
        {
            "partner": partner,
            "can_manage": can_manage,
            "links": partner.members.select_related("user").order_by("user__username") if can_manage else [],
            "member_form": PartnerMemberForm() if can_manage else None,
        },
    )


@permission_required(Perm.MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk) if pk is not None else None
    initial = PartnerForm.initial_for(partner) if partner else {"active": True}
    form = PartnerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = actions.save_partner(
            partner,
            data=data,
            services=data["services"],
            kecamatan=data["kecamatan"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("Mitra disimpan."))
        return redirect("network:partner_detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "network/partner_form.html", {"form": form, "partner": partner}, status=status)


@permission_required(Perm.MANAGE_NETWORK)
@require_POST
def partner_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    form = PartnerMemberForm(request.POST)
    if form.is_valid():
        try:
            actions.add_partner_member(partner, form.cleaned_data["user"], by=request.user, request=request)
        except actions.NetworkError:
            messages.error(request, _("Pengguna ini tidak dapat ditautkan ke mitra."))
        else:
            messages.success(request, _("Pengguna mitra ditautkan."))
    else:
        messages.error(request, _("Pilih pengguna mitra yang belum tertaut ke lembaga lain."))
    return redirect("network:partner_detail", pk=partner.pk)


@permission_required(Perm.MANAGE_NETWORK)
@require_POST
def partner_member_remove(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    link = get_object_or_404(PartnerMember, pk=link_pk, partner_id=pk)
    actions.remove_partner_member(link, by=request.user, request=request)
    messages.success(request, _("Tautan pengguna mitra dilepas."))
    return redirect("network:partner_detail", pk=pk)
