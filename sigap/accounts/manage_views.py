"""Accounts people can manage: their own password and recovery codes, and the
administrator's edits, one-time password reset links and second-factor resets.

Sign-in itself (and its lockout) lives in ``views.py``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sigap.accounts import actions, audit, throttle
from sigap.accounts.forms import (
    PasswordChangeForm,
    PasswordResetForm,
    RecoveryCodeForm,
    UserEditForm,
)
from sigap.accounts.models import User
from sigap.accounts.roles import Perm
from sigap.accounts.views import permission_required

FRESH_CODES_KEY = "sigap_fresh_recovery_codes"


def _remaining_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def show_fresh_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """Keep the new codes for exactly one showing of the recovery page."""
    request.session[FRESH_CODES_KEY] = codes
    return redirect("accounts:recovery_codes")


# The user's own account ---------------------------------------------------------


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    has_totp = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return render(
        request, "accounts/account.html", {"has_totp": has_totp, "remaining_codes": _remaining_codes(user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.change_own_password(user, form.cleaned_data["password1"], request=request)
        messages.success(request, _("Kata sandi diganti. Sesi Anda di perangkat lain diakhiri."))
        return redirect("accounts:account")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Print-once recovery codes: shown right after they are made, never again."""
    user: User = request.user  # type: ignore[assignment]
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:enroll_2fa")
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:verify_2fa")
    if request.method == "POST":
        return show_fresh_codes(request, actions.issue_recovery_codes(user, request=request))
    codes = request.session.pop(FRESH_CODES_KEY, None)
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "remaining_codes": _remaining_codes(user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def recovery_sign_in(request: HttpRequest) -> HttpResponse:
    """The second step with a recovery code instead of the phone; each code works once."""
    user: User = request.user  # type: ignore[assignment]
    if not user_has_device(user):
        return redirect("accounts:enroll_2fa")
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect("core:staff_home")
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in StaticDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(form.cleaned_data["code"]):
                otp_login(request, device)
                audit.two_factor_changed(request, user, "recovery_code_used")
                left = _remaining_codes(user)
                messages.warning(
                    request,
                    _("Anda masuk dengan kode pemulihan. Sisa kode: %(left)s. Minta admin mengatur ulang "
                      "autentikasi dua langkah bila HP Anda hilang.") % {"left": left},
                )
                return redirect("core:staff_home")
        throttle.record_failure(request, user.username, user, "password")
        user.refresh_from_db(fields=["locked_until"])
        if user.is_locked():
            logout(request)
            messages.error(request, _("Terlalu banyak kode salah. Akun dikunci sementara."))
            return redirect("accounts:login")
        form.add_error("code", _("Kode pemulihan salah atau sudah dipakai."))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/recovery_sign_in.html", {"form": form}, status=status)


def _user_from_link(uidb64: str, token: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """An administrator's one-time link: choose a new password, then sign in."""
    if request.user.is_authenticated:
        logout(request)
    user = _user_from_link(uidb64, token)
    if user is None:
        return render(request, "accounts/password_reset_invalid.html", status=404)
    form = PasswordResetForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.reset_password_with_link(user, form.cleaned_data["password1"], request=request)
        messages.success(request, _("Kata sandi baru tersimpan. Silakan masuk."))
        return redirect("accounts:login")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_reset.html", {"form": form, "reset_user": user}, status=status)


# The administrator's side -----------------------------------------------------------


@permission_required(Perm.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User.objects.select_related("desa"), pk=pk)
    editing_self = target.pk == request.user.pk
    initial = {
        "first_name": target.first_name, "last_name": target.last_name, "email": target.email,
        "role": target.role, "desa": target.desa,
    }
    form = UserEditForm(request.POST or None, initial=initial, editing_self=editing_self)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = actions.update_user(
            target, by=request.user, request=request,
            first_name=data["first_name"], last_name=data["last_name"], email=data["email"],
            role=data["role"], desa_id=data["desa"].code if data["desa"] else None,
        )
        messages.success(request, _("Perubahan disimpan.") if changed else _("Tidak ada yang berubah."))
        return redirect("accounts:user_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/user_edit.html",
        {"form": form, "target": target, "editing_self": editing_self,
         "has_two_factor": user_has_device(target)},
        status=status,
    )


@permission_required(Perm.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_password_link(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks; POST makes a one-time link and shows it once, to hand to the person."""
    target = get_object_or_404(User, pk=pk)
    if target.pk == request.user.pk:
        messages.error(request, _("Ganti kata sandi Anda sendiri lewat halaman Akun saya."))
        return redirect("accounts:user_edit", pk=pk)
    link = None
    if request.method == "POST":
        link = actions.password_reset_link(target, by=request.user, request=request)
    return render(request, "accounts/user_password_link.html", {"target": target, "link": link})


@permission_required(Perm.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the lost authenticator and recovery codes."""
    target = get_object_or_404(User, pk=pk)
    if target.pk == request.user.pk:
        messages.error(request, _("Anda tidak dapat mengatur ulang autentikasi dua langkah Anda sendiri."))
        return redirect("accounts:user_edit", pk=pk)
    if request.method == "POST":
        actions.reset_two_factor(target, by=request.user, request=request)
        messages.success(
            request, _("Autentikasi dua langkah diatur ulang. Pengguna mendaftarkan HP barunya saat masuk berikutnya.")
        )
        return redirect("accounts:user_edit", pk=pk)
    return render(request, "accounts/user_reset_2fa.html", {"target": target})


@permission_required(Perm.MANAGE_USERS)
def user_deactivate_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    if target.pk == request.user.pk:
        messages.error(request, _("Anda tidak dapat menonaktifkan akun Anda sendiri."))
        return redirect("accounts:user_list")
    return render(request, "accounts/user_deactivate.html", {"target": target})
