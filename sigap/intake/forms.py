"""The intake screens' forms: they collect raw values; ``validation.py`` judges them.

The report form is one page of several Django forms and formsets bundled in
``ReportEntry``. Its fields are deliberately lenient (text in, text out, no
choice checking): ``ReportEntry.payload()`` turns what was typed into the dict
``ReportInput`` expects, ``validation.parse_report`` finds every problem, and
``ReportEntry.apply_errors`` puts each message ("victims.0.desa": ...) back next
to the field it belongs to. So the API, the staff form and the public form
share one set of rules and one set of Indonesian messages.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.intake.codes import (
    Accommodation,
    AmpkGroup,
    Authority,
    Channel,
    ContactOutcome,
    DatePrecision,
    DisabilityType,
    Education,
    HeardFrom,
    MaritalStatus,
    Occupation,
    PerpetratorRelation,
    Place,
    ReporterRelation,
    Risk,
    SafeChannel,
    Sex,
    SexualViolenceForm,
    ViolenceType,
)
from sigap.regions.models import Region

STAFF = "staff"
PUBLIC = "public"
VOLUNTEER = "volunteer"
MODES = (STAFF, PUBLIC, VOLUNTEER)

# Sentinels of the desa select: "a desa outside the regency, typed as a code" and "not known".
OTHER_DESA = "lain"
UNKNOWN_DESA = "tidak-tahu"
MAX_LIST_ITEMS = 30
REQUIRED = gettext_lazy("Wajib diisi.")
MAX_VALUE_LENGTH = 20000


# --- lenient fields -------------------------------------------------------------


class RawText(forms.CharField):
    """Text passed on as typed (stripped). Length and characters are judged by validation.py."""

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        # pydantic reports NUL and other control characters in Indonesian, per field.
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        if max_length:
            self.widget.attrs.setdefault("maxlength", str(max_length))

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text[: MAX_VALUE_LENGTH + 1]


class RawChoice(RawText):
    """A select whose value is not checked here: an unknown code is validation.py's to report."""

    def __init__(self, choices: Iterable[Any], *args: Any, blank: str | None = "—", **kwargs: Any) -> None:
        options = list(choices)
        if blank is not None:
            options = [("", blank), *options]
        kwargs.setdefault("widget", forms.Select(choices=options))
        super().__init__(*args, **kwargs)


class RawMultiple(forms.Field):
    """Checkboxes whose values come back as a list of strings, unchecked."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, choices: Iterable[Any], *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple(choices=list(choices)))
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return [str(v)[:100] for v in list(value)[:MAX_LIST_ITEMS]]


def _text(label: Any, *, max_length: int | None = 200, help_text: Any = "", **attrs: str) -> RawText:
    return RawText(label=label, max_length=max_length, help_text=help_text,
                   widget=forms.TextInput(attrs=attrs) if attrs else None)


def _area(label: Any, *, rows: int = 3, help_text: Any = "") -> RawText:
    return RawText(label=label, max_length=10000, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}))


def _check(label: Any, help_text: Any = "") -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, help_text=help_text)


def _date(label: Any, help_text: Any = "") -> RawText:
    return RawText(label=label, help_text=help_text, widget=forms.DateInput(attrs={"type": "date"}))


# --- the deployment's desa, grouped by kecamatan ----------------------------------


_DESA_CACHE: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = {}


def _desa_groups(region: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    cached = _DESA_CACHE.get(region)
    if cached is not None:
        return cached
    kecamatan = dict(Region.objects.in_deployment().kecamatan().values_list("code", "name"))
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name in Region.objects.in_deployment().desa().order_by("code").values_list("code", "name"):
        groups.setdefault(code.rsplit(".", 1)[0], []).append((code, name))
    result = tuple((kecamatan.get(k, k), tuple(groups[k])) for k in sorted(groups))
    if result:  # regions not loaded yet: ask again next time
        _DESA_CACHE[region] = result
    return result


def unknown_desa_label(mode: str) -> str:
    if mode == STAFF:
        return _("Tidak diketahui (tulis alasannya)")
    return _("Tidak tahu")


def desa_choices(mode: str = STAFF) -> list[Any]:
    """``[("", "— pilih desa —"), ("tidak-tahu", "Tidak tahu"), (kecamatan name, [(code, name), ...]), ...,
    ("lain", "Desa lain ...")]``.

    Regions are reference data loaded once; the grouping is cached per process
    (``clear_desa_cache`` after loading regions, e.g. in tests).
    """
    from django.conf import settings

    choices: list[Any] = [("", _("— pilih desa —")), (UNKNOWN_DESA, unknown_desa_label(mode))]
    choices += [(name, list(items)) for name, items in _desa_groups(settings.SIGAP_REGION)]
    choices.append((OTHER_DESA, _("Desa di luar kabupaten (isi kode di bawah)")))
    return choices


def kecamatan_choices() -> list[tuple[str, str]]:
    """The deployment's kecamatan as (code, name), in code order."""
    return list(Region.objects.in_deployment().kecamatan().order_by("code").values_list("code", "name"))


def clear_desa_cache() -> None:
    _DESA_CACHE.clear()


