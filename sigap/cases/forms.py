"""Forms of the case screens. They parse and shape input; the rules live in ``actions``."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.cases.codes import (
    AttachmentKind,
    ClosureOutcome,
    MediationMatter,
    PoliceDutyBasis,
    SimfoniService,
    Stage,
    UptdService,
)
from sigap.intake.codes import PLACE_UNKNOWN_LABEL, Channel, Place
from sigap.intake.forms import OTHER_DESA
from sigap.network.models import Partner, Service

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalField(forms.DateTimeField):
    """A ``datetime-local`` input; times without offset are Asia/Jakarta."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(**kwargs)


class DateInputField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _textarea(label: Any, required: bool = False, rows: int = 3, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=10000, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


def worker_field(label: Any, required: bool = True) -> WorkerChoiceField:
    from sigap.accounts.models import User
    from sigap.cases.actions import worker_roles

    return WorkerChoiceField(
        queryset=User.objects.filter(role__in=worker_roles(), is_active=True).order_by("first_name", "username"),
        label=label, required=required, empty_label=_("— pilih —"),
    )


def partner_field(label: Any, required: bool = True, **filters: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(queryset=Partner.objects.active().filter(**filters).order_by("name"), label=label,
                                  required=required, empty_label=_("— pilih —"))


class OpenCaseForm(forms.Form):
    reports = forms.TypedMultipleChoiceField(coerce=int, label=_("Laporan"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, report_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reports"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(pk, str(pk)) for pk in report_ids]


class AssignForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"] = worker_field(_("Pendamping"))


class StageForm(forms.Form):
    """Only the moves the rules allow now: the next stage, or back to an earlier one (with a note)."""

    stage = forms.ChoiceField(label=_("Pindah ke tahap"), choices=[], widget=forms.RadioSelect)
    note = _textarea(_("Catatan"), help_text=_("Wajib bila kasus dikembalikan ke tahap sebelumnya."))

    def __init__(self, *args: Any, forward: str | None = None, back: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        choices: list[tuple[str, str]] = []
        if forward:
            choices.append((forward, _("Lanjut ke %(stage)s") % {"stage": labels[forward]}))
        choices += [(stage, _("Kembali ke %(stage)s") % {"stage": labels[stage]}) for stage in back]
        self.fields["stage"].choices = choices  # type: ignore[attr-defined]
        if forward and not self.is_bound:
            self.initial.setdefault("stage", forward)


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("Saluran"), choices=Channel.choices, initial=Channel.TELEPON)
    started_at = DateTimeLocalField(label=_("Waktu kontak"), required=False)
    note = _textarea(_("Catatan singkat"))

    def clean_started_at(self) -> datetime.datetime | None:
        value = self.cleaned_data.get("started_at")
        if value is not None and value > timezone.now() + datetime.timedelta(minutes=10):
            raise forms.ValidationError(_("Waktu kontak tidak boleh di masa depan."))
        return value


class AssessmentForm(forms.Form):
    biological = _textarea(_("Kondisi biologis / fisik"))
    psychological = _textarea(_("Kondisi psikologis"))
    social = _textarea(_("Kondisi sosial"))
    spiritual = _textarea(_("Kondisi spiritual"))
    risks = _textarea(_("Risiko"))
    needs = _textarea(_("Kebutuhan dan harapan korban"))


class PlanGoalsForm(forms.Form):
    goals = _textarea(_("Tujuan intervensi"), required=True, rows=4)


class PlanItemForm(forms.Form):
    service = forms.ChoiceField(label=_("Layanan"), choices=UptdService.choices)
    simfoni_type = forms.ChoiceField(label=_("Jenis layanan SIMFONI"), required=False,
                                     choices=[("", _("— tidak ada —")), *SimfoniService.choices])
    description = _textarea(_("Uraian"), rows=2)
    due_date = DateInputField(label=_("Tenggat"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_user"] = worker_field(_("Penanggung jawab: petugas"), required=False)
        self.fields["responsible_partner"] = partner_field(_("atau mitra"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("responsible_user")) == bool(data.get("responsible_partner")):
            raise forms.ValidationError(_("Pilih satu penanggung jawab: petugas atau mitra."))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Keputusan"), choices=[("approve", _("Setujui")), ("return", _("Kembalikan"))],
                                 widget=forms.RadioSelect)
    comment = _textarea(_("Komentar"), help_text=_("Wajib bila dikembalikan."))


SERVICE_CHOICES = [c for c in UptdService.choices if c[0] not in (UptdService.PENAMPUNGAN, UptdService.MEDIASI)]


class ServiceForm(forms.Form):
    service = forms.ChoiceField(label=_("Layanan UPTD PPA"), choices=SERVICE_CHOICES)
    simfoni_type = forms.ChoiceField(label=_("Jenis layanan SIMFONI"), required=False,
                                     choices=[("", _("— tidak ada —")), *SimfoniService.choices])
    delivered_at = DateTimeLocalField(label=_("Tanggal dan jam"), initial=lambda: timezone.localtime().replace(
        second=0, microsecond=0))
    outcome = _textarea(_("Hasil"))

    def __init__(self, *args: Any, plan_items: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider_user"] = worker_field(_("Pemberi layanan: petugas"), required=False)
        self.fields["provider_partner"] = partner_field(_("atau mitra"), required=False)
        self.fields["plan_item"] = forms.ModelChoiceField(
            queryset=plan_items if plan_items is not None else _none(), required=False,
            label=_("Bagian dari rencana"), empty_label=_("— tidak terkait —"),
        )
        self.fields["plan_item"].label_from_instance = lambda item: (  # type: ignore[attr-defined]
            f"{item.get_service_display()} · {item.due_date:%d-%m-%Y}"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("provider_user") and data.get("provider_partner"):
            raise forms.ValidationError(_("Pilih satu pemberi layanan: petugas atau mitra."))
        return data


def _none() -> Any:
    from sigap.cases.models import PlanItem

    return PlanItem.objects.none()


class ShelterStartForm(forms.Form):
    checked_in_at = DateTimeLocalField(label=_("Waktu masuk"), required=False)
    note = _textarea(_("Catatan"), rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"] = forms.ModelChoiceField(
            queryset=Partner.objects.active().offering(Service.RUMAH_AMAN).order_by("name"), required=False,
            label=_("Rumah aman mitra"), empty_label=_("Penampungan UPTD PPA"),
        )


class ShelterExtendForm(forms.Form):
    new_end_at = DateTimeLocalField(label=_("Rencana keluar yang baru"))
    reason = _textarea(_("Alasan perpanjangan"), required=True, rows=2)


class ShelterEndForm(forms.Form):
    checked_out_at = DateTimeLocalField(label=_("Waktu keluar"), required=False)
    note = _textarea(_("Catatan"), rows=2)


class ReferralForm(forms.Form):
    service = forms.ChoiceField(label=_("Layanan yang diminta"), choices=Service.choices)
    purpose = _textarea(_("Keperluan rujukan"), rows=2,
                        help_text=_("Dicantumkan di surat rujukan. Jangan menulis alamat atau nomor telepon korban."))
    consent = forms.BooleanField(
        label=_("Korban (atau walinya) menyetujui rujukan ini"), required=False,
        help_text=_("Artinya: korban tahu lembaga ini akan menerima data yang diperlukan untuk layanannya."),
    )
    override_reason = _textarea(
        _("Alasan merujuk tanpa persetujuan korban"), rows=2,
        help_text=_("Hanya manajer kasus, dan hanya bila keselamatan korban menuntutnya."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"] = partner_field(_("Mitra"))
        self.order_fields(["partner", "service", "purpose", "consent", "override_reason"])


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status baru"), choices=[])
    note = _textarea(_("Catatan"), rows=2)

    def __init__(self, *args: Any, choices: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class MediationForm(forms.Form):
    held_at = DateTimeLocalField(label=_("Waktu sesi"))
    matters = forms.MultipleChoiceField(label=_("Yang dimediasi"), choices=MediationMatter.choices,
                                        widget=forms.CheckboxSelectMultiple)
    summary = _textarea(_("Jalannya mediasi"), required=True, rows=4)
    agreement = _textarea(_("Berita acara kesepakatan"), rows=4, help_text=_("Isi bila tercapai kesepakatan."))


class PoliceDutyForm(forms.Form):
    """The manager closes the police duty without a police referral."""

    basis = forms.ChoiceField(label=_("Dasar keputusan"), choices=PoliceDutyBasis.choices)
    reason = _textarea(_("Alasan"), required=True, rows=3,
                       help_text=_("Misalnya: korban dewasa telah diberi penjelasan lengkap dan menolak secara sadar."))


class AmendEventForm(forms.Form):
    """The deployment's desa grouped by kecamatan, as on the report form; a code only for a desa elsewhere."""

    when = DateTimeLocalField(label=_("Waktu kejadian"), required=False)
    time_unknown = forms.BooleanField(label=_("Jam tidak diketahui"), required=False,
                                      help_text=_("Hanya tanggalnya yang diketahui; jam yang diisi diabaikan."))
    date_unknown = forms.BooleanField(label=_("Tanggal tidak diketahui"), required=False,
                                      help_text=_("Tidak ada yang tahu tanggalnya; kosongkan waktu kejadian."))
    place = forms.ChoiceField(label=_("Tempat kejadian"), required=False,
                              choices=[("", PLACE_UNKNOWN_LABEL), *Place.choices])
    desa = forms.CharField(label=_("Desa/Kelurahan"), required=False, max_length=13,
                           widget=forms.Select(attrs={"class": "desa-select"}))
    desa_other = forms.RegexField(
        label=_("Kode desa lain"), regex=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", max_length=13, required=False,
        help_text=_("Hanya bila desa tidak ada di daftar, misalnya 18.10.01.2001."),
    )
    description = _textarea(_("Uraian"), required=True, rows=5)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from sigap.intake.forms import UNKNOWN_DESA, desa_choices

        super().__init__(*args, **kwargs)
        # Amending says where it happened: "not known" is what the first version already said.
        choices = [choice for choice in desa_choices() if choice[0] != UNKNOWN_DESA]
        self.fields["desa"].widget.choices = choices
        listed = {code for _group, items in choices if isinstance(items, list) for code, _name in items}
        initial = self.initial.get("desa")
        if initial and initial not in listed:
            # An event outside the deployment: shown as "another desa" with its code.
            self.initial["desa"], self.initial["desa_other"] = OTHER_DESA, initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("desa") or ""
        code = chosen if chosen and chosen != OTHER_DESA else (data.get("desa_other") or "")
        if not code:
            self.add_error("desa" if chosen != OTHER_DESA else "desa_other", _("Pilih desa tempat kejadian."))
        data["desa_code"] = code
        if "when" not in self.errors:
            if data.get("date_unknown") and data.get("when"):
                self.add_error("when", _("Kosongkan waktu kejadian bila tanggalnya tidak diketahui."))
            elif not data.get("date_unknown") and not data.get("when"):
                self.add_error("when", _("Isi waktu kejadian, atau centang \"tanggal tidak diketahui\"."))
        return data


class NoteForm(forms.Form):
    body = _textarea(_("Catatan baru"), required=True, rows=4)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis lampiran"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("Berkas (JPEG, PNG atau PDF)"))


class ClosureForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Hasil akhir"), choices=ClosureOutcome.choices)
    reason = _textarea(_("Alasan penutupan"), required=True, rows=3)


class ReopenForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Kembali ke tahap"), initial=Stage.ASESMEN,
        choices=[c for c in Stage.choices if c[0] != Stage.TERMINASI],
    )
    reason = _textarea(_("Alasan membuka kembali"), required=True, rows=3)
