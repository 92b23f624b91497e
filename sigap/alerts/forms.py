from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.alerts.models import ATTEMPT_CHANNELS, AttemptResult, Shift
from sigap.intake.forms import REQUIRED, AsciiDateTimeField, local_input_value


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


class RosterForm(forms.Form):
    date = forms.DateField(label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    shift = forms.ChoiceField(label=_("Shift"), choices=Shift.choices)
    duty = UserChoiceField(label=_("Petugas piket (memegang telepon hotline)"), queryset=None)
    backup = UserChoiceField(label=_("Cadangan (siaga)"), queryset=None)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("duty", "backup"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = candidates


class HandoverForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan serah terima"),
        help_text=_("Apa yang masih terbuka, siapa perlu ditelepon balik (nomor laporan, bukan nama atau nomor telepon)."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )


class RepeatWeekForm(forms.Form):
    source = forms.DateField(label=_("Minggu contoh (tanggal mana saja di minggu itu)"),
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.DateField(label=_("Terapkan mulai tanggal"),
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("Sampai tanggal"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                          help_text=_("Paling banyak 92 hari. Shift yang sudah lewat tidak diubah."))
    overwrite = forms.BooleanField(label=_("Timpa shift yang sudah diatur"), required=False,
                                   help_text=_("Tanpa centang, shift yang sudah punya petugas dibiarkan."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("source", "start", "end"):
            value = data.get(name)
            if value is not None and not 2000 <= value.year <= 2100:
                self.add_error(name, _("Tanggal di luar jangkauan."))
        return data


class CallBackForm(forms.Form):
    """One "who needs a call back" row of a handover: a reference and when it is due. Blank rows are skipped."""

    reference = forms.CharField(label=_("Laporan atau percakapan"), max_length=40, required=False,
                                help_text=_("Nomor registrasi (1811-2026-000004) atau #nomor percakapan (#41)."))
    due_at = forms.DateTimeField(
        label=_("Telepon balik paling lambat"), required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self) -> dict[str, Any]:
        from sigap.alerts.actions import AlertActionError, _check_due, resolve_reference

        data = super().clean() or {}
        raw_due = self.data.get(self.add_prefix("due_at"), "")
        if isinstance(raw_due, str) and not raw_due.isascii():
            self.add_error("due_at", _("Tulis tanggal dan jam."))
            return data
        reference, due = data.get("reference", ""), data.get("due_at")
        if not reference and due is None:
            return data
        if not reference:
            self.add_error("reference", _("Wajib diisi."))
        if due is None and "due_at" not in self.errors:
            self.add_error("due_at", _("Wajib diisi."))
        try:
            if reference:
                resolve_reference(reference)
            if due is not None:
                _check_due(due, timezone.now())
        except AlertActionError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data

    def item(self) -> tuple[str, Any] | None:
        data = self.cleaned_data
        return (data["reference"], data["due_at"]) if data.get("reference") else None


CallBackFormSet = forms.formset_factory(CallBackForm, extra=3, max_num=10, absolute_max=10, validate_max=True)


class ContactAttemptForm(forms.Form):
    """A call-back that did not reach the person: when, how, why. No text field (no name or number)."""

    attempted_at = AsciiDateTimeField(
        label=_("Waktu percobaan"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": REQUIRED, "invalid": _("Tulis tanggal dan jam percobaan.")},
    )
    channel = forms.ChoiceField(label=_("Saluran"), choices=ATTEMPT_CHANNELS, error_messages={"required": REQUIRED})
    result = forms.ChoiceField(label=_("Hasil"), choices=AttemptResult.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("Pilih hasil percobaan.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("attempted_at", local_input_value(timezone.now()))
        kwargs["initial"].setdefault("channel", "telepon")
        kwargs.setdefault("prefix", "pc")
        super().__init__(*args, **kwargs)
