from __future__ import annotations

import base64
import io
from functools import wraps
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from sigap.accounts import actions, audit, throttle
from sigap.accounts.forms import LoginForm, SetupForm, TokenForm, UserCreateForm
from sigap.accounts.models import User
from sigap.accounts.roles import Perm, has_permission


def permission_required(perm: str) -> Any:
    """Signed in, second factor passed where required, and the role grants ``perm``."""

    def decorator(view: Any) -> Any:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_permission(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:staff_home")
    if request.method == "POST" and throttle.ip_is_blocked(request):
        response = render(request, "accounts/login.html", {"form": LoginForm(request), "blocked": True}, status=429)
        return response
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None
        throttle.record_success(form.user)
        login(request, form.user)
        next_url = request.POST.get("next") or request.GET.get("next") or ""
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            return redirect(next_url)
        return redirect("core:staff_home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core:public_home")


def _pending_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="SIGAP", confirmed=False)
    return device


@login_required
@require_http_methods(["GET", "POST"])
def enroll_2fa(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user_has_device(user):
        return redirect("accounts:verify_2fa")
    device = _pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.two_factor_changed(request, user, "enrolled")
            otp_login(request, device)
            messages.success(request, _("Autentikasi dua langkah aktif."))
            # One-time recovery codes for a lost phone, shown once to be printed.
            from sigap.accounts.manage_views import show_fresh_codes

            return show_fresh_codes(request, actions.issue_recovery_codes(user, request=request))
        form.add_error("token", _("Kode salah atau sudah kedaluwarsa. Coba kode yang baru."))
    # A standalone SVG (with its xmlns): browsers refuse to draw an <img> without it.
    svg = io.BytesIO()
    segno.make(device.config_url, error="m").save(svg, kind="svg", scale=5, dark="#111", light="#fff", xmldecl=False)
    qr_data = "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/enroll_2fa.html",
        {"form": form, "qr_data": qr_data, "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify_2fa(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user_has_device(user):
        return redirect("accounts:enroll_2fa")
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect("core:staff_home")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_is_allowed()[0] and device.verify_token(token):
                otp_login(request, device)
                return redirect("core:staff_home")
        throttle.record_failure(request, user.username, user, "password")
        user.refresh_from_db(fields=["locked_until"])
        if user.is_locked():
            logout(request)
            messages.error(request, _("Terlalu banyak kode salah. Akun dikunci sementara."))
            return redirect("accounts:login")
        form.add_error("token", _("Kode salah atau sudah kedaluwarsa."))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/verify_2fa.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def setup_view(request: HttpRequest, token: str) -> HttpResponse:
    if not actions.setup_token_is_valid(token):
        raise Http404
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.complete_setup(
            token,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            request=request,
        )
        if user is None:
            raise Http404
        login(request, user, backend="sigap.accounts.backends.ThrottledModelBackend")
        messages.success(request, _("Akun administrator dibuat. Sekarang aktifkan autentikasi dua langkah."))
        return redirect("accounts:enroll_2fa")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/setup.html", {"form": form}, status=status)


@permission_required(Perm.MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("desa").order_by("role", "username")
    return render(request, "accounts/user_list.html", {"users": users})


@permission_required(Perm.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.create_user(
            username=data["username"],
            password=data["password1"],
            role=data["role"],
            desa_id=data["desa"].code if data["desa"] else None,
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("Pengguna dibuat."))
        return redirect("accounts:user_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/user_form.html", {"form": form}, status=status)


@permission_required(Perm.MANAGE_USERS)
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    if user.pk == request.user.pk:
        messages.error(request, _("Anda tidak dapat menonaktifkan akun Anda sendiri."))
        return redirect("accounts:user_list")
    if request.POST.get("active") == "1":
        actions.reactivate_user(user, by=request.user, request=request)
        messages.success(request, _("Pengguna diaktifkan kembali."))
    elif request.POST.get("confirm") != "1":
        # Deactivation ends every session of the person: asked first (manage_views.user_deactivate_confirm).
        return redirect("accounts:user_deactivate", pk=pk)
    else:
        actions.deactivate_user(user, by=request.user, request=request)
        messages.success(request, _("Pengguna dinonaktifkan dan semua sesinya diakhiri."))
    return redirect("accounts:user_list")


@require_POST
def quick_exit_view(request: HttpRequest) -> HttpResponse:
    """"Keluar cepat" for someone signed in: end the session, then the neutral site.

    The button posts here without JavaScript; with it, quick-exit.js posts in the
    background and leaves at once. Back then finds only a sign-in page.
    """
    from django.conf import settings

    logout(request)
    return redirect(settings.SIGAP_QUICK_EXIT_URL)
