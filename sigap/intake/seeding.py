"""Synthetic, realistic data at national scale, for benchmarks and demos.

``python manage.py seed --cases N`` writes N reports (with reporter identity,
victims, perpetrators, chronology, violence types, tracking codes, contacts and
audit entries) through the real models and the real encryption, in batches.
Apps add their own part through ``SEEDERS`` (e.g. cases, services and referrals
for the seeded reports).

Proportions follow SIMFONI-PPA 2024: sexual violence in about 45% of cases,
physical about 36%, psychological about 31%, several types per case; most
victims are girls and women; WhatsApp is the most used channel. Every name,
number and NIK is invented from syllables and random digits.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from sigap.intake import ages, tracking
from sigap.intake.ampk import suggest_ampk_groups
from sigap.intake.codes import (
    CaseType,
    Channel,
    ContactOutcome,
    Education,
    Occupation,
    PerpetratorRelation,
    Place,
    ReporterRelation,
    ReportStatus,
    Risk,
)
from sigap.intake.models import (
    ChronologyEvent,
    Contact,
    Perpetrator,
    RegistrationCounter,
    Report,
    ReporterIdentity,
    ReportSexualForm,
    ReportViolence,
    TrackingCode,
    Victim,
    VictimAmpkGroup,
)
from sigap.lib import training
from sigap.regions.models import Region
from sigap.vault.audit import entry_hash
from sigap.vault.blind import blind_index, name_index
from sigap.vault.fields import EncryptedFieldMixin
from sigap.vault.keyring import keyring
from sigap.vault.models import AuditEntry, AuditHead

M = TypeVar("M")

VIOLENCE_SHARES = {
    "seksual": 0.45, "fisik": 0.36, "psikis": 0.31, "penelantaran": 0.08,
    "eksploitasi": 0.03, "trafficking": 0.02, "lainnya": 0.06,
}
SEXUAL_FORMS = ["pelecehan_fisik", "pelecehan_nonfisik", "pemaksaan_perkawinan", "eksploitasi_seksual", "kbgo",
                "penyiksaan_seksual"]
CHANNEL_WEIGHTS = {
    Channel.WHATSAPP: 55, Channel.TELEPON: 14, Channel.DATANG_LANGSUNG: 10, Channel.RELAWAN: 8, Channel.WEB: 6,
    Channel.SMS: 3, Channel.RUJUKAN: 2, Channel.PENJANGKAUAN: 1, Channel.PELIMPAHAN: 1,
}
EDUCATION = list(Education.values)
OCCUPATION = list(Occupation.values)
PLACES = list(Place.values)
RELATIONS = list(ReporterRelation.values)
PERPETRATOR_RELATIONS = list(PerpetratorRelation.values)
SYLLABLES = ["ra", "ni", "sa", "ti", "wa", "di", "ma", "ya", "lu", "ke", "pu", "tri", "an", "dewi", "sri", "bu",
             "har", "to", "mi", "na", "ju", "ok", "se", "la", "yu", "rah", "mat", "gus", "in", "dah"]


def invented_name(rng: random.Random) -> str:
    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return f"{word()} {word()}"


def invented_phone(rng: random.Random) -> str:
    return f"+62899{rng.randint(10_000_000, 99_999_999)}"


def invented_nik(rng: random.Random, kecamatan: str, birth: datetime.date, female: bool) -> str:
    day = birth.day + (40 if female else 0)
    return f"{kecamatan.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"


@dataclass
class SeedContext:
    rng: random.Random
    desa: list[tuple[str, str]]  # (desa code, kecamatan code)
    staff: list[Any]
    start: datetime.datetime
    end: datetime.datetime
    counters: dict[int, int] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    ids: IdAllocator = field(default_factory=lambda: IdAllocator())


Seeder = Callable[[SeedContext, list[Report]], None]
# Other apps append their seeders (called with each batch of new reports).
SEEDERS: list[Seeder] = []
# Called after every seeder has run on a batch (statistics count the finished batch).
AFTER_BATCH: list[Seeder] = []
# Called once when ``manage.py seed`` has written every batch (counts kept over all the data).
AFTER_SEED: list[Callable[[], Any]] = []


class IdAllocator:
    """Hands out primary keys so batches can be inserted without reading ids back."""

    def __init__(self) -> None:
        self.next: dict[type, int] = {}

    def assign(self, objects: list[Any]) -> None:
        if not objects:
            return
        model = type(objects[0])
        if model not in self.next:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
            self.next[model] = (last or 0) + 1
        for obj in objects:
            obj.pk = self.next[model]
            self.next[model] += 1


class _Recipe:
    """What a model's ``__init__`` would set, worked out once per model."""

    def __init__(self, model: type) -> None:
        fields = model._meta.concrete_fields  # type: ignore[attr-defined]
        self.defaults: dict[str, Any] = {}
        self.callables: list[tuple[str, Callable[[], Any]]] = []
        for f in fields:
            if f.has_default() and callable(f.default):
                self.callables.append((f.attname, f.default))
            elif f.has_default():
                self.defaults[f.attname] = f.default
            else:  # Field._get_default without a default
                self.defaults[f.attname] = None if f.null or not f.empty_strings_allowed else ""
        self.relations = {f.name: f.attname for f in fields if f.is_relation}
        self.attnames = {f.attname for f in fields}