class DesaFieldsMixin(forms.Form):
    """A desa select (the deployment's own desa by kecamatan) with a code input for any other desa."""

    desa = RawText(label=gettext_lazy("Desa/Kelurahan"), widget=forms.Select(attrs={"class": "desa-select"}))
    desa_other = RawText(
        label=gettext_lazy("Kode desa lain"),
        max_length=13,
        help_text=gettext_lazy("Hanya bila desa tidak ada di daftar, misalnya 18.10.01.2001."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "desa-code"}),
    )
    desa_unknown_reason = RawText(
        label=gettext_lazy("Alasan desa tidak diketahui"),
        max_length=2000,
        help_text=gettext_lazy("Wajib bagi petugas bila memilih \"tidak diketahui\"."),
        widget=forms.Textarea(attrs={"rows": 2, "class": "desa-unknown-reason"}),
    )

    def __init__(self, *args: Any, only_desa: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mode = getattr(self, "mode", STAFF)
        # ``only_desa``: the one desa this row may name (a volunteer's victims); "" for none.
        # The list offers only it (or "not known") and the code input is not shown; submit_report checks again.
        self.desa_locked = only_desa is not None
        if only_desa is None:
            self.fields["desa"].widget.choices = desa_choices(mode)
        else:
            name = Region.objects.filter(code=only_desa).values_list("name", flat=True).first() if only_desa else None
            first = [(only_desa, name)] if name else [("", _("— pilih desa —"))]
            self.fields["desa"].widget.choices = [*first, (UNKNOWN_DESA, unknown_desa_label(mode))]
        # Only staff explain an unknown desa; the public and volunteers just say they do not know.
        self.asks_unknown_reason = mode == STAFF
        if not self.asks_unknown_reason:
            del self.fields["desa_unknown_reason"]

    def desa_from_code(self) -> bool:
        """True when the desa comes from the typed code, not the list."""
        chosen = self.cleaned_data.get("desa", "")
        return chosen in ("", OTHER_DESA) and bool(self.cleaned_data.get("desa_other"))

    def desa_unknown(self) -> bool:
        return self.cleaned_data.get("desa", "") == UNKNOWN_DESA

    def desa_value(self) -> str | None:
        chosen = self.cleaned_data.get("desa", "")
        if chosen == UNKNOWN_DESA:
            return None
        if chosen and chosen != OTHER_DESA:
            return str(chosen)
        return self.cleaned_data.get("desa_other") or None

    def desa_payload(self) -> dict[str, Any]:
        result: dict[str, Any] = {"desa": self.desa_value()}
        if self.desa_unknown():
            result["desa_unknown"] = True
            result["desa_unknown_reason"] = _blank_none(self.cleaned_data.get("desa_unknown_reason"))
        return result


# --- dates and times as people type them ------------------------------------------

_DMY = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$")
_HM = re.compile(r"^\s*(\d{1,2})[.:](\d{2})\s*$")


def iso_date(value: str) -> str:
    """``20/11/2026`` or ``20-11-2026`` (browsers without a date picker) as ``2026-11-20``; else unchanged."""
    match = _DMY.match(value or "")
    if match:
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return (value or "").strip()


def iso_time(value: str) -> str:
    match = _HM.match(value or "")
    if match:
        hour, minute = match.groups()
        return f"{int(hour):02d}:{minute}"
    return (value or "").strip()


def _blank_none(value: Any) -> Any:
    return value if value not in ("", None) else None


def _present(values: dict[str, Any]) -> dict[str, Any]:
    """Leave out what was not given, so validation.py says "Wajib diisi." rather than "not a code"."""
    return {key: value for key, value in values.items() if value is not None}


# --- report sections ------------------------------------------------------------------


class ModeForm(forms.Form):
    """A form whose labels speak to staff, the public or a volunteer."""

    public_labels: dict[str, Any] = {}

    def __init__(self, *args: Any, mode: str = STAFF, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode = mode
        if mode == PUBLIC:
            for name, label in self.public_labels.items():
                if name in self.fields:
                    self.fields[name].label = label


class ReporterForm(ModeForm):
    declined_identity = _check(
        gettext_lazy("Pelapor tidak bersedia memberi identitas"),
        gettext_lazy("Laporan tetap diterima dan ditandai untuk tindak lanjut."),
    )
    declined_reason = _area(gettext_lazy("Alasan (bila disampaikan)"), rows=2)
    name = _text(gettext_lazy("Nama pelapor"), autocomplete="off")
    phone = RawText(
        label=gettext_lazy("Nomor telepon/WhatsApp pelapor"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    nik = RawText(
        label=gettext_lazy("NIK pelapor"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = _area(gettext_lazy("Alamat pelapor"), rows=2)
    relation = RawChoice(ReporterRelation.choices, label=gettext_lazy("Hubungan pelapor dengan korban"))

    public_labels = {
        "declined_identity": gettext_lazy("Saya tidak ingin menyebutkan nama saya"),
        "declined_reason": gettext_lazy("Boleh ceritakan alasannya (tidak wajib)"),
        "name": gettext_lazy("Nama Anda"),
        "phone": gettext_lazy("Nomor HP/WhatsApp Anda"),
        "nik": gettext_lazy("NIK Anda (tidak wajib)"),
        "address": gettext_lazy("Alamat Anda (bila tidak ada nomor HP)"),
        "relation": gettext_lazy("Anda siapa bagi korban?"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.mode == PUBLIC:
            self.fields["declined_identity"].help_text = _(
                "Laporan tetap kami terima. Kami tidak dapat menghubungi Anda kembali, jadi simpan kode "
                "pelacakan yang muncul setelah mengirim."
            )

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return _present({
            "declined_identity": bool(data.get("declined_identity")),
            "declined_reason": _blank_none(data.get("declined_reason")),
            "name": _blank_none(data.get("name")),
            "phone": _blank_none(data.get("phone")),
            "nik": _blank_none(data.get("nik")),
            "address": _blank_none(data.get("address")),
            "relation": _blank_none(data.get("relation")),
        })


class VictimForm(DesaFieldsMixin, ModeForm):
    name = _text(gettext_lazy("Nama korban"), autocomplete="off")
    birth_date = _date(gettext_lazy("Tanggal lahir"))
    age = RawText(
        label=gettext_lazy("Usia (tahun)"),
        max_length=3,
        help_text=gettext_lazy("Isi bila tanggal lahir tidak diketahui; perkiraan boleh."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "short"}),
    )
    sex = RawChoice(Sex.choices, label=gettext_lazy("Jenis kelamin"))
    nik = RawText(
        label=gettext_lazy("NIK korban"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = _area(gettext_lazy("Alamat korban"), rows=2)
    education = RawChoice(Education.choices, label=gettext_lazy("Pendidikan"))
    occupation = RawChoice(Occupation.choices, label=gettext_lazy("Pekerjaan"))
    marital_status = RawChoice(MaritalStatus.choices, label=gettext_lazy("Status perkawinan"))
    disability = _check(gettext_lazy("Penyandang disabilitas"))
    disability_types = RawMultiple(DisabilityType.choices, label=gettext_lazy("Ragam disabilitas (boleh lebih dari satu)"))
    accommodations = RawMultiple(
        Accommodation.choices, label=gettext_lazy("Akomodasi yang dibutuhkan"),
        help_text=gettext_lazy("Untuk pemeriksaan dan pendampingan (UU TPKS Pasal 66)."),
    )
    ampk_groups = RawMultiple(
        AmpkGroup.choices, label=gettext_lazy("Kelompok AMPK (korban anak)"),
        help_text=gettext_lazy("Kosongkan agar SIGAP mengusulkan dari jenis kekerasan (UU 35/2014 Pasal 59 ayat 2)."),
    )

    public_labels = {
        "name": gettext_lazy("Nama korban (boleh nama panggilan)"),
        "birth_date": gettext_lazy("Tanggal lahir korban (bila tahu)"),
        "age": gettext_lazy("Atau perkiraan usia korban (tahun)"),
        "sex": gettext_lazy("Korban laki-laki atau perempuan?"),
        "nik": gettext_lazy("NIK korban (tidak wajib)"),
        "address": gettext_lazy("Alamat korban (tidak wajib)"),
        "desa": gettext_lazy("Desa tempat tinggal korban"),
        "disability": gettext_lazy("Korban penyandang disabilitas"),
        "disability_types": gettext_lazy("Jenis disabilitasnya (bila tahu)"),
        "accommodations": gettext_lazy("Bantuan yang dibutuhkan korban saat bercerita, diperiksa, atau didampingi"),
    }
    # The accommodations in plain words (UU TPKS Pasal 66 ayat 2; UU 8/2016), for the public and volunteers.
    plain_accommodations = (
        (Accommodation.JURU_BAHASA_ISYARAT, gettext_lazy("Juru bahasa isyarat (penerjemah bahasa isyarat)")),
        (Accommodation.PENDAMPING_DISABILITAS, gettext_lazy("Pendamping yang biasa membantu korban")),
        (Accommodation.AKSESIBILITAS, gettext_lazy("Tempat yang mudah dijangkau: kursi roda, tanpa tangga, dijemput")),
        (Accommodation.KOMUNIKASI_ALTERNATIF, gettext_lazy("Cara bercerita lain: tulisan, gambar, braille, atau "
                                                          "kalimat sederhana")),
        (Accommodation.WAKTU_DISESUAIKAN, gettext_lazy("Waktu yang lebih panjang, tidak terburu-buru")),
        (Accommodation.LAINNYA, gettext_lazy("Bantuan lain (ceritakan di kolom kebutuhan)")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.mode != STAFF:
            field = self.fields["accommodations"]
            field.widget.choices = list(self.plain_accommodations)
            field.help_text = gettext_lazy("Tidak wajib. Kami menyiapkannya sebelum bertemu korban.")

    field_order = ["name", "sex", "birth_date", "age", "desa", "desa_other", "desa_unknown_reason", "address", "nik", "education",
                   "occupation", "marital_status", "disability"]
    # Fields whose emptiness makes an extra row "not used" (a preselected desa does not count).
    meaningful = ("name", "birth_date", "age", "sex", "nik", "address", "education", "occupation",
                  "marital_status", "disability", "disability_types", "accommodations", "ampk_groups")

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return _present({
            "name": _blank_none(data.get("name")),
            "birth_date": _blank_none(iso_date(data.get("birth_date", ""))),
            "age": _blank_none(data.get("age")),
            "sex": _blank_none(data.get("sex")),
            "nik": _blank_none(data.get("nik")),
            "address": _blank_none(data.get("address")),
            **self.desa_payload(),
            "education": _blank_none(data.get("education")),
            "occupation": _blank_none(data.get("occupation")),
            # A public or volunteer form that names what a disability needs says the victim has one.
            "disability": bool(data.get("disability")) or (self.mode != STAFF and bool(data.get("accommodations"))),
            "disability_types": data.get("disability_types", []),
            "accommodations": data.get("accommodations", []),
            # Nothing ticked: SIGAP suggests the groups.
            "ampk_groups": data.get("ampk_groups") or None,
            "marital_status": _blank_none(data.get("marital_status")),
        })


IS_CHILD_CHOICES = [("", gettext_lazy("Tidak diketahui")), ("ya", gettext_lazy("Ya, anak")),
                    ("tidak", gettext_lazy("Tidak, dewasa"))]


class PerpetratorForm(ModeForm):
    name = _text(gettext_lazy("Nama terlapor (bila diketahui)"), autocomplete="off")
    relation = RawChoice(PerpetratorRelation.choices, label=gettext_lazy("Hubungan dengan korban"))
    sex = RawChoice(Sex.choices, label=gettext_lazy("Jenis kelamin"))
    is_child = RawChoice(IS_CHILD_CHOICES, label=gettext_lazy("Terlapor masih anak?"), blank=None)
    lives_with_victim = _check(gettext_lazy("Tinggal serumah dengan korban"))
    holds_office = _check(gettext_lazy("Memegang jabatan publik/desa"))
    birth_date = _date(gettext_lazy("Tanggal lahir terlapor"))
    age = RawText(
        label=gettext_lazy("Atau usia terlapor (tahun)"),
        max_length=3,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "short"}),
    )
    education = RawChoice(Education.choices, label=gettext_lazy("Pendidikan terlapor"))
    occupation = RawChoice(Occupation.choices, label=gettext_lazy("Pekerjaan terlapor"))

    public_labels = {
        "name": gettext_lazy("Nama pelaku (bila tahu)"),
        "relation": gettext_lazy("Pelaku siapa bagi korban?"),
        "is_child": gettext_lazy("Pelaku masih anak?"),
        "lives_with_victim": gettext_lazy("Pelaku tinggal serumah dengan korban"),
        "holds_office": gettext_lazy("Pelaku pejabat, aparat, atau perangkat desa"),
    }
    meaningful = ("name", "relation", "sex", "is_child", "lives_with_victim", "holds_office", "birth_date", "age",
                  "education", "occupation")

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        is_child = {"ya": True, "tidak": False}.get(str(data.get("is_child", "")))
        result: dict[str, Any] = {
            "name": _blank_none(data.get("name")),
            "sex": _blank_none(data.get("sex")),
            "lives_with_victim": bool(data.get("lives_with_victim")),
            "holds_office": bool(data.get("holds_office")),
            "is_child": is_child,
            "birth_date": _blank_none(iso_date(data.get("birth_date", ""))),
            "age": _blank_none(data.get("age")),
            "education": _blank_none(data.get("education")),
            "occupation": _blank_none(data.get("occupation")),
        }
        if data.get("relation"):
            result["relation"] = data["relation"]
        return _present(result)


class EventForm(DesaFieldsMixin, ModeForm):
    date = _date(gettext_lazy("Tanggal kejadian"))
    time = RawText(
        label=gettext_lazy("Jam"),
        help_text=gettext_lazy("Kosongkan bila tidak tahu: laporan mencatat \"jam tidak diketahui\"."),
        widget=forms.TimeInput(attrs={"type": "time", "class": "short"}),
    )
    date_unknown = _check(
        gettext_lazy("Tanggal tidak diketahui"),
        gettext_lazy("Centang bila tidak ada yang tahu tanggalnya, bahkan kira-kira; kosongkan tanggal. "
                     "Laporan mencatat \"tanggal tidak diketahui\"."),
    )
    approximate = _check(gettext_lazy("Waktu perkiraan"))
    precision = RawChoice(
        DatePrecision.choices, label=gettext_lazy("Yang diketahui dari tanggalnya"), blank=None,
        help_text=gettext_lazy("Bila hanya bulan atau tahun yang diketahui, isi tanggal berapa saja di bulan/tahun itu."),
    )
    place = RawChoice(Place.choices, label=gettext_lazy("Tempat kejadian"))
    description = _area(gettext_lazy("Uraian kejadian"), rows=4,
                        help_text=gettext_lazy("Apa yang terjadi, siapa yang terlibat."))

    public_labels = {
        "date": gettext_lazy("Kapan terjadi? (tanggal)"),
        "time": gettext_lazy("Jam (bila tahu)"),
        "date_unknown": gettext_lazy("Saya tidak tahu tanggalnya"),
        "approximate": gettext_lazy("Tanggal/jam ini perkiraan"),
        "place": gettext_lazy("Di mana terjadi?"),
        "desa": gettext_lazy("Desa tempat kejadian"),
        "description": gettext_lazy("Ceritakan apa yang terjadi"),
    }
    field_order = ["date", "time", "date_unknown", "approximate", "precision", "place", "desa", "desa_other",
                   "desa_unknown_reason", "description"]
    meaningful = ("date", "time", "date_unknown", "description")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.mode == PUBLIC:
            self.fields["date_unknown"].help_text = gettext_lazy("Tidak apa-apa, laporan tetap kami terima.")

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        date = iso_date(data.get("date", ""))
        time = iso_time(data.get("time", ""))
        result: dict[str, Any] = {
            # An unknown hour is stored as "time not known", with midnight as a placeholder.
            "when": f"{date}T{time or '00:00'}" if date else None,
            # An unknown date is stored as none at all (validation refuses a date with the tick).
            "date_known": not data.get("date_unknown"),
            "time_known": bool(time),
            "approximate": bool(data.get("approximate")),
            "precision": _blank_none(data.get("precision")),
            **self.desa_payload(),
            "description": data.get("description", ""),
        }
        if data.get("place"):
            result["place"] = data["place"]
        return _present(result)


CONSENT_CHOICES = [("ya", gettext_lazy("Ya")), ("tidak", gettext_lazy("Tidak"))]


class DetailsForm(ModeForm):
    """Everything of the report that is not a list: channel, violence, danger, needs, contact, consent."""

    channel = RawChoice(Channel.choices, label=gettext_lazy("Saluran"), blank=None)
    heard_from = RawChoice(HeardFrom.choices, label=gettext_lazy("Dari mana tahu layanan ini?"))
    # Staff only: a paper form or a volunteer's written note typed in later.
    received_at = RawText(
        label=gettext_lazy("Diterima pada (formulir kertas)"),
        help_text=gettext_lazy("Hanya bila laporan ini dari formulir kertas atau catatan relawan yang dicatat "
                               "belakangan: waktu laporan benar-benar diterima (paling lama 30 hari lalu). "
                               "Kosongkan bila laporan diterima sekarang."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    late_entry_reason = _area(gettext_lazy("Alasan dicatat terlambat"), rows=2)
    violence_types = RawMultiple(ViolenceType.choices, label=gettext_lazy("Jenis kekerasan"))
    sexual_violence_forms = RawMultiple(
        SexualViolenceForm.choices,
        label=gettext_lazy("Bentuk kekerasan seksual (UU TPKS Pasal 4 ayat 1)"),
        help_text=gettext_lazy("Isi hanya bila jenis kekerasan mencakup kekerasan seksual."),
    )
    immediate_danger = _check(gettext_lazy("Korban dalam bahaya segera"))
    threat_to_life = _check(gettext_lazy("Ada ancaman terhadap nyawa"))
    injury_needs_care = _check(gettext_lazy("Luka yang perlu perawatan medis"))
    self_harm_risk = _check(gettext_lazy("Risiko menyakiti diri atau bunuh diri"))
    repeated_violence = _check(gettext_lazy("Kekerasan terjadi berulang"))
    victim_condition = _area(gettext_lazy("Kondisi korban saat ini"), rows=3)
    needs = _area(gettext_lazy("Kebutuhan dan harapan korban/pelapor"), rows=3)
    safe_times = _text(gettext_lazy("Waktu aman untuk dihubungi"))
    safe_channel = RawChoice(SafeChannel.choices, label=gettext_lazy("Cara aman untuk dihubungi"))
    never_call_back = _check(
        gettext_lazy("Jangan pernah menelepon balik nomor ini"),
        gettext_lazy("Misalnya bila telepon dipegang atau diawasi pelaku."),
    )
    consent_process = RawChoice(
        CONSENT_CHOICES,
        label=gettext_lazy("Setuju laporan diproses oleh UPTD PPA?"),
        help_text=gettext_lazy("Artinya: petugas mencatat laporan ini, menyimpannya dengan aman dan menghubungi "
                               "korban atau pelapor untuk penanganan. Tanyakan; jangan dianggap setuju."),
        blank=None,
        widget=forms.RadioSelect(choices=CONSENT_CHOICES),
    )
    # Every consent starts unticked (UU PDP: consent is an explicit act), each with
    # a plain sentence of what it means. ``consent_process`` has no default answer.
    consent_refer = _check(
        gettext_lazy("Setuju dirujuk ke mitra (rumah sakit, LBH, psikolog, dll.)"),
        gettext_lazy("Artinya: petugas boleh meneruskan data yang diperlukan kepada lembaga mitra yang "
                     "membantu korban, dengan surat rujukan."),
    )
    consent_police = _check(
        gettext_lazy("Setuju dilaporkan ke polisi"),
        gettext_lazy("Artinya: petugas boleh meneruskan laporan ini ke kepolisian (Unit PPA)."),
    )
    consent_statistics = _check(
        gettext_lazy("Setuju data tanpa nama dipakai untuk statistik"),
        gettext_lazy("Artinya: laporan ini ikut dihitung dalam angka yang diumumkan kepada publik, tanpa nama, "
                     "alamat atau hal lain yang dapat mengenali orang. Tanpa centang, laporan tetap ditangani."),
    )

    public_labels = {
        "heard_from": gettext_lazy("Dari mana Anda tahu layanan ini? (tidak wajib)"),
        "violence_types": gettext_lazy("Kekerasan apa yang terjadi? (boleh lebih dari satu)"),
        "sexual_violence_forms": gettext_lazy("Bila kekerasan seksual: bentuknya (boleh dikosongkan)"),
        "immediate_danger": gettext_lazy("Korban dalam bahaya sekarang"),
        "threat_to_life": gettext_lazy("Ada yang mengancam akan membunuh"),
        "injury_needs_care": gettext_lazy("Korban terluka dan perlu ke dokter"),
        "self_harm_risk": gettext_lazy("Korban ingin menyakiti diri sendiri"),
        "repeated_violence": gettext_lazy("Sudah terjadi lebih dari sekali"),
        "victim_condition": gettext_lazy("Bagaimana keadaan korban sekarang? (tidak wajib)"),
        "needs": gettext_lazy("Bantuan apa yang dibutuhkan? (tidak wajib)"),
        "safe_times": gettext_lazy("Kapan waktu aman menghubungi Anda?"),
        "safe_channel": gettext_lazy("Lewat apa sebaiknya kami menghubungi Anda?"),
        "never_call_back": gettext_lazy("Jangan telepon nomor saya (misalnya bila HP dipegang pelaku)"),
        "consent_refer": gettext_lazy("Saya setuju dirujuk ke lembaga lain bila perlu (rumah sakit, bantuan hukum, psikolog)"),
        "consent_police": gettext_lazy("Saya setuju kasus ini dilaporkan ke polisi"),
        "consent_statistics": gettext_lazy("Data tanpa nama boleh dipakai untuk statistik"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.mode != STAFF:
            # The public form is always "web", a volunteer's always "relawan" (set by the view).
            del self.fields["channel"]
            del self.fields["received_at"]
            del self.fields["late_entry_reason"]
        if self.mode == PUBLIC:
            self.fields["never_call_back"].help_text = ""
            self.fields["consent_process"] = forms.BooleanField(
                label=_("Saya setuju laporan ini diterima dan ditangani oleh %(office)s.")
                % {"office": _office_name()},
                help_text=_(
                    "Petugas akan membaca laporan Anda dan, bila Anda memberi nomor, menghubungi Anda "
                    "dengan cara yang aman. Identitas Anda dirahasiakan."
                ),
                required=False,
            )

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        consent: dict[str, Any] = {
            "refer": bool(data.get("consent_refer")),
            "police": bool(data.get("consent_police")),
            "statistics": bool(data.get("consent_statistics")),
        }
        process = data.get("consent_process")
        if process is True or process == "ya":
            consent["process"] = True
        elif process == "tidak":
            consent["process"] = False
        # Otherwise left out: validation.py says "Wajib diisi." next to it.
        result: dict[str, Any] = {
            "violence_types": data.get("violence_types", []),
            "sexual_violence_forms": data.get("sexual_violence_forms", []),
            "immediate_danger": bool(data.get("immediate_danger")),
            "threat_to_life": bool(data.get("threat_to_life")),
            "injury_needs_care": bool(data.get("injury_needs_care")),
            "self_harm_risk": bool(data.get("self_harm_risk")),
            "repeated_violence": bool(data.get("repeated_violence")),
            "victim_condition": _blank_none(data.get("victim_condition")),
            "needs": _blank_none(data.get("needs")),
            "safe_contact": {
                "never_call_back": bool(data.get("never_call_back")),
                "safe_times": _blank_none(data.get("safe_times")),
                "safe_channel": _blank_none(data.get("safe_channel")),
            },
            "consent": consent,
        }
        if "channel" in self.fields and data.get("channel"):
            result["channel"] = data["channel"]
        if data.get("heard_from"):
            result["heard_from"] = data["heard_from"]
        if "received_at" in self.fields and (data.get("received_at") or data.get("late_entry_reason")):
            result["received_at"] = _blank_none(data.get("received_at"))
            result["late_entry_reason"] = _blank_none(data.get("late_entry_reason"))
        result["safe_contact"] = _present(result["safe_contact"])
        return _present(result)


def _region() -> str:
    from django.conf import settings

    return str(settings.SIGAP_REGION)


def _office_name() -> str:
    from django.conf import settings

    return str(settings.SIGAP_OFFICE_NAME)


class BaseRowFormSet(BaseFormSet):
    """Rows of one kind. Untouched rows are skipped; the first row always counts."""

    def __init__(self, *args: Any, mode: str = STAFF, only_desa: str | None = None, **kwargs: Any) -> None:
        self.mode = mode
        self.only_desa = only_desa
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        kwargs["mode"] = self.mode
        if self.only_desa is not None:
            kwargs["only_desa"] = self.only_desa
        if index is not None:
            # Every row is cleaned, even an untouched extra one: a first row left
            # empty must still report what it lacks (``used_forms`` skips the rest).
            kwargs["empty_permitted"] = False
        return kwargs

    def used_forms(self, *, keep_first: bool) -> list[tuple[int, forms.Form]]:
        """(form index, form) of the rows that hold anything."""
        used: list[tuple[int, forms.Form]] = []
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", {})
            filled = any(data.get(name) not in (None, "", False, []) for name in form.meaningful)
            if filled or (keep_first and index == 0):
                used.append((index, form))
        return used


# Upper bounds match validation.py (victims and perpetrators 20, events 50).
ROW_LIMITS = {"victims": 20, "perpetrators": 20, "chronology": 50}
# One empty row of each kind; "+ Tambah ..." adds more (in place with JavaScript, by a round trip without).
EXTRA_ROWS = {
    STAFF: {"victims": 1, "perpetrators": 1, "chronology": 1},
    VOLUNTEER: {"victims": 1, "perpetrators": 1, "chronology": 1},
    PUBLIC: {"victims": 1, "perpetrators": 1, "chronology": 1},
}
ROW_FORMS: dict[str, type[forms.Form]] = {
    "victims": VictimForm,
    "perpetrators": PerpetratorForm,
    "chronology": EventForm,
}


def _formset_class(kind: str, extra: int) -> type[BaseRowFormSet]:
    limit = ROW_LIMITS[kind]
    return formset_factory(  # type: ignore[return-value]
        ROW_FORMS[kind], formset=BaseRowFormSet, extra=extra, max_num=limit, absolute_max=limit, validate_max=False
    )


class ReportEntry:
    """The whole report form: reporter, victims, perpetrators, chronology and details.

    ``initial`` keys: ``channel``, ``desa`` (preselected for the first victim and
    every event row), ``description`` (first event), ``relation``,
    ``reporter_name`` and ``reporter_phone`` (the reporter; see ``prefill.Prefill.initial``).
    ``add``: the kind of row to add one of ("victims", "perpetrators", "chronology").
    """

    KINDS = ("victims", "perpetrators", "chronology")
    # Where each part of the report sits on the page (for ordering the error summary).
    SECTIONS = ("channel", "received_at", "late_entry_reason", "heard_from", "reporter", "victims", "perpetrators", "chronology", "violence_types",
                "sexual_violence_forms", "immediate_danger", "threat_to_life", "injury_needs_care",
                "self_harm_risk", "repeated_violence", "victim_condition", "needs", "safe_contact", "consent")

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        mode: str = STAFF,
        initial: Mapping[str, Any] | None = None,
        add: str | None = None,
        victim_desa: str | None = None,
    ) -> None:
        """``victim_desa``: the only desa the victims may live in (a volunteer's own; "" for none)."""
        assert mode in MODES
        self.mode = mode
        self.error_list: list[tuple[str, str, str]] = []  # (field id, label, message)
        initial = dict(initial or {})
        if data is not None and add in self.KINDS:
            data = self._with_one_more_row(data, add)
        self.bound = data is not None

        reporter_initial = {"relation": initial.get("relation", ""), "name": initial.get("reporter_name", ""),
                            "phone": initial.get("reporter_phone", "")}
        self.reporter = ReporterForm(data, prefix="reporter", mode=mode, initial=reporter_initial)
        details_initial = {"channel": initial.get("channel", Channel.TELEPON)}
        self.details = DetailsForm(data, mode=mode, initial=details_initial)

        desa = initial.get("desa", "")
        place: dict[str, str] = {}
        if desa:
            # A desa outside the regency is not in the list: it goes into the code input.
            in_list = desa.startswith(_region() + ".")
            place = {"desa": desa} if in_list else {"desa": OTHER_DESA, "desa_other": desa}
        extras = EXTRA_ROWS[mode]
        self.formsets: dict[str, BaseRowFormSet] = {}
        for kind in self.KINDS:
            row_initial: list[dict[str, Any]] = []
            if kind == "victims" and place:
                row_initial = [dict(place)]
            if kind == "chronology":
                row_initial = [dict(place) for _ in range(extras[kind])]
                if initial.get("description"):
                    row_initial[0]["description"] = initial["description"]
            cls = _formset_class(kind, max(0, extras[kind] - len(row_initial)))
            only = victim_desa if kind == "victims" else None
            self.formsets[kind] = cls(data, prefix=kind, mode=mode, initial=row_initial or None, only_desa=only)

    @staticmethod
    def _with_one_more_row(data: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
        copy = data.copy()  # type: ignore[attr-defined]
        key = f"{kind}-TOTAL_FORMS"
        try:
            total = int(copy.get(key, "0"))
        except (TypeError, ValueError):
            return data
        if not 0 <= total < ROW_LIMITS[kind]:
            return data
        copy[key] = str(total + 1)
        if kind != "perpetrators" and total > 0:
            # A new row starts in the desa of the row before it.
            for name in ("desa", "desa_other"):
                copy[f"{kind}-{total}-{name}"] = copy.get(f"{kind}-{total - 1}-{name}", "")
        return copy

    @property
    def victims(self) -> BaseRowFormSet:
        return self.formsets["victims"]

    @property
    def perpetrators(self) -> BaseRowFormSet:
        return self.formsets["perpetrators"]

    @property
    def events(self) -> BaseRowFormSet:
        return self.formsets["chronology"]

    @property
    def addable(self) -> dict[str, bool]:
        """Which kinds of row may still be added (for the "add another" buttons)."""
        return {kind: fs.total_form_count() < ROW_LIMITS[kind] for kind, fs in self.formsets.items()}

    # --- input -> ReportInput dict ---

    def _clean(self) -> bool:
        ok = self.reporter.is_valid() & self.details.is_valid()
        for formset in self.formsets.values():
            ok &= formset.is_valid()
        return bool(ok)

    def payload(self) -> dict[str, Any]:
        """The dict for ``validation.parse_report``; remembers which form row each list item came from."""
        self._clean()
        self._rows: dict[str, list[int]] = {}
        lists: dict[str, list[dict[str, Any]]] = {}
        for kind, formset in self.formsets.items():
            used = formset.used_forms(keep_first=kind != "perpetrators")
            self._rows[kind] = [index for index, _form in used]
            lists[kind] = [form.payload() for _index, form in used]  # type: ignore[attr-defined]
        payload = self.details.payload()
        payload.update(
            reporter=self.reporter.payload(),
            victims=lists["victims"],
            perpetrators=lists["perpetrators"],
            chronology=lists["chronology"],
        )
        return payload

    def management_problems(self) -> list[str]:
        """Tampered or missing formset bookkeeping: errors not tied to any field."""
        self._clean()
        problems: list[str] = []
        for formset in self.formsets.values():
            problems += [str(e) for e in formset.non_form_errors()]
        return problems

    # --- errors from validation.py back onto the fields ---

    def apply_errors(self, fields: Mapping[str, str]) -> None:
        self._clean()
        if not hasattr(self, "_rows"):
            self.payload()
        self.error_list = []
        self._order: list[tuple[int, int, int]] = []
        for path, message in fields.items():
            self._apply(path, message)
        # The summary lists problems in the order of the page, top to bottom.
        ranked = sorted(zip(self._order, self.error_list, strict=True), key=lambda pair: pair[0])
        self.error_list = [entry for _key, entry in ranked]

    def _apply(self, path: str, message: str) -> None:
        parts = path.split(".")
        head = parts[0]
        form: forms.Form | None = None
        field: str | None = None
        row_label = ""
        if head == "reporter" and len(parts) >= 2:
            form, field = self.reporter, parts[1]
        elif head in self.formsets:
            formset = self.formsets[head]
            if len(parts) >= 3 and parts[1].isascii() and parts[1].isdigit() and int(parts[1]) < len(self._rows[head]):
                index = self._rows[head][int(parts[1])]
                form, field = formset.forms[index], parts[2]
                if head == "chronology" and field == "when":
                    field = "date"
                if field == "desa" and isinstance(form, DesaFieldsMixin) and form.desa_from_code():
                    field = "desa_other"
                row_label = f"{self.row_title(head)} {index + 1}: "
            else:
                formset.non_form_errors().append(message)
                self.error_list.append((f"{head}-rows", str(self.row_title(head)), message))
                self._order.append((self.SECTIONS.index(head), -1, 0))
                return
        elif head == "safe_contact" and len(parts) >= 2:
            form, field = self.details, parts[1]
        elif head == "consent" and len(parts) >= 2:
            form, field = self.details, f"consent_{parts[1]}"
        elif head in self.details.fields:
            form, field = self.details, head
        if form is None or field not in form.fields:
            form, field = self.details, None
        assert form is not None
        if field is not None and field in form.errors:
            return  # one message per field is enough
        form.add_error(field, message)
        section = self.SECTIONS.index(head) if head in self.SECTIONS else len(self.SECTIONS)
        row = (int(parts[1]) if head in self.formsets and len(parts) > 1 and parts[1].isascii() and parts[1].isdigit()
               else 0)
        if field is None:
            self.error_list.append(("report-errors", "", message))
            self._order.append((len(self.SECTIONS) + 1, 0, 0))
        else:
            bound = form[field]
            self.error_list.append((bound.id_for_label or bound.auto_id, row_label + str(bound.label), message))
            self._order.append((section, row, list(form.fields).index(field)))

    @staticmethod
    def row_title(kind: str) -> str:
        return str({"victims": _("Korban"), "perpetrators": _("Terlapor"), "chronology": _("Kejadian")}[kind])

    def non_field_errors(self) -> list[str]:
        return [str(e) for e in self.details.non_field_errors()]


# --- contacts --------------------------------------------------------------------------


def parse_duration(value: str) -> int | None:
    """Seconds from ``"5"`` (minutes), ``"5:30"`` or ``"0:45"``; None when blank; -1 when unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{1,4})(?:[:.](\d{1,2}))?", value)
    if not match:
        return -1
    minutes, seconds = match.groups()
    if seconds is not None and int(seconds) >= 60:
        return -1
    return int(minutes) * 60 + int(seconds or 0)


def local_input_value(moment: datetime.datetime) -> str:
    """A ``datetime-local`` input's value for ``moment`` in Asia/Jakarta."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


class ContactForm(forms.Form):
    """One call, chat or visit, as the operator records it while it happens."""

    channel = RawChoice(Channel.choices, label=gettext_lazy("Saluran"), blank=None)
    caller_phone = RawText(
        label=gettext_lazy("Nomor penelepon"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off",
                                      "class": "caller-phone"}),
    )
    started_at = RawText(
        label=gettext_lazy("Waktu mulai"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    duration = RawText(
        label=gettext_lazy("Durasi (menit atau menit:detik)"),
        max_length=8,
        help_text=gettext_lazy("Misalnya 5 atau 4:30. Terisi otomatis dari pengukur waktu bila dikosongkan."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "short call-duration"}),
    )
    outcome = RawChoice(
        ContactOutcome.choices, label=gettext_lazy("Hasil"), blank=None,
        widget=forms.RadioSelect(choices=ContactOutcome.choices),
    )
    note = _area(gettext_lazy("Catatan singkat"), rows=3)
    do_not_call_back = _check(
        gettext_lazy("Jangan telepon balik nomor ini"),
        gettext_lazy("Misalnya bila penelepon memintanya atau telepon diawasi pelaku."),
    )
    heard_from = RawChoice(HeardFrom.choices, label=gettext_lazy("Dari mana tahu layanan ini?"))
    kecamatan = RawChoice([], label=gettext_lazy("Kecamatan penelepon (bila disebut)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("channel", Channel.TELEPON)
        kwargs["initial"].setdefault("started_at", local_input_value(timezone.now()))
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].widget.choices = [("", "—"), *kecamatan_choices()]

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        result: dict[str, Any] = {
            "channel": data.get("channel") or None,
            "outcome": data.get("outcome") or None,
            "started_at": _blank_none(data.get("started_at")),
            "caller_phone": _blank_none(data.get("caller_phone")),
            "note": _blank_none(data.get("note")),
            "do_not_call_back": bool(data.get("do_not_call_back")),
            "heard_from": _blank_none(data.get("heard_from")),
            "kecamatan": data.get("kecamatan", ""),
        }
        seconds = parse_duration(data.get("duration", ""))
        if seconds == -1:
            self.add_error("duration", _("Tulis durasi sebagai menit (5) atau menit:detik (4:30)."))
        elif seconds is not None:
            result["duration_seconds"] = seconds
        return _present(result)

    def apply_errors(self, fields: Mapping[str, str]) -> None:
        for path, message in fields.items():
            field = {"duration_seconds": "duration"}.get(path, path)
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
            elif field not in self.fields:
                self.add_error(None, message)


class CallerCheckForm(forms.Form):
    caller_phone = RawText(max_length=32)


# --- report list, detail actions -----------------------------------------------------------


class LookupForm(forms.Form):
    """Find reports by a phone number or NIK (POST only: the value never enters a URL)."""

    KIND_CHOICES = [("phone", gettext_lazy("Nomor telepon")), ("nik", gettext_lazy("NIK"))]
    kind = forms.ChoiceField(label=gettext_lazy("Cari berdasarkan"), choices=KIND_CHOICES,
                             widget=forms.RadioSelect, error_messages={"required": REQUIRED})
    value = forms.CharField(label=gettext_lazy("Nomor"), max_length=32, error_messages={"required": REQUIRED},
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))


class RiskOverrideForm(forms.Form):
    risk = forms.ChoiceField(label=gettext_lazy("Risiko baru"), choices=Risk.choices,
                             error_messages={"required": REQUIRED})
    reason = forms.CharField(label=gettext_lazy("Alasan perubahan"), max_length=2000,
                             error_messages={"required": gettext_lazy("Alasan perubahan risiko wajib diisi.")},
                             widget=forms.Textarea(attrs={"rows": 2}))


class AuthorityForm(forms.Form):
    """Staff decide or change the kewenangan SIGAP suggested, always with a reason."""

    authority = forms.ChoiceField(
        label=gettext_lazy("Kewenangan"), widget=forms.RadioSelect, error_messages={"required": REQUIRED},
        choices=[(value, label) for value, label in Authority.choices if value != Authority.UNDECIDED],
    )
    transfer_to = forms.RegexField(
        label=gettext_lazy("Kode daerah tujuan pelimpahan"), regex=r"^[0-9]{2}(\.[0-9]{2})?$", max_length=5,
        required=False,
        help_text=gettext_lazy("Untuk kabupaten/kota lain: kodenya (misalnya 18.05); untuk provinsi: kode provinsi "
                               "(misalnya 18). Kosongkan untuk memakai saran SIGAP."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "short"}),
        error_messages={"invalid": gettext_lazy("Tulis kode seperti 18.05 (kabupaten/kota) atau 18 (provinsi).")},
    )
    reason = forms.CharField(label=gettext_lazy("Alasan"), max_length=2000, error_messages={"required": REQUIRED},
                             widget=forms.Textarea(attrs={"rows": 2}))


class LinkForm(forms.Form):
    other = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    reason = forms.CharField(label=gettext_lazy("Alasan menautkan"), max_length=2000,
                             error_messages={"required": gettext_lazy("Alasan menautkan wajib diisi.")},
                             widget=forms.Textarea(attrs={"rows": 2}))


class TrackForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Kode pelacakan"), max_length=40, error_messages={"required": REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false", "placeholder": "K7QM-3XPA-9T"}),
    )
    pin = forms.CharField(
        label=gettext_lazy("PIN (6 angka)"), max_length=12, error_messages={"required": REQUIRED},
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


# --- the first contact on a report before a case exists ----------------------------------------

FIRST_CONTACT_CHANNELS = (Channel.TELEPON, Channel.WHATSAPP, Channel.SMS, Channel.DATANG_LANGSUNG,
                          Channel.PENJANGKAUAN)
# Each means the reporter or victim was reached; a call nobody answered is not a first contact.
FIRST_CONTACT_OUTCOMES = (ContactOutcome.FOLLOW_UP, ContactOutcome.REFERRED, ContactOutcome.INFORMATION,
                          ContactOutcome.SILENT)
FIRST_CONTACT_NOTE_MAX = 1000


class AsciiDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` value; other scripts' digits (which ``strptime`` would accept) are refused."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        if isinstance(value, str) and not value.isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class FirstContactForm(forms.Form):
    """"Kontak pertama dilakukan": the reporter or victim was reached about a report that has no case yet.

    Recorded as an intake contact against the report (the record the alerts app reads
    to end the report's escalation chain).
    """

    started_at = AsciiDateTimeField(
        label=gettext_lazy("Waktu kontak"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": REQUIRED, "invalid": gettext_lazy("Tulis tanggal dan jam kontak.")},
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Saluran"), choices=[(c.value, c.label) for c in FIRST_CONTACT_CHANNELS],
        error_messages={"required": REQUIRED},
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Hasil"), choices=[(c.value, c.label) for c in FIRST_CONTACT_OUTCOMES],
        widget=forms.RadioSelect, error_messages={"required": REQUIRED},
        help_text=gettext_lazy("Belum tersambung (tidak diangkat, nomor tidak aktif)? Itu belum kontak pertama: "
                               "coba lagi, atau tekan \"Saya tangani\" di halaman peringatan."),
    )
    note = forms.CharField(
        label=gettext_lazy("Catatan singkat"), required=False, max_length=FIRST_CONTACT_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Disimpan terenkripsi. Tidak dikirim dalam notifikasi."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("started_at", local_input_value(timezone.now()))
        kwargs["initial"].setdefault("channel", Channel.TELEPON)
        kwargs.setdefault("prefix", "kp")
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    """A note the submitter adds to a filed report."""

    text = forms.CharField(label=gettext_lazy("Catatan tambahan"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Misalnya keterangan yang baru diketahui. Laporan yang sudah "
                                                  "dikirim tidak dapat diubah; catatan ini dibaca petugas."),
                           error_messages={"required": gettext_lazy("Tuliskan catatannya.")})
