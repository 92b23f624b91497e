from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sigap.accounts import throttle
from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.regions.models import Region


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Nama pengguna"), max_length=150)
    password = forms.CharField(label=_("Kata sandi"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid": _("Nama pengguna atau kata sandi salah."),
        "locked": _(
            "Akun ini dikunci sementara karena terlalu banyak percobaan gagal. "
            "Coba lagi dalam %(minutes)s menit."
        ),
    }

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password = data.get("username"), data.get("password")
        if not username or not password:
            return data
        # One answer, one path, for every failure: an unknown name, a wrong password and a
        # locked account (or address) all hash the typed password once (authenticate; Django
        # hashes for unknown names too) and get the same message, so neither the answer nor its
        # time tells whether a name exists or is locked (docs/SECURITY.md, finding 6).
        known = User.objects.filter(username=username).first()
        user = authenticate(self.request, username=username, password=password)
        if user is not None and throttle.pair_is_locked(self.request, user):
            user = None
        if user is None:
            if known is None:
                reason = "unknown"
            elif known.is_locked() or throttle.pair_is_locked(self.request, known):
                reason = "locked"
            else:
                reason = "password"
            throttle.record_failure(self.request, username, known, reason)
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        self.user = user
        return data

    @staticmethod
    def _minutes() -> int:
        from django.conf import settings

        return int(settings.SIGAP_LOCKOUT_MINUTES)


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Kode 6 angka dari aplikasi autentikator"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Masukkan 6 angka.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        )


class PasswordPairMixin(forms.Form):
    password1 = forms.CharField(label=_("Kata sandi"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Ulangi kata sandi"), strip=False, widget=forms.PasswordInput)

    def check_passwords(self, user: User) -> None:
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
            return
        if p1:
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)


class SetupForm(PasswordPairMixin):
    first_name = forms.CharField(label=_("Nama Anda"), max_length=150)
    username = forms.RegexField(
        label=_("Nama pengguna"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Gunakan huruf, angka dan . @ + - _ saja.")},
    )
    field_order = ["first_name", "username", "password1", "password2"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_passwords(User(username=data.get("username", ""), first_name=data.get("first_name", "")))
        return data


class UserCreateForm(PasswordPairMixin):
    username = forms.RegexField(
        label=_("Nama pengguna"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Gunakan huruf, angka dan . @ + - _ saja.")},
    )
    first_name = forms.CharField(label=_("Nama depan"), max_length=150)
    last_name = forms.CharField(label=_("Nama belakang"), max_length=150, required=False)
    email = forms.EmailField(label=_("Surel"), required=False)
    # Starts empty: the administrator chooses, never "Administrator" by default.
    role = forms.ChoiceField(label=_("Peran"), choices=[("", "---------"), *Role.choices])
    desa = forms.ModelChoiceField(
        label=_("Desa (untuk relawan)"),
        queryset=Region.objects.none(),
        required=False,
    )
    field_order = ["username", "first_name", "last_name", "email", "role", "desa", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["desa"].queryset = Region.objects.in_deployment().desa().order_by("code")  # type: ignore[attr-defined]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Nama pengguna ini sudah dipakai."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, desa = data.get("role"), data.get("desa")
        if role == Role.VOLUNTEER and desa is None:
            self.add_error("desa", _("Relawan harus terikat pada satu desa."))
        if role and role != Role.VOLUNTEER and desa is not None:
            self.add_error("desa", _("Hanya relawan yang terikat pada desa."))
        self.check_passwords(User(username=data.get("username", ""), first_name=data.get("first_name", "")))
        return data


class PasswordChangeForm(PasswordPairMixin):
    """The signed-in user's own password: the current one first."""

    current = forms.CharField(label=_("Kata sandi sekarang"), strip=False, widget=forms.PasswordInput)
    field_order = ["current", "password1", "password2"]

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["current"].widget.attrs.update({"autocomplete": "current-password"})
        self.fields["password1"].label = _("Kata sandi baru")
        self.fields["password2"].label = _("Ulangi kata sandi baru")
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs.update({"autocomplete": "new-password"})

    def clean_current(self) -> str:
        current: str = self.cleaned_data["current"]
        if not self.user.check_password(current):
            raise forms.ValidationError(_("Kata sandi sekarang salah."))
        return current

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_passwords(self.user)
        return data


class PasswordResetForm(PasswordPairMixin):
    """A new password chosen through an administrator's one-time link."""

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("Kata sandi baru")
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs.update({"autocomplete": "new-password"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_passwords(self.user)
        return data


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(label=_("Kode pemulihan"), max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "none", "autofocus": True})

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"].lower() if ch.isalnum())
        if len(code) != 8:
            raise forms.ValidationError(_("Kode pemulihan terdiri dari 8 huruf dan angka."))
        return code


class UserEditForm(forms.Form):
    first_name = forms.CharField(label=_("Nama depan"), max_length=150)
    last_name = forms.CharField(label=_("Nama belakang"), max_length=150, required=False)
    email = forms.EmailField(label=_("Surel"), required=False)
    role = forms.ChoiceField(label=_("Peran"), choices=[("", "---------"), *Role.choices])
    desa = forms.ModelChoiceField(label=_("Desa (untuk relawan)"), queryset=Region.objects.none(), required=False)

    def __init__(self, *args: Any, editing_self: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing_self = editing_self
        self.fields["desa"].queryset = Region.objects.in_deployment().desa().order_by("code")  # type: ignore[attr-defined]
        if editing_self:
            self.fields["role"].disabled = True
            self.fields["role"].help_text = _("Anda tidak dapat mengubah peran Anda sendiri.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, desa = data.get("role"), data.get("desa")
        if role == Role.VOLUNTEER and desa is None:
            self.add_error("desa", _("Relawan harus terikat pada satu desa."))
        if role and role != Role.VOLUNTEER and desa is not None:
            self.add_error("desa", _("Hanya relawan yang terikat pada desa."))
        return data