_RECIPES: dict[type, _Recipe] = {}


def new(model: type[M], **values: Any) -> M:
    """A model instance for ``fast_insert``, made without ``Model.__init__``'s per-field work.

    Same attribute values as ``model(**values)``: defaults (called when callable),
    related objects by name (their primary key stored, the object cached as the
    ORM caches it) or their id by attname. Unknown names raise like the model's.
    """
    recipe = _RECIPES.get(model) or _RECIPES.setdefault(model, _Recipe(model))
    obj = model.__new__(model)
    state = ModelState()
    state.adding = True
    state.db = None
    data = obj.__dict__
    data["_state"] = state
    data.update(recipe.defaults)
    for name, default in recipe.callables:
        if name not in values:
            data[name] = default()
    for name, value in values.items():
        attname = recipe.relations.get(name)
        if attname is not None and attname != name:
            data[attname] = None if value is None else value.pk
            if value is not None:
                state.fields_cache[name] = value
        elif name in recipe.attnames:
            data[name] = value
        else:
            raise TypeError(f"{model.__name__}() got an unexpected keyword argument {name!r}")
    return obj


def _as(kind: type) -> Callable[[Any], Any]:
    # Choices enums (TextChoices, IntegerChoices) become their plain value, as Django's
    # own get_prep_value does; plain values pass untouched.
    return lambda value: value if type(value) is kind else kind(value)


def _converter(field: Any, conn: Any) -> Callable[[Any], Any] | None:
    """How one field's attribute value becomes a query parameter (None: unchanged).

    What ``get_db_prep_save`` does for these field classes, minus the per-call
    dispatch; sealed fields, JSON and any other class go through the field itself.
    """
    if isinstance(field, EncryptedFieldMixin) or type(field) not in _SIMPLE:
        if isinstance(field, models.ForeignKey) and type(field.target_field) in _SIMPLE:
            return _converter(field.target_field, conn)
        return lambda value: field.get_db_prep_save(value, conn)
    kind = _SIMPLE[type(field)]
    if kind is datetime.datetime:
        if conn.vendor == "sqlite" and conn.timezone_name == "UTC":
            return _sqlite_utc
        return conn.ops.adapt_datetimefield_value
    if kind is datetime.date:
        return conn.ops.adapt_datefield_value
    return _as(kind) if kind is not None else None


def _sqlite_utc(value: datetime.datetime) -> str:
    # What the SQLite backend's adapt_datetimefield_value gives when the connection's zone is UTC.
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return str(value)


# Field classes converted without the field, and the Python type their column takes.
_SIMPLE: dict[type, Any] = {
    models.AutoField: None, models.BigAutoField: None, models.SmallAutoField: None,
    models.CharField: str, models.TextField: str,
    models.IntegerField: int, models.PositiveIntegerField: int, models.PositiveSmallIntegerField: int,
    models.SmallIntegerField: int, models.BigIntegerField: int, models.BooleanField: bool,
    models.DateTimeField: datetime.datetime, models.DateField: datetime.date,
}


Row = Callable[[dict[str, Any]], tuple[Any, ...]]
_INSERTS: dict[tuple[type, str], tuple[str, Row]] = {}


