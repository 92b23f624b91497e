from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.accounts.models import User
from sigap.accounts.roles import ROLE_PERMISSIONS, Perm
from sigap.intake.channels.conversations.inbound import BadSender, canonical_sender
from sigap.intake.codes import ContactOutcome

# WhatsApp's limit for a text message; SMS gateways split long texts into parts.
MAX_REPLY = 4096


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Balasan"),
        required=False,
        max_length=MAX_REPLY,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    template = forms.ChoiceField(label=gettext_lazy("Templat yang disetujui"), required=False, choices=())
    confirm_safe_time = forms.BooleanField(
        label=gettext_lazy("Saya sudah memeriksa waktu dan saluran aman pelapor"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((t, t) for t in settings.SIGAP_WHATSAPP_TEMPLATES)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and not data.get("template"):
            raise forms.ValidationError(_("Tulis balasan atau pilih templat."))
        return data


def inbox_workers() -> Any:
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.RECORD_CONTACT in perms]
    return User.objects.filter(role__in=roles, is_active=True).order_by("first_name", "username")


def _worker_label(user: Any) -> str:
    return str(user.get_full_name() or user.username)


class AssignForm(forms.Form):
    to = forms.ModelChoiceField(label=gettext_lazy("Serahkan kepada"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = inbox_workers()
        field.label_from_instance = _worker_label  # type: ignore[method-assign,assignment]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Hasil kontak"),
        choices=[(c.value, c.label) for c in ContactOutcome if c != ContactOutcome.NEW_REPORT],
    )


class StaffPhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Nomor WhatsApp"),
        required=False,
        max_length=32,
        help_text=gettext_lazy("Kosongkan untuk berhenti menerima notifikasi lewat WhatsApp."),
    )
    enabled = forms.BooleanField(label=gettext_lazy("Kirim notifikasi ke nomor ini lewat WhatsApp"), required=False,
                                 initial=True)
    sms = forms.BooleanField(
        label=gettext_lazy("Kirim juga lewat SMS ke nomor ini"), required=False, initial=False,
        help_text=gettext_lazy("Untuk peringatan piket saat internet lemah. Isinya sama: tanpa nama atau data pribadi."),
    )

    def clean_phone(self) -> str:
        value = (self.cleaned_data.get("phone") or "").strip()
        if value:
            try:
                canonical_sender(value)
            except BadSender:
                raise forms.ValidationError(_("Nomor telepon tidak sah.")) from None
        return value
