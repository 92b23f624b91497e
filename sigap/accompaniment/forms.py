"""Forms of the accompaniment screens: they parse; the rules live in ``actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sigap.accompaniment.codes import (
    ORIGIN_PARTNER_TYPES,
    TRANSFER_PARTNER_TYPES,
    Applicant,
    AppointmentKind,
    AppointmentStatus,
    CareItemStatus,
    JusticeStage,
    LpskStatus,
    ProtectionKind,
    RestitutionStatus,
)
from sigap.cases.forms import (
    DateInputField,
    DateTimeLocalField,
    _textarea,
    partner_field,
    worker_field,
)
from sigap.network.models import Partner, PartnerType


def _choices(values: list[Any]) -> list[tuple[str, Any]]:
    return [(str(v.value), v.label) for v in values]


class AppointmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis"), choices=AppointmentKind.choices)
    starts_at = DateTimeLocalField(label=_("Waktu"))
    worker = worker_field(_("Pendamping yang hadir"))
    partner = partner_field(_("Mitra (bila ada)"), required=False)
    place = forms.CharField(label=_("Tempat"), required=False, max_length=500)
    attendees = forms.CharField(label=_("Yang hadir selain korban"), required=False, max_length=500)
    escort_needed = forms.BooleanField(label=_("Perlu pengawalan"), required=False)
    transport_needed = forms.BooleanField(label=_("Perlu transportasi"), required=False)


class AttendedOutcomeForm(forms.Form):
    """The outcome of one appointment: on the attending worker's page, whose URL names the appointment."""

    status = forms.ChoiceField(label=_("Hasil"), choices=_choices([
        AppointmentStatus.ATTENDED, AppointmentStatus.MISSED, AppointmentStatus.CANCELLED]))
    note = forms.CharField(label=_("Alasan / catatan"), required=False, max_length=2000,
                           help_text=_("Wajib bila tidak hadir atau dibatalkan."))


class OutcomeForm(AttendedOutcomeForm):
    """The same outcome from the case's tab, which lists every appointment of the case."""

    appointment = forms.IntegerField(widget=forms.HiddenInput)


class RescheduleForm(forms.Form):
    appointment = forms.IntegerField(widget=forms.HiddenInput)
    starts_at = DateTimeLocalField(label=_("Waktu baru"))
    note = forms.CharField(label=_("Alasan"), required=False, max_length=2000)


class ChecklistStartForm(forms.Form):
    incident_at = DateTimeLocalField(label=_("Waktu kejadian"))


class CareItemForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=_choices([
        CareItemStatus.DONE, CareItemStatus.DECLINED, CareItemStatus.NOT_APPLICABLE]))
    at = DateTimeLocalField(label=_("Waktu"), required=False)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000)


class JusticeForm(forms.Form):
    police_report_number = forms.CharField(label=_("Nomor laporan polisi"), required=False, max_length=100)
    police_report_at = DateTimeLocalField(label=_("Waktu laporan polisi"), required=False)
    police_unit = partner_field(_("Unit penyidik"), required=False, partner_type=PartnerType.POLICE_UPPA)
    investigator = forms.CharField(label=_("Penyidik (nama dan kontak)"), required=False, max_length=300)
    visum_requested_on = DateInputField(label=_("Visum diminta"), required=False)
    visum_received_on = DateInputField(label=_("Hasil visum diterima"), required=False)
    verdict_on = DateInputField(label=_("Tanggal putusan"), required=False)
    verdict = _textarea(_("Amar putusan"), rows=2)
    sentence = _textarea(_("Pidana yang dijatuhkan"), rows=2)


class JusticeStepForm(forms.Form):
    stage = forms.ChoiceField(label=_("Tahap"), choices=JusticeStage.choices)
    on = DateInputField(label=_("Tanggal"))
    accompanied = forms.BooleanField(label=_("Korban didampingi"), required=False)
    accompanied_by = worker_field(_("Pendamping"), required=False)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000)


class ProtectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis"), choices=ProtectionKind.choices)
    granted_at = DateTimeLocalField(label=_("Diberikan pada"))
    ends_on = DateInputField(label=_("Berlaku sampai"), required=False,
                             help_text=_("Pelindungan sementara polisi: paling lama 14 hari (kosongkan: 14 hari)."))
    issuer = partner_field(_("Pemberi"), required=False)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000)


class PoliceLetterForm(forms.Form):
    partner = partner_field(_("Unit kepolisian"), partner_type=PartnerType.POLICE_UPPA)
    consent = forms.BooleanField(label=_("Korban setuju dilaporkan ke kepolisian"), required=False)
    override_reason = forms.CharField(label=_("Alasan keputusan manajer (tanpa persetujuan korban)"),
                                      required=False, max_length=2000)
    purpose = forms.CharField(label=_("Keperluan"), required=False, max_length=2000)


class VisumLetterForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.active().filter(partner_type__in=[PartnerType.HOSPITAL, PartnerType.PUSKESMAS])
        .order_by("name"), label=_("Rumah sakit / puskesmas"), empty_label=_("— pilih —"))


class LpskForm(forms.Form):
    partner = partner_field(_("LPSK"), partner_type=PartnerType.LPSK)
    applicant = forms.ChoiceField(label=_("Pemohon"), choices=Applicant.choices)
    protection_asked = _textarea(_("Pelindungan / hak yang dimohonkan"), required=True, rows=2)
    consent = forms.BooleanField(label=_("Korban setuju identitas dan kronologinya dikirim ke LPSK"),
                                 required=False)
    consent_on = DateInputField(label=_("Tanggal persetujuan"), required=False)


class LpskStatusForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=_choices([
        LpskStatus.SENT, LpskStatus.ACCEPTED, LpskStatus.REJECTED]))
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000)


class RestitutionForm(forms.Form):
    requested_on = DateInputField(label=_("Tanggal diajukan"))
    amount = forms.IntegerField(label=_("Jumlah diajukan (Rp)"), required=False, min_value=0)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000)


class RestitutionStatusForm(forms.Form):
    restitution = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status baru"), choices=_choices([
        RestitutionStatus.ASSESSED, RestitutionStatus.ORDERED, RestitutionStatus.PAID,
        RestitutionStatus.COMPENSATED, RestitutionStatus.REFUSED]))
    on = DateInputField(label=_("Tanggal"))
    amount = forms.IntegerField(label=_("Jumlah (Rp)"), required=False, min_value=0)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000)


class TransferForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.active().filter(partner_type__in=TRANSFER_PARTNER_TYPES).order_by("name"),
        label=_("Unit tujuan"), empty_label=_("— pilih —"))
    reason = _textarea(_("Alasan pelimpahan"), required=True, rows=2)


class TransferReceivedForm(forms.Form):
    transfer = forms.IntegerField(widget=forms.HiddenInput)
    received_by = forms.CharField(label=_("Diterima oleh (nama dan jabatan)"), max_length=300)
    received_at = DateTimeLocalField(label=_("Diterima pada"))


class IncomingForm(forms.Form):
    origin = forms.ModelChoiceField(
        queryset=Partner.objects.filter(partner_type__in=ORIGIN_PARTNER_TYPES).order_by("name"),
        label=_("Unit asal"), empty_label=_("— pilih —"))
    origin_letter_number = forms.CharField(label=_("Nomor surat pelimpahan"), required=False, max_length=100)
    received_on = DateInputField(label=_("Tanggal diterima"))


class ApproveLpskForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)


class ApproveTransferForm(forms.Form):
    transfer = forms.IntegerField(widget=forms.HiddenInput)