def _insert_plan(model: type, conn: Any) -> tuple[str, Row]:
    """The INSERT statement of a model and a function turning an instance's ``__dict__`` into its row.

    The row function is generated once per model (one tuple expression, no loop
    per value): at a million cases this is most of the seed's Python time.
    """
    key = (model, conn.alias)
    if key not in _INSERTS:
        fields = list(model._meta.local_concrete_fields)  # type: ignore[attr-defined]
        quote = conn.ops.quote_name
        # Table and column names come from the model's own metadata, quoted; values are parameters.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(model._meta.db_table),  # type: ignore[attr-defined]
            ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields)),
        )
        converters = [_converter(f, conn) for f in fields]
        parts = []
        for index, (f, convert) in enumerate(zip(fields, converters, strict=True)):
            value = f"d[{f.attname!r}]"
            parts.append(value if convert is None else f"(None if {value} is None else c{index}({value}))")
        scope = {f"c{i}": c for i, c in enumerate(converters) if c is not None}
        # Generated from attribute names of the model's own fields (repr-quoted), never from data.
        row = eval(f"lambda d: ({', '.join(parts)},)", scope)  # noqa: S307
        _INSERTS[key] = (sql, row)
    return _INSERTS[key]


def fast_insert(objects: list[Any]) -> None:
    """INSERT many model instances with executemany.

    Integer primary keys must be set (``IdAllocator``): they are written as given.
    Sealed fields are encrypted by the field itself, exactly as in production;
    plain columns skip the ORM's per-value dispatch and per-row SQL assembly,
    which dominate bulk_create's cost at this scale.
    """
    if not objects:
        return
    conn = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the thread-local proxy
    sql, row = _insert_plan(type(objects[0]), conn)
    rows = [row(obj.__dict__) for obj in objects]
    with conn.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def reset_sequences(models_: list[type]) -> None:
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(statement)


def violence_types(rng: random.Random) -> list[str]:
    """At least one type per case, each type's share of cases as in VIOLENCE_SHARES.

    A primary type is drawn in proportion to the shares; every other type is
    added with the probability that brings its overall share to its target:
    share = w + (1 - w) * q, where w is its chance of being primary.
    """
    total = sum(VIOLENCE_SHARES.values())
    primary = rng.choices(list(VIOLENCE_SHARES), weights=list(VIOLENCE_SHARES.values()))[0]
    types = [primary]
    for kind, share in VIOLENCE_SHARES.items():
        w = share / total
        if kind != primary and rng.random() < (share - w) / (1 - w):
            types.append(kind)
    return types


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _victim_age(rng: random.Random) -> int:
    # About 60% of victims are children.
    if rng.random() < 0.6:
        return rng.choice([rng.randint(0, 5), rng.randint(6, 12), rng.randint(13, 17), rng.randint(13, 17)])
    return rng.choice([rng.randint(18, 24), rng.randint(25, 44), rng.randint(25, 44), rng.randint(45, 59),
                       rng.randint(60, 80)])


def _audit(ctx: SeedContext, action: str, obj: Any, at: datetime.datetime, actor: Any) -> None:
    ctx.audit.append(new(AuditEntry, at=at, actor_id=actor.pk if actor else None, action=action,
                                object_type=obj._meta.label_lower, object_id=str(obj.pk)))


def _flush_audit(ctx: SeedContext) -> None:
    """Chain the batch's entries onto the head and insert them in one go."""
    if not ctx.audit:
        return
    key = keyring().key("audit")
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    seq, prev = head.seq, head.hash
    for entry in ctx.audit:
        seq += 1
        entry.seq = seq
        entry.prev_hash = prev
        entry.hash = entry_hash(prev, entry, key)
        prev = entry.hash
    ctx.ids.assign(ctx.audit)
    fast_insert(ctx.audit)
    reset_sequences([AuditEntry])
    AuditHead.objects.filter(id=1).update(seq=seq, hash=prev)
    ctx.audit = []


def _next_sequence(ctx: SeedContext, region_code: str, year: int) -> int:
    if year not in ctx.counters:
        counter, _ = RegistrationCounter.objects.get_or_create(region_code=region_code, year=year)
        ctx.counters[year] = counter.last_value
    ctx.counters[year] += 1
    return ctx.counters[year]


