from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sigap.network.models import Member, MemberKind, Partner
from sigap.outreach.models import CAMPAIGN_SLUG, ActivityKind, Campaign
from sigap.regions.models import Region

MAX_COUNT = 100_000


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=MAX_COUNT, initial=0, required=False,
        error_messages={
            "invalid": _("Isi angka bulat."),
            "min_value": _("Jumlah tidak boleh negatif."),
            "max_value": _("Jumlah terlalu besar."),
        },
    )


class AreaForm(forms.Form):
    """Step one of recording an activity: where it happened (a desa, or a whole kecamatan)."""

    wilayah = forms.ChoiceField(label=_("Desa atau kecamatan"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("— pilih —"))]
        regions = Region.objects.in_deployment().filter(level__in=["kecamatan", "desa"]).order_by("code")
        for region in regions:
            if region.level == "kecamatan":
                choices.append((region.code, _("Seluruh Kecamatan %(name)s") % {"name": region.name}))
            else:
                choices.append((region.code, f"\u2003{region.name}"))
        self.fields["wilayah"].choices = choices  # type: ignore[attr-defined]

    def area(self) -> Region:
        return Region.objects.get(code=self.cleaned_data["wilayah"])


class ActivityForm(forms.Form):
    date = forms.DateField(label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": _("Isi tanggal yang benar.")})
    kind = forms.ChoiceField(label=_("Jenis kegiatan"), choices=ActivityKind.choices)
    campaign = forms.ModelChoiceField(label=_("Kampanye"), queryset=Campaign.objects.none(), required=False)
    audience_women = _count(_("Peserta perempuan"))
    audience_men = _count(_("Peserta laki-laki"))
    audience_children = _count(_("Peserta anak"))
    pamphlets_handed_out = _count(_("Pamflet dibagikan"))
    partners = forms.ModelMultipleChoiceField(
        label=_("Mitra yang terlibat"), queryset=Partner.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    members = forms.MultipleChoiceField(
        label=_("PATBM / SAPA yang terlibat"), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("Catatan"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Jangan menulis nama atau identitas korban maupun anak."),
    )

    def __init__(self, *args: Any, area: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-started_on")  # type: ignore[attr-defined]
        self.fields["partners"].queryset = Partner.objects.active().order_by("name")  # type: ignore[attr-defined]
        members = Member.objects.active().filter(kind__in=[MemberKind.PATBM, MemberKind.SAPA, MemberKind.CONTACT_POINT])
        if area.level == "desa":
            members = members.filter(desa=area)
        else:
            members = members.filter(desa__parent=area)
        self._members = {str(m.pk): m for m in members.select_related("desa").order_by("desa", "kind", "id")}
        self.fields["members"].choices = [  # type: ignore[attr-defined]
            (pk, f"{m.name} · {m.get_kind_display()}" + ("" if area.level == "desa" else f" · {m.desa.name}"))
            for pk, m in self._members.items()
        ]

    def clean_date(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Tanggal kegiatan tidak boleh di masa depan."))
        if date.year < 2000:
            raise forms.ValidationError(_("Tanggal terlalu lama."))
        return date

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("audience_women", "audience_men", "audience_children", "pamphlets_handed_out"):
            if data.get(name) is None:
                data[name] = 0
        return data

    def chosen_members(self) -> list[Member]:
        return [self._members[pk] for pk in self.cleaned_data.get("members", [])]


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Foto (JPEG atau PNG, maksimal 5 MB)"))
    no_children_faces = forms.BooleanField(
        label=_("Saya memastikan foto ini tidak memperlihatkan wajah anak yang dapat dikenali."),
        error_messages={"required": _("Centang pernyataan bahwa tidak ada wajah anak di foto.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png"


class CampaignForm(forms.Form):
    slug = forms.CharField(
        label=_("Kode kampanye (dipakai di tautan QR)"), max_length=40, validators=[CAMPAIGN_SLUG],
        help_text=_("Contoh: pamflet-2025. Huruf kecil, angka dan tanda hubung."),
    )
    name = forms.CharField(label=_("Nama kampanye"), max_length=200)
    started_on = forms.DateField(label=_("Mulai"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 initial=timezone.localdate)

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"].strip().lower()
        if Campaign.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Kode kampanye ini sudah dipakai."))
        return slug


class PressReleaseForm(forms.Form):
    title = forms.CharField(label=_("Judul"), max_length=200)
    body = forms.CharField(
        label=_("Isi siaran pers"), max_length=20000, widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Jangan pernah menyebut nama, alamat, sekolah atau ciri lain yang dapat mengenali korban atau anak."),
    )


class NewPressReleaseForm(PressReleaseForm):
    campaign = forms.ModelChoiceField(label=_("Kampanye"), queryset=Campaign.objects.none())
    field_order = ["campaign", "title", "body"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-started_on")  # type: ignore[attr-defined]
