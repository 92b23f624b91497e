from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import User


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Pengguna"),
        queryset=User.objects.order_by("username"),
        required=False,
        empty_label=_("Semua pengguna"),
    )
    action = forms.CharField(
        label=_("Tindakan"),
        required=False,
        max_length=64,
        validators=[RegexValidator(r"^[a-z0-9_.]+$", _("Tindakan hanya berisi huruf kecil, angka, titik dan garis bawah."))],
        help_text=_("Awal nama tindakan, misalnya vault.reveal atau auth."),
    )
    object_type = forms.CharField(
        label=_("Jenis data"),
        required=False,
        max_length=64,
        validators=[RegexValidator(r"^[a-z0-9_]+\.[a-z0-9_]+$", _("Jenis data ditulis seperti intake.report."))],
    )
    object_id = forms.CharField(
        label=_("Nomor data"),
        required=False,
        max_length=64,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("Nomor data hanya berisi huruf, angka dan tanda hubung."))],
    )
    access_only = forms.BooleanField(label=_("Hanya pembukaan dan pengungkapan identitas"), required=False)
    sebelum = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