def seed_batch(ctx: SeedContext, count: int) -> list[Report]:
    rng = ctx.rng
    region_code = settings.SIGAP_REGION.replace(".", "")
    span = (ctx.end - ctx.start).total_seconds()
    times = sorted(ctx.start + datetime.timedelta(seconds=rng.random() * span) for _ in range(count))
    now = timezone.now()

    identities: list[ReporterIdentity | None] = []
    reports: list[Report] = []
    for received in times:
        desa, kecamatan = rng.choice(ctx.desa)
        declined = rng.random() < 0.12
        identity = None
        if not declined:
            phone = invented_phone(rng)
            identity = new(ReporterIdentity,
                name=invented_name(rng), phone=phone, phone_index=blind_index("phone", phone),
                address=f"Dusun {rng.randint(1, 9)}, RT {rng.randint(1, 20):02d}", created_at=received,
            )
        identities.append(identity)
        local = timezone.localtime(received)
        sequence = _next_sequence(ctx, region_code, local.year)
        risk = _weighted(rng, {Risk.TINGGI: 20, Risk.SEDANG: 40, Risk.RENDAH: 40})
        age_days = (now - received).days
        status = (ReportStatus.SELESAI if age_days > 120 or rng.random() < 0.3
                  else ReportStatus.DITANGANI if rng.random() < 0.7 else ReportStatus.DITERIMA)
        reports.append(new(Report,
            registration_number=f"{training.number_prefix()}{region_code}-{local.year}-{sequence:06d}", region_code=region_code,
            year=local.year, sequence=sequence, status=status, channel=_weighted(rng, CHANNEL_WEIGHTS),
            source=rng.choice(["", "", "", "pamflet-desa"]), received_at=received, created_at=received,
            reporter_relation=rng.choice(RELATIONS), reporter_declined_identity=declined,
            needs_follow_up=declined, desa_id=desa, kecamatan_code=kecamatan, risk=risk, risk_computed=risk,
            risk_reasons=["immediate_danger"] if risk == Risk.TINGGI else [], case_type=CaseType.KTP,
            response_due_at=received + datetime.timedelta(hours=1 if risk == Risk.TINGGI else 6),
            immediate_danger=risk == Risk.TINGGI, repeated_violence=rng.random() < 0.3,
            victim_condition="Korban tampak takut dan cemas.", needs="Pendampingan psikologis dan hukum.",
            safe_times="Siang hari", never_call_back=rng.random() < 0.05, consent_process=True,
            consent_refer=rng.random() < 0.8, consent_police=rng.random() < 0.5,
            consent_statistics=rng.random() < 0.95,
        ))

    with transaction.atomic():
        fast_insert([i for i in identities if i is not None])
        for report, identity in zip(reports, identities, strict=True):
            report.reporter = identity
        ctx.ids.assign(reports)
        victims: list[Victim] = []
        perpetrators: list[Perpetrator] = []
        events: list[ChronologyEvent] = []
        violence: list[ReportViolence] = []
        forms: list[ReportSexualForm] = []
        codes: list[TrackingCode] = []
        contacts: list[Contact] = []
        ampk: list[tuple[Victim, list[str]]] = []  # groups stored once the victims have their ids
        for report in reports:
            desa, kecamatan = str(report.desa_id), report.kecamatan_code
            report_victims: list[Victim] = []
            for position in range(1 if rng.random() < 0.9 else 2):
                age = _victim_age(rng)
                female = rng.random() < 0.8
                birth = (report.received_at - datetime.timedelta(days=age * 365 + rng.randint(0, 364))).date()
                name = invented_name(rng)
                nik = invented_nik(rng, kecamatan, birth, female) if age >= 17 and rng.random() < 0.5 else None
                victims.append(new(Victim,
                    report=report, position=position, name=name, name_index=name_index(name), birth_date=birth,
                    sex="P" if female else "L", nik=nik,
                    nik_index=blind_index("nik", nik) if nik else "", address="Dusun contoh",
                    desa_id=desa, kecamatan_code=kecamatan,
                    education=rng.choice(EDUCATION), occupation=rng.choice(OCCUPATION),
                    disability=rng.random() < 0.04,
                ))
                report_victims.append(victims[-1])
            if rng.random() < 0.85:
                perpetrators.append(new(Perpetrator,
                    report=report, relation=rng.choice(PERPETRATOR_RELATIONS), sex="L" if rng.random() < 0.9
                    else "P", lives_with_victim=rng.random() < 0.35, holds_office=rng.random() < 0.03,
                    is_child=rng.random() < 0.1,
                ))
            for position in range(rng.randint(1, 3)):
                events.append(new(ChronologyEvent,
                    report=report, position=position,
                    when=report.received_at - datetime.timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 23)),
                    approximate=rng.random() < 0.4, place=rng.choice(PLACES), desa_id=desa,
                    description="Korban mengalami kekerasan; uraian kejadian dicatat oleh petugas.",
                    recorded_at=report.received_at,
                ))
            # Ages at the incident (sigap.intake.ages), from the earliest event just made.
            report_day = ages.local_day(report.received_at)
            reference = min(ages.local_day(e.when) for e in events[-position - 1:] if e.when is not None)
            for victim in report_victims:
                for name, value in ages.at_incident(
                    birth_date=victim.birth_date, stated_age=None, sex=victim.sex, report_day=report_day,
                    reference_date=reference, date_unknown=False,
                ).fields().items():
                    setattr(victim, name, value)
            report.case_type = ages.report_case_type(v.case_type for v in report_victims)
            types = violence_types(rng)
            violence.extend(new(ReportViolence, report=report, violence_type=t) for t in types)
            report_forms: list[str] = []
            if "seksual" in types:
                report_forms = rng.sample(SEXUAL_FORMS, rng.randint(1, 2))
                forms.extend(new(ReportSexualForm, report=report, form=f) for f in report_forms)
            # As filing does when nobody chose: SIGAP's suggestion for each child victim (no randomness).
            ampk.extend((victim, suggest_ampk_groups(types, report_forms, disability=victim.disability))
                        for victim in report_victims if victim.case_type == CaseType.AMPK)
            code = tracking.normalise_code(tracking.new_code())
            assert code is not None
            codes.append(new(TrackingCode, report=report, code_digest=tracking.code_digest(code),
                                      pin_digest=tracking.pin_digest(code, "000000"), created_at=report.received_at))
            phone = report.reporter.phone if report.reporter else invented_phone(rng)
            for n in range(rng.randint(1, 3)):
                contacts.append(new(Contact,
                    channel=report.channel if report.channel in (Channel.WHATSAPP, Channel.TELEPON, Channel.SMS)
                    else Channel.TELEPON,
                    started_at=report.received_at + datetime.timedelta(days=n * rng.randint(0, 10)),
                    duration_seconds=rng.randint(30, 1800), operator=rng.choice(ctx.staff), caller_phone=phone,
                    caller_phone_index=blind_index("phone", phone),
                    outcome=ContactOutcome.NEW_REPORT if n == 0 else ContactOutcome.FOLLOW_UP,
                    note="Catatan singkat panggilan.", report=report, created_at=report.received_at,
                ))
            if rng.random() < 0.3:  # calls that did not become a report
                other = invented_phone(rng)
                contacts.append(new(Contact,
                    channel=Channel.TELEPON, started_at=report.received_at, duration_seconds=rng.randint(5, 600),
                    operator=rng.choice(ctx.staff), caller_phone=other, caller_phone_index=blind_index("phone", other),
                    outcome=rng.choice([ContactOutcome.INFORMATION, ContactOutcome.SILENT, ContactOutcome.REFERRED]),
                    created_at=report.received_at,
                ))
            actor = rng.choice(ctx.staff)
            _audit(ctx, "intake.report_created", report, report.received_at, actor)
            _audit(ctx, "intake.report_opened", report, report.received_at + datetime.timedelta(minutes=5), actor)
        fast_insert(reports)
        children: list[list[Any]] = [victims, perpetrators, events, violence, forms, codes, contacts]
        for objects in children:
            ctx.ids.assign(objects)
            fast_insert(objects)
        groups = [new(VictimAmpkGroup, victim=victim, group=group, suggested=True)
                  for victim, chosen in ampk for group in chosen]
        ctx.ids.assign(groups)
        fast_insert(groups)
        reset_sequences([Report, Victim, Perpetrator, ChronologyEvent, ReportViolence, ReportSexualForm,
                         TrackingCode, Contact, VictimAmpkGroup])
        for seeder in SEEDERS:
            seeder(ctx, reports)
        for hook in AFTER_BATCH:
            hook(ctx, reports)
        _flush_audit(ctx)
        for year, last in ctx.counters.items():
            RegistrationCounter.objects.update_or_create(
                region_code=region_code, year=year, defaults={"last_value": last}
            )
    return reports


def seed_staff() -> list[Any]:
    from sigap.accounts.models import User
    from sigap.accounts.roles import Role

    staff = []
    for role, count in ((Role.OPERATOR, 4), (Role.CASE_WORKER, 8), (Role.MANAGER, 1)):
        for n in range(1, count + 1):
            user, _ = User.objects.get_or_create(
                username=f"seed-{role}-{n}", defaults={"role": role, "first_name": f"Petugas {n}"}
            )
            if not user.has_usable_password():
                user.set_unusable_password()
            staff.append(user)
    return staff


def make_context(seed: int, years: int = 10) -> SeedContext:
    desa = list(Region.objects.in_deployment().desa().values_list("code", "parent_id"))
    if not desa:
        raise RuntimeError("no desa in the deployment region: run `manage.py load_regions` first")
    end = timezone.now() - datetime.timedelta(hours=1)
    return SeedContext(rng=random.Random(seed), desa=desa, staff=seed_staff(),
                       start=end - datetime.timedelta(days=365 * years), end=end)
