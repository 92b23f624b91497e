from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sigap.accounts.forms import PasswordPairMixin
from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.network.models import (
    GroupRole,
    MemberKind,
    Partner,
    PartnerMember,
    PartnerType,
    Position,
    Service,
)
from sigap.regions.models import Region
from sigap.vault.blind import NotNormalisable, normalise_phone


def clean_phone_value(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        normalise_phone(value)
    except NotNormalisable:
        raise forms.ValidationError(_("Nomor telepon tidak dikenali. Contoh: 0812 3456 7890.")) from None
    return value


class MemberForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis"), choices=MemberKind.choices)
    name = forms.CharField(label=_("Nama"), max_length=200)
    position = forms.ChoiceField(label=_("Jabatan di desa"), choices=Position.choices, initial=Position.WARGA)
    group_role = forms.ChoiceField(
        label=_("Peran dalam kelompok PATBM/SAPA"), choices=GroupRole.choices, initial=GroupRole.ANGGOTA
    )
    phone = forms.CharField(label=_("Nomor telepon"), max_length=32, required=False)
    may_print = forms.BooleanField(
        label=_("Boleh dicetak di pamflet (hanya narahubung, dengan persetujuannya)"), required=False
    )
    joined_on = forms.DateField(
        label=_("Bergabung sejak"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Isi nama."))
        return name

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data.get("phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("may_print") and data.get("kind") != MemberKind.CONTACT_POINT:
            self.add_error("may_print", _("Hanya narahubung desa yang dicetak di pamflet."))
        if data.get("may_print") and not data.get("phone"):
            self.add_error("phone", _("Isi nomor telepon bila narahubung boleh dicetak di pamflet."))
        if not data.get("joined_on"):
            data.pop("joined_on", None)
        return data


class PatbmGroupForm(forms.Form):
    formed_on = forms.DateField(
        label=_("Dibentuk pada"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    decree_number = forms.CharField(label=_("Nomor SK pembentukan"), max_length=100, required=False)


class AcceptInvitationForm(PasswordPairMixin):
    username = forms.RegexField(
        label=_("Nama pengguna"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Gunakan huruf, angka dan . @ + - _ saja.")},
    )
    field_order = ["username", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password1"].widget.attrs.update({"autocomplete": "new-password"})
        self.fields["password2"].widget.attrs.update({"autocomplete": "new-password"})

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Nama pengguna ini sudah dipakai."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_passwords(User(username=data.get("username", "")))
        return data


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Nama lembaga"), max_length=200)
    partner_type = forms.ChoiceField(label=_("Jenis lembaga"), choices=PartnerType.choices)
    services = forms.MultipleChoiceField(
        label=_("Layanan"), choices=Service.choices, widget=forms.CheckboxSelectMultiple
    )
    kecamatan = forms.ModelMultipleChoiceField(
        label=_("Kecamatan yang dilayani"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosongkan bila melayani seluruh kabupaten."),
    )
    address = forms.CharField(label=_("Alamat kantor"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    contact_name = forms.CharField(label=_("Nama narahubung"), max_length=200, required=False)
    phone = forms.CharField(label=_("Nomor telepon"), max_length=32, required=False)
    email = forms.EmailField(label=_("Surel"), required=False)
    notes = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    active = forms.BooleanField(label=_("Aktif"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].queryset = Region.objects.in_deployment().kecamatan().order_by("code")  # type: ignore[attr-defined]
        self.fields["phone"].widget = forms.TextInput(attrs={"type": "tel"})

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data.get("phone", ""))

    @classmethod
    def initial_for(cls, partner: Partner) -> dict[str, Any]:
        return {
            "name": partner.name,
            "partner_type": partner.partner_type,
            "services": partner.service_codes,
            "kecamatan": list(partner.kecamatan_served.all()),
            "address": partner.address,
            "contact_name": partner.contact_name or "",
            "phone": partner.phone or "",
            "email": partner.email or "",
            "notes": partner.notes or "",
            "active": partner.active,
        }


class PartnerMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Pengguna mitra"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        linked = PartnerMember.objects.values_list("user_id", flat=True)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(role=Role.PARTNER, is_active=True).exclude(pk__in=linked).order_by("username")
        )
        self.fields["user"].label_from_instance = lambda u: u.username  # type: ignore[attr-defined]
