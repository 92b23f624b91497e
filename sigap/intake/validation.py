"""What a report must hold, checked in one place for the API, the staff form and the public form.

Two layers:

1. ``ReportInput`` (pydantic): shapes, types, code lists and lengths. The API
   uses it as its request schema, so the OpenAPI document shows it.
2. ``check_report(data)``: the rules that need the calendar or the database
   (no future dates, age consistent with the date of birth, NIK plausibility,
   desa known, who the reporter is).

Both report problems as ``{"field.path": "Indonesian message"}``;
``parse_report(raw)`` runs both and raises ``ReportInvalid`` with that mapping.
Messages never repeat the submitted value.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from sigap.intake.ages import age_at, age_on, incident_reference, is_child_age
from sigap.intake.codes import (
    CHILD_ONLY_SEXUAL_FORMS,
    Accommodation,
    AmpkGroup,
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
    SafeChannel,
    Sex,
    SexualViolenceForm,
    ViolenceType,
)
from sigap.lib.pydantic_errors import fields_from_errors
from sigap.regions.models import Level, Region
from sigap.vault.blind import NotNormalisable, normalise_phone

MAX_AGE = 120
# Clocks of phones and partner systems drift; a report "from the future" by a few
# minutes is a clock, not a mistake.
CLOCK_SKEW = datetime.timedelta(minutes=10)
EARLIEST_YEAR = 1900
LATE_ENTRY_MAX_DAYS = 30


class ReportInvalid(Exception):
    """The input breaks a rule. ``fields`` maps field paths to Indonesian messages."""

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        super().__init__("report input is invalid")  # never the values
        self.fields = fields
        self.message = message or _("Data laporan belum benar. Periksa isian yang ditandai.")


def _clean_text(value: str) -> str:
    # Lone surrogates cannot be stored as UTF-8; NUL and other C0 controls have
    # no business in a name or a chronology (tab and newlines are kept).
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("text_invalid", "invalid characters") from None
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        raise PydanticCustomError("text_invalid", "invalid characters")
    return value


def _blank_to_none(value: str | None) -> str | None:
    return value if value else None


ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(_clean_text)
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=10000), AfterValidator(_clean_text)
]
PhoneText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), AfterValidator(_clean_text)]
NikText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), AfterValidator(_clean_text)]
DesaCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$")]
KecamatanCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^([0-9]{2}\.[0-9]{2}\.[0-9]{2})?$")]
SourceTag = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64, pattern=r"^[A-Za-z0-9._-]*$")]


class _Input(BaseModel):
    # Unknown fields are ignored so partners on a newer contract keep working.
    model_config = ConfigDict(extra="ignore")


class ReporterInput(_Input):
    declined_identity: bool = False
    declined_reason: LongText | None = None
    name: ShortText | None = None
    phone: PhoneText | None = None
    nik: NikText | None = None
    address: LongText | None = None
    relation: ReporterRelation | None = None


class VictimInput(_Input):
    name: ShortText | None = None
    birth_date: datetime.date | None = None
    age: int | None = Field(default=None, ge=0, le=MAX_AGE)
    sex: Sex
    nik: NikText | None = None
    address: LongText | None = None
    # The desa, or ``desa_unknown`` when the person does not know it (see check_report).
    desa: DesaCode | None = None
    desa_unknown: bool = False
    desa_unknown_reason: LongText | None = None
    education: Education | None = None
    occupation: Occupation | None = None
    disability: bool = False
    # UU 8/2016 Pasal 4; any type makes ``disability`` true. Accommodations: UU TPKS Pasal 66.
    disability_types: list[DisabilityType] = Field(default_factory=list, max_length=len(DisabilityType.values))
    accommodations: list[Accommodation] = Field(default_factory=list, max_length=len(Accommodation.values))
    # A child victim's groups (UU 35/2014 Pasal 59 ayat 2); None: SIGAP suggests them (sigap.intake.ampk).
    ampk_groups: list[AmpkGroup] | None = Field(default=None, max_length=len(AmpkGroup.values))
    marital_status: MaritalStatus | None = None

    @property
    def has_disability(self) -> bool:
        return self.disability or bool(self.disability_types)


class PerpetratorInput(_Input):
    name: ShortText | None = None
    relation: PerpetratorRelation = PerpetratorRelation.TIDAK_DIKETAHUI
    sex: Sex | None = None
    lives_with_victim: bool = False
    holds_office: bool = False
    is_child: bool | None = None
    # Optional (SIMFONI-PPA's perpetrator sheet): date of birth or age, education, occupation.
    birth_date: datetime.date | None = None
    age: int | None = Field(default=None, ge=0, le=MAX_AGE)
    education: Education | None = None
    occupation: Occupation | None = None


class EventInput(_Input):
    when: datetime.datetime | None = Field(
        default=None,
        description="When it happened (a time without offset is Asia/Jakarta). Required unless "
        "`date_known` is false; then leave it out or null.",
    )
    date_known: bool = Field(
        default=True,
        description="false: nobody knows the date (\"tanggal tidak diketahui\"); `when` must then be empty. "
        "Nothing is made up: the victims' ages and child status then count from the report's date and "
        "the report is flagged \"tanggal kejadian belum diketahui\".",
    )
    # False: only the date is known; ``when`` then holds midnight, never shown as a time.
    time_known: bool = True
    approximate: bool = False
    # "bulan"/"tahun": only the month/year of ``when`` is known; ages count from its earliest day.
    precision: DatePrecision = DatePrecision.HARI
    # Not given: stored as unknown ("belum dicatat"), never as "lainnya".
    place: Place | None = None
    # The desa, or ``desa_unknown`` when the person does not know it (see check_report).
    desa: DesaCode | None = None
    desa_unknown: bool = False
    desa_unknown_reason: LongText | None = None
    description: LongText


class SafeContactInput(_Input):
    never_call_back: bool = False
    safe_times: ShortText | None = None
    safe_channel: SafeChannel | None = None


class ConsentInput(_Input):
    """Each consent is an explicit act: what is not given is not given.

    UU 27/2022 (PDP) Pasal 20 ayat (2) huruf a: consent must be explicit; Pasal 22
    ayat (4): consent to another purpose (public statistics) is asked apart. So a
    missing ``statistics`` is false and never follows ``process``.
    """

    process: bool = Field(description="Consent to record and handle the report (required).")
    refer: bool = Field(default=False, description="Consent to refer to partner agencies; missing means not given.")
    police: bool = Field(default=False, description="Consent to report to the police; missing means not given.")
    statistics: bool = Field(
        default=False,
        description="Consent to count the report, anonymised, in public statistics. Missing means NOT given "
        "(false): it never follows `process`, because consent under UU PDP is an explicit act.",
    )


class ReportInput(_Input):
    """One report as the API (docs/API.md), the staff form and the public form submit it."""

    channel: Channel
    reporter: ReporterInput
    victims: list[VictimInput] = Field(min_length=1, max_length=20)
    perpetrators: list[PerpetratorInput] = Field(default_factory=list, max_length=20)
    chronology: list[EventInput] = Field(min_length=1, max_length=50)
    violence_types: list[ViolenceType] = Field(min_length=1, max_length=10)
    sexual_violence_forms: list[SexualViolenceForm] = Field(default_factory=list, max_length=20)
    immediate_danger: bool = False
    injury_needs_care: bool = False
    threat_to_life: bool = False
    self_harm_risk: bool = False
    repeated_violence: bool = False
    victim_condition: LongText | None = None
    needs: LongText | None = None
    safe_contact: SafeContactInput = Field(default_factory=SafeContactInput)
    consent: ConsentInput
    source: SourceTag = ""
    heard_from: HeardFrom | None = None
    # A paper form or a volunteer's written note typed in later: when the unit actually
    # received it (staff only; not in the future, not before the incident, at most
    # LATE_ENTRY_MAX_DAYS back) and why it is entered late.
    received_at: datetime.datetime | None = None
    late_entry_reason: LongText | None = None


class ContactInput(_Input):
    """One contact (call, chat, visit, ...) as the staff screen records it."""

    channel: Channel
    outcome: ContactOutcome
    started_at: datetime.datetime | None = None
    duration_seconds: int | None = Field(default=None, ge=0, le=24 * 3600)
    caller_phone: PhoneText | None = None
    note: LongText | None = None
    do_not_call_back: bool = False
    heard_from: HeardFrom | None = None
    kecamatan: KecamatanCode = ""


# --- rules beyond shapes ---------------------------------------------------


def local_now() -> datetime.datetime:
    return timezone.localtime(timezone.now())


def as_aware(value: datetime.datetime) -> datetime.datetime:
    """A time without offset is Asia/Jakarta (the API contract)."""
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def nik_problem(value: str) -> str | None:
    """Why a NIK cannot be right, or None. Checks form, region code and the birth date part."""
    digits = re.sub(r"[\s.-]", "", value)
    if not re.fullmatch(r"[0-9]{16}", digits):
        return _("NIK harus 16 angka.")
    province = int(digits[0:2])
    day, month = int(digits[6:8]), int(digits[8:10])
    if province < 11 or province > 96 or digits[2:4] == "00" or digits[4:6] == "00":
        return _("NIK tidak sah: kode wilayah pada 6 angka pertama tidak dikenal.")
    if day > 40:  # women: day of birth + 40
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return _("NIK tidak sah: bagian tanggal lahir (angka ke-7 sampai ke-12) tidak mungkin.")
    if digits[12:] == "0000":
        return _("NIK tidak sah: nomor urut tidak boleh 0000.")
    return None


def canonical_nik(value: str) -> str:
    return re.sub(r"[\s.-]", "", value)


def check_report(
    data: ReportInput, *, now: datetime.datetime | None = None, unknown_needs_reason: bool = True
) -> dict[str, str]:
    """Rules that need the calendar or the database. Returns field path -> message.

    A desa (the victim's or the incident's) may be marked unknown: by the public
    and village volunteers as it is, by staff and partner systems
    (``unknown_needs_reason``) only with a reason.
    """
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    errors: dict[str, str] = {}

    reporter = data.reporter
    if not reporter.declined_identity:
        if not reporter.name:
            errors["reporter.name"] = _(
                "Isi nama pelapor, atau tandai bahwa pelapor tidak bersedia memberi identitas."
            )
        if not reporter.phone and not reporter.address:
            errors["reporter.phone"] = _("Isi nomor telepon atau alamat pelapor.")
        if reporter.phone:
            try:
                normalise_phone(reporter.phone)
            except NotNormalisable:
                errors["reporter.phone"] = _("Nomor telepon tidak sah.")
        if reporter.nik:
            problem = nik_problem(reporter.nik)
            if problem:
                errors["reporter.nik"] = problem

    for i, victim in enumerate(data.victims):
        path = f"victims.{i}"
        if victim.birth_date is None and victim.age is None:
            errors[f"{path}.birth_date"] = _("Isi tanggal lahir atau perkiraan usia korban.")
        if victim.birth_date is not None:
            if victim.birth_date > today:
                errors[f"{path}.birth_date"] = _("Tanggal lahir tidak boleh di masa depan.")
            elif victim.birth_date.year < EARLIEST_YEAR or age_on(victim.birth_date, today) > MAX_AGE:
                errors[f"{path}.birth_date"] = _("Tanggal lahir terlalu jauh di masa lalu.")
            elif victim.age is not None and abs(age_on(victim.birth_date, today) - victim.age) > 1:
                errors[f"{path}.age"] = _(
                    "Usia tidak sesuai dengan tanggal lahir (menurut tanggal lahir: %(age)s tahun)."
                ) % {"age": age_on(victim.birth_date, today)}
        if victim.nik:
            problem = nik_problem(victim.nik)
            if problem:
                errors[f"{path}.nik"] = problem

    _check_people(data, today, errors)

    for i, event in enumerate(data.chronology):
        path = f"chronology.{i}"
        if not event.date_known:
            if event.when is not None:
                errors[f"{path}.when"] = _(
                    "Isi tanggalnya, atau centang \"tanggal tidak diketahui\" dengan tanggal dikosongkan; "
                    "tidak keduanya."
                )
        elif event.when is None:
            errors[f"{path}.when"] = _("Isi tanggal kejadian, atau centang \"tanggal tidak diketahui\".")
        # Compare the wall-clock year first: far-away years overflow when converted.
        elif event.when.year < EARLIEST_YEAR:
            errors[f"{path}.when"] = _("Waktu kejadian terlalu jauh di masa lalu.")
        elif event.when.year > today.year + 1 or as_aware(event.when) > now + CLOCK_SKEW:
            errors[f"{path}.when"] = _("Waktu kejadian tidak boleh di masa depan.")
        if not event.description:
            errors[f"{path}.description"] = _("Uraikan apa yang terjadi.")

    if len(set(data.violence_types)) != len(data.violence_types):
        errors["violence_types"] = _("Jenis kekerasan tidak boleh berulang.")
    if data.sexual_violence_forms and ViolenceType.SEKSUAL not in data.violence_types:
        errors["sexual_violence_forms"] = _(
            "Bentuk kekerasan seksual hanya diisi bila jenis kekerasan mencakup 'seksual'."
        )
    if len(set(data.sexual_violence_forms)) != len(data.sexual_violence_forms):
        errors["sexual_violence_forms"] = _("Bentuk kekerasan seksual tidak boleh berulang.")

    errors.update(late_entry_problems(data, now))

    desa_paths: dict[str, list[str]] = {}
    places: list[tuple[str, VictimInput | EventInput]] = [(f"victims.{i}", v) for i, v in enumerate(data.victims)]
    places += [(f"chronology.{i}", e) for i, e in enumerate(data.chronology)]
    for path, item in places:
        if item.desa:
            desa_paths.setdefault(item.desa, []).append(f"{path}.desa")
        elif not item.desa_unknown:
            errors[f"{path}.desa"] = _("Wajib diisi. Pilih \"tidak tahu\" bila memang tidak diketahui.")
        elif unknown_needs_reason and not item.desa_unknown_reason:
            errors[f"{path}.desa_unknown_reason"] = _("Tulis mengapa desa tidak diketahui.")
    known = set(Region.objects.filter(code__in=list(desa_paths), level=Level.DESA).values_list("code", flat=True))
    for code, paths in desa_paths.items():
        if code not in known:
            for path in paths:
                errors.setdefault(path, _("Kode desa tidak dikenal."))
    return errors


def incident_day(data: ReportInput, today: datetime.date) -> datetime.date:
    """The reference day for ages (``sigap.intake.ages``), from the events with a plausible date."""
    events = [(event.when, event.precision) for event in data.chronology
              if event.when is not None and EARLIEST_YEAR <= event.when.year <= today.year + 1]
    return incident_reference([(as_aware(when), precision) for when, precision in events], today)[0]


def _birth_problem(birth: datetime.date, age: int | None, today: datetime.date) -> tuple[str, str] | None:
    """(field, message) when a date of birth is impossible or disagrees with the stated age."""
    if birth > today:
        return "birth_date", _("Tanggal lahir tidak boleh di masa depan.")
    if birth.year < EARLIEST_YEAR or age_on(birth, today) > MAX_AGE:
        return "birth_date", _("Tanggal lahir terlalu jauh di masa lalu.")
    if age is not None and abs(age_on(birth, today) - age) > 1:
        return "age", _("Usia tidak sesuai dengan tanggal lahir (menurut tanggal lahir: %(age)s tahun).") % {
            "age": age_on(birth, today)
        }
    return None


def _check_people(data: ReportInput, today: datetime.date, errors: dict[str, str]) -> None:
    """Disability, accommodations, AMPK groups, child-only forms and the perpetrators' ages."""
    reference = incident_day(data, today)
    any_child = False
    for i, victim in enumerate(data.victims):
        path = f"victims.{i}"
        child = is_child_age(age_at(victim.birth_date, victim.age, today, reference))
        any_child = any_child or child
        if len(set(victim.disability_types)) != len(victim.disability_types):
            errors[f"{path}.disability_types"] = _("Ragam disabilitas tidak boleh berulang.")
        if len(set(victim.accommodations)) != len(victim.accommodations):
            errors[f"{path}.accommodations"] = _("Akomodasi tidak boleh berulang.")
        elif victim.accommodations and not victim.has_disability:
            errors[f"{path}.accommodations"] = _("Akomodasi diisi bila korban penyandang disabilitas.")
        groups = victim.ampk_groups or []
        if len(set(groups)) != len(groups):
            errors[f"{path}.ampk_groups"] = _("Kelompok AMPK tidak boleh berulang.")
        elif groups and not child:
            errors[f"{path}.ampk_groups"] = _(
                "Kelompok AMPK hanya untuk korban anak (di bawah 18 tahun saat kejadian)."
            )
    if not any_child and CHILD_ONLY_SEXUAL_FORMS.intersection(data.sexual_violence_forms):
        errors.setdefault("sexual_violence_forms", _(
            "Persetubuhan, perbuatan cabul, atau eksploitasi seksual terhadap anak hanya dipilih bila ada "
            "korban anak (di bawah 18 tahun saat kejadian)."
        ))
    for i, perpetrator in enumerate(data.perpetrators):
        path = f"perpetrators.{i}"
        if perpetrator.birth_date is not None:
            problem = _birth_problem(perpetrator.birth_date, perpetrator.age, today)
            if problem:
                errors[f"{path}.{problem[0]}"] = problem[1]
                continue
        age = age_at(perpetrator.birth_date, perpetrator.age, today, reference)
        if age is not None and perpetrator.is_child is not None and perpetrator.is_child != (age < 18):
            errors[f"{path}.is_child"] = _(
                "Tidak sesuai dengan usia terlapor saat kejadian (%(age)s tahun)."
            ) % {"age": age}


def late_entry_problems(data: ReportInput, now: datetime.datetime) -> dict[str, str]:
    """The bounds of a received time given by staff for a paper form entered late."""
    errors: dict[str, str] = {}
    if data.received_at is None:
        if data.late_entry_reason:
            errors["received_at"] = _("Isi waktu formulir diterima, atau kosongkan alasannya.")
        return errors
    if data.received_at.year < EARLIEST_YEAR or data.received_at.year > now.year + 1:
        errors["received_at"] = _("Waktu diterima tidak masuk akal.")
        return errors
    received = as_aware(data.received_at)
    if received > now + CLOCK_SKEW:
        errors["received_at"] = _("Waktu diterima tidak boleh di masa depan.")
    elif received < now - datetime.timedelta(days=LATE_ENTRY_MAX_DAYS):
        errors["received_at"] = _("Waktu diterima paling lama %(days)d hari yang lalu.") % {
            "days": LATE_ENTRY_MAX_DAYS
        }
    else:
        incidents = [
            as_aware(e.when) for e in data.chronology
            if e.when is not None and EARLIEST_YEAR <= e.when.year <= now.year + 1
        ]
        if incidents and received < min(incidents):
            errors["received_at"] = _("Waktu diterima tidak boleh sebelum waktu kejadian.")
    if not data.late_entry_reason:
        errors["late_entry_reason"] = _("Tuliskan mengapa laporan ini dicatat terlambat (misalnya formulir kertas).")
    return errors


def parse_report(raw: Any, *, now: datetime.datetime | None = None, unknown_needs_reason: bool = True) -> ReportInput:
    """Validate untrusted input (a dict from JSON or a form) fully, or raise ``ReportInvalid``."""
    try:
        data = ReportInput.model_validate(raw)
    except PydanticValidationError as error:
        raise ReportInvalid(fields_from_errors(error.errors())) from None
    errors = check_report(data, now=now, unknown_needs_reason=unknown_needs_reason)
    if errors:
        raise ReportInvalid(errors)
    return data


def in_deployment(code: str) -> bool:
    return code.startswith(settings.SIGAP_REGION + ".")
