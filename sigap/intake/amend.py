"""Amending a filed report: every change kept with who, when, why, then one re-evaluation.

``amend_report(report, changes, *, by, reason)`` is the action (one transaction,
one ``ReportAmendment`` per changed field with the old and new value sealed, one
audit entry). What it covers:

* victims: correct a victim's name, date of birth, stated age, sex, NIK, address,
  desa, education, occupation, marital status and disability; add a victim
  (``victims.add``); remove one (``victims.<n>.remove``: the report keeps at least
  one; the removed victim's details stay in the amendment's sealed old value);
* perpetrators: correct (name, relation, sex, lives with the victim, holds office,
  child, date of birth, age, education, occupation), add, remove;
* places: the desa and the place of a chronology event (``events.<n>.desa``,
  ``events.<n>.place``): a new version of the event supersedes the old one, as
  the case's ``amend_event`` does;
* the reporter's details (name, phone, NIK, address: sealed under the identity
  key, also in the history, shown only through the vault's reveal) and relation;
* the violence types and sexual-violence forms; the victim's condition and needs;
  the consents.

Authority (kewenangan) is not amended here.

Who may amend (``may_amend``): before a case is opened, operators and the
manager (view_reports); once the report is in a case, the case's assigned worker
and the manager; a volunteer never after submitting.

After the change, once: the victims' age at the incident, child status and case type
(``ages.recompute_report``),
triage (risk, reasons, case type, response deadline from the received time; a
risk set by hand stays, a raised risk sends ``signals.report_risk_raised`` after commit, on
which the alerts app notifies the people on duty again; a lowered
one is allowed only with the amendment's reason, which is always required), then
the hooks other apps register (``register_amendment_hook``: the cases app
re-runs its rules: police deadline and task from the original report time,
mediation gate, case type), and the statistics tally is marked.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError

from sigap.accounts.roles import Perm, has_permission
from sigap.intake.ages import recompute_report
from sigap.intake.ampk import suggest_ampk_groups
from sigap.intake.codes import (
    CHILD_ONLY_SEXUAL_FORMS,
    RISK_ORDER,
    Education,
    MaritalStatus,
    Occupation,
    PerpetratorRelation,
    Place,
    ReporterRelation,
    Risk,
    Sex,
    SexualViolenceForm,
    ViolenceType,
    place_label,
)
from sigap.intake.models import (
    ChronologyEvent,
    Perpetrator,
    Report,
    ReportAmendment,
    ReporterIdentity,
    ReportSexualForm,
    ReportViolence,
    Victim,
    VictimAccommodation,
    VictimAmpkGroup,
    VictimDisability,
)
from sigap.intake.signals import report_risk_raised, send_on_commit
from sigap.intake.triage import PerpetratorFacts, TriageFacts, VictimFacts, assess, response_due
from sigap.intake.validation import (
    EARLIEST_YEAR,
    MAX_AGE,
    PerpetratorInput,
    ReportInvalid,
    VictimInput,
    age_on,
    canonical_nik,
    nik_problem,
)
from sigap.lib.pydantic_errors import fields_from_errors
from sigap.vault.audit import record
from sigap.vault.blind import NotNormalisable, name_index, nik_index, normalise_phone, phone_index
from sigap.vault.masking import mask_nik, mask_phone

AmendmentHook = Callable[[Report, Any, "HttpRequest | None"], None]
_HOOKS: list[AmendmentHook] = []


def register_amendment_hook(hook: AmendmentHook) -> None:
    """``hook(report, by, request)`` runs once after every amendment, inside its transaction."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)


VICTIM_FIELDS = ("name", "birth_date", "age", "sex", "nik", "address", "desa", "education", "occupation",
                 "marital_status", "disability")
PERPETRATOR_FIELDS = ("name", "relation", "sex", "lives_with_victim", "holds_office", "is_child", "birth_date",
                      "age", "education", "occupation")
EVENT_FIELDS = ("desa", "place")
REPORTER_IDENTITY_FIELDS = ("name", "phone", "nik", "address")
REPORTER_FIELDS = (*REPORTER_IDENTITY_FIELDS, "relation")
REPORT_TEXT_FIELDS = ("victim_condition", "needs")
CONSENT_FIELDS = ("consent_process", "consent_refer", "consent_police", "consent_statistics")
MAX_PEOPLE = 20  # as many victims or perpetrators as a filed report may hold

# Who may see the old and new value of an amendment (``visibility``).
PLAIN = "plain"  # whoever may open the report or the case
VICTIM_DETAIL = "victim_detail"  # a victim's NIK and address: need to know (``access.sees_victim_details``)
IDENTITY = "identity"  # the reporter's identity: only through the vault's reveal
_VICTIM_DETAIL_FIELD = re.compile(r"^victims\.\d+\.(nik|address)$")


def visibility(field: str) -> str:
    """How sensitive the values of an amendment of ``field`` are."""
    if field.startswith("reporter.") and field.split(".", 1)[1] in REPORTER_IDENTITY_FIELDS:
        return IDENTITY
    if _VICTIM_DETAIL_FIELD.match(field):
        return VICTIM_DETAIL
    return PLAIN


def _case_link_exists(report: Report) -> bool:
    from django.apps import apps

    if not apps.is_installed("sigap.cases"):
        return False
    return apps.get_model("cases", "CaseReport").objects.filter(report=report).exists()


def may_amend(user: Any, report: Report) -> bool:
    """Operators and the manager until a case is opened; then the assigned worker and the manager."""
    if not Report.objects.visible_to(user).filter(pk=report.pk).exists():
        return False
    if has_permission(user, Perm.SUBMIT_VILLAGE_REPORT) and not has_permission(user, Perm.FILE_REPORT):
        return False
    if _case_link_exists(report):
        if not has_permission(user, Perm.WORK_CASES):
            return False
        if has_permission(user, Perm.VIEW_ALL_CASES):
            return True
        from django.apps import apps

        case_report = apps.get_model("cases", "CaseReport").objects.select_related("case").get(report=report)
        return case_report.case.assigned_to_id == user.pk
    return has_permission(user, Perm.VIEW_REPORTS)


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, list | set | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _labels(choices: Any, codes: Any) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(c, c)) for c in sorted(codes)]


def _choice_label(choices: Any, code: str) -> str:
    return str(dict(choices.choices).get(code, code)) if code else "—"


def _text_problem(value: Any, limit: int) -> str | None:
    """Why a free text cannot be stored: not text, too long, or control characters (NUL, lone surrogates)."""
    if value is None:
        return None
    if not isinstance(value, str):
        return _("Isian tidak sah.")
    if len(value) > limit:
        return _("Teks terlalu panjang.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("Isian mengandung karakter yang tidak sah.")
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        return _("Isian mengandung karakter yang tidak sah.")
    return None


def _parse_age(value: Any) -> tuple[str | None, str | None]:
    """(stated age as stored, error). ASCII digits only: another script's digits are refused, not guessed."""
    text = str(value).strip() if value not in (None, "") else ""
    if not text:
        return None, None
    if not (text.isascii() and text.isdigit()) or len(text) > 3 or int(text) > MAX_AGE:
        return None, _("Usia harus angka 0 sampai %(max)d.") % {"max": MAX_AGE}
    return str(int(text)), None


def _parse_birth(value: Any, today: datetime.date) -> tuple[datetime.date | None, str | None]:
    if isinstance(value, str):
        if not value.strip():
            return None, None
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None, _("Tulis tanggal sebagai TTTT-BB-HH.")
    if value is not None and not isinstance(value, datetime.date):
        return None, _("Tulis tanggal sebagai TTTT-BB-HH.")
    if value is not None and (value > today or value.year < EARLIEST_YEAR or age_on(value, today) > MAX_AGE):
        return None, _("Tanggal lahir tidak masuk akal.")
    return value, None


def _desa_exists(code: Any) -> bool:
    from sigap.regions.models import Region

    return isinstance(code, str) and Region.objects.desa().filter(code=code).exists()


def _desa_name(code: str | None) -> str:
    from sigap.regions.models import Region

    if not code:
        return "—"
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or code


class _Amending:
    """The state of one ``amend_report`` call: the locked report, its rows, the notes and the errors."""

    def __init__(self, report: Report, *, by: Any, reason: str, now: datetime.datetime) -> None:
        self.report = report
        self.by = by
        self.reason = reason
        self.now = now
        self.today = timezone.localdate(now)
        self.errors: dict[str, str] = {}
        self.amendments: list[ReportAmendment] = []
        self.victims = {v.position: v for v in Victim.objects.filter(report=report)}
        self.perpetrators = {p.position: p for p in Perpetrator.objects.filter(report=report)}
        self.events = {e.position: e for e in ChronologyEvent.objects.current().filter(report=report)}
        self.dirty_victims: set[int] = set()
        self.dirty_perpetrators: set[int] = set()
        self.removed_victims: list[Victim] = []
        self.removed_perpetrators: list[Perpetrator] = []
        self.added_victims: list[tuple[Victim, VictimInput]] = []
        self.event_changes: dict[int, dict[str, str]] = {}
        self.child_claims: dict[int, bool | None] = {}  # perpetrator position -> is_child asked for
        self.was_child = {v.pk: v.is_child for v in self.victims.values()}

    def note(self, field: str, label: str, old: Any, new: Any, *, old_identity: str | None = None,
             new_identity: str | None = None) -> None:
        self.amendments.append(ReportAmendment(
            report=self.report, field=field[:64], label=label[:120], old_value=_show(old), new_value=_show(new),
            old_identity=old_identity, new_identity=new_identity, reason=self.reason, by=self.by, at=self.now))

    def next_position(self, kind: str, rows: dict[int, Any]) -> int:
        """A position never used by this report's ``kind`` (victims, perpetrators), so history stays unambiguous."""
        used = set(rows)
        for field in ReportAmendment.objects.filter(report=self.report, field__startswith=f"{kind}.").values_list(
            "field", flat=True
        ):
            part = field.split(".")[1]
            if part.isdigit():
                used.add(int(part))
        return max(used, default=-1) + 1


def amend_report(report: Report, changes: dict[str, Any], *, by: Any, reason: str,
                 request: HttpRequest | None = None, now: datetime.datetime | None = None) -> list[ReportAmendment]:
    """Apply ``changes`` to a report and keep the history. Returns the amendments (none when nothing changed).

    ``changes`` keys: ``victims.<position>.<field>`` (VICTIM_FIELDS), ``victims.<position>.remove``,
    ``victims.add`` (a victim as the report API takes it); the same for ``perpetrators``
    (PERPETRATOR_FIELDS); ``events.<position>.desa`` / ``.place``; ``reporter.<field>``
    (REPORTER_FIELDS); ``violence_types`` and ``sexual_violence_forms`` (lists of codes),
    ``victim_condition``, ``needs``, the consent flags.
    Raises ``ReportInvalid`` (a clear message per field, nothing changed) or ``PermissionDenied``.
    """
    if not may_amend(by, report):
        raise PermissionDenied
    reason = (reason or "").strip()
    now = now or timezone.now()
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("reporter").get(pk=report.pk)
        state = _Amending(locked, by=by, reason=reason, now=now)
        if not reason:
            state.errors["reason"] = _("Tuliskan alasan perubahan.")
        elif _text_problem(reason, 2000):
            state.errors["reason"] = str(_text_problem(reason, 2000))
        for key, value in changes.items():
            _apply(state, str(key), value)
        types = set(ReportViolence.objects.filter(report=locked).values_list("violence_type", flat=True))
        if ReportSexualForm.objects.filter(report=locked).exists() and ViolenceType.SEKSUAL not in types:
            state.errors.setdefault("sexual_violence_forms", _(
                "Bentuk kekerasan seksual hanya diisi bila jenis kekerasan mencakup 'seksual'."))
        if state.victims and len(state.victims) == len(state.removed_victims) and not state.added_victims:
            state.errors.setdefault("victims", _("Laporan harus tetap mempunyai sedikitnya satu korban."))
        if state.errors:
            raise ReportInvalid(state.errors, _("Perubahan belum disimpan. Periksa isian yang ditandai."))
        if not state.amendments:
            return []
        _write_people(state)
        _write_events(state)
        # Age at the incident, child status and case type per victim and report (14a's module).
        recompute_report(locked)
        _check_after_recompute(state)
        if state.errors:
            raise ReportInvalid(state.errors, _("Perubahan belum disimpan. Periksa isian yang ditandai."))
        fresh = list(Victim.objects.filter(report=locked).order_by("position"))
        _settle_ampk_groups(state, fresh, types)
        first = fresh[0]
        locked.desa_id, locked.kecamatan_code = first.desa_id, first.kecamatan_code
        old_risk = locked.risk
        result = assess(_facts(locked, fresh, types))
        locked.risk_computed, locked.risk_reasons = result.risk, result.reasons
        if not locked.risk_overridden:
            locked.risk = result.risk
            locked.response_due_at = response_due(result.risk, locked.received_at)
        locked.save()
        ReportAmendment.objects.bulk_create(state.amendments)
        record("intake.report_amended", actor=by, obj=locked, request=request)
        for hook in _HOOKS:
            hook(locked, by, request)
        if RISK_ORDER[Risk(locked.risk)] > RISK_ORDER[Risk(old_risk)]:
            # After commit: the alerts app notifies the people on duty again (alert_report, "risk_raised").
            send_on_commit(report_risk_raised, sender=Report, report=locked, old_risk=old_risk, new_risk=locked.risk)
        _mark_tally(locked)
    report.refresh_from_db()
    return state.amendments


def _apply(state: _Amending, key: str, value: Any) -> None:
    """Route one change to its handler; an unknown key is an error, never ignored."""
    parts = key.split(".")
    locked = state.report
    if parts[0] in ("victims", "perpetrators") and len(parts) == 2 and parts[1] == "add":
        (_add_victim if parts[0] == "victims" else _add_perpetrator)(state, value)
    elif parts[0] in ("victims", "perpetrators", "events") and len(parts) == 3 and parts[1].isascii() \
            and parts[1].isdigit() and len(parts[1]) < 4:
        position, field = int(parts[1]), parts[2]
        if parts[0] == "victims" and field in (*VICTIM_FIELDS, "remove"):
            victim = state.victims.get(position)
            if victim is None:
                state.errors[key] = _("Korban ini tidak ada.")
            elif field == "remove":
                if value:
                    _remove_victim(state, victim)
            else:
                problem = _set_victim(victim, field, value, state.today, state.note, position)
                if problem is None:
                    state.dirty_victims.add(victim.pk)
                elif problem:
                    state.errors[key] = problem
        elif parts[0] == "perpetrators" and field in (*PERPETRATOR_FIELDS, "remove"):
            perpetrator = state.perpetrators.get(position)
            if perpetrator is None:
                state.errors[key] = _("Terlapor ini tidak ada.")
            elif field == "remove":
                if value:
                    _remove_perpetrator(state, perpetrator)
            else:
                problem = _set_perpetrator(state, perpetrator, field, value)
                if problem is None:
                    state.dirty_perpetrators.add(perpetrator.pk)
                elif problem:
                    state.errors[key] = problem
        elif parts[0] == "events" and field in EVENT_FIELDS:
            _set_event(state, key, position, field, value)
        else:
            state.errors[key] = _("Bagian ini tidak dapat diubah di sini.")
    elif parts[0] == "reporter" and len(parts) == 2 and parts[1] in REPORTER_FIELDS:
        problem = _set_reporter(state, parts[1], value)
        if problem:
            state.errors[key] = problem
    elif key == "violence_types":
        codes = set(value or []) if isinstance(value, list | tuple | set) else {""}
        if not codes or not codes <= set(ViolenceType.values):
            state.errors[key] = _("Pilih sedikitnya satu jenis kekerasan yang dikenal.")
            return
        _set_codes(state, key, ReportViolence, "violence_type", ViolenceType, codes, _("Jenis kekerasan"))
    elif key == "sexual_violence_forms":
        codes = set(value or []) if isinstance(value, list | tuple | set) else {""}
        if not codes <= set(SexualViolenceForm.values):
            state.errors[key] = _("Bentuk kekerasan seksual tidak dikenal.")
            return
        _set_codes(state, key, ReportSexualForm, "form", SexualViolenceForm, codes, _("Bentuk kekerasan seksual"))
    elif key in REPORT_TEXT_FIELDS:
        problem = _text_problem(value, 10000)
        if problem:
            state.errors[key] = problem
            return
        text = (value or "").strip() or None
        if text != getattr(locked, key):
            state.note(key, _field_label(key), getattr(locked, key), text)
            setattr(locked, key, text)
    elif key in CONSENT_FIELDS:
        flag = bool(value)
        if flag != getattr(locked, key):
            state.note(key, _field_label(key), getattr(locked, key), flag)
            setattr(locked, key, flag)
    else:
        state.errors[key] = _("Bagian ini tidak dapat diubah di sini.")


def _set_codes(state: _Amending, key: str, model: Any, column: str, choices: Any, codes: set[str],
               label: str) -> None:
    """Replace a report's rows of codes (violence types, sexual-violence forms) by ``codes``, noted once."""
    old = set(model.objects.filter(report=state.report).values_list(column, flat=True))
    if codes != old:
        model.objects.filter(report=state.report, **{f"{column}__in": old - codes}).delete()
        model.objects.bulk_create(model(report=state.report, **{column: c}) for c in sorted(codes - old))
        state.note(key, label, _labels(choices, old), _labels(choices, codes))


def _field_label(name: str) -> str:
    return str(getattr(Report._meta.get_field(name), "verbose_name", name))


def _mark_tally(report: Report) -> None:
    try:
        from sigap.stats.tally import mark_reports
    except ImportError:  # statistics not installed
        return
    mark_reports([report.pk])


def _facts(report: Report, victims: list[Victim], types: set[str]) -> TriageFacts:
    return TriageFacts(
        victims=tuple(VictimFacts(v.age_at_incident, v.sex, v.disability) for v in victims),
        violence_types=frozenset(types),
        perpetrators=tuple(PerpetratorFacts(p.lives_with_victim, p.holds_office, p.is_child)
                           for p in report.perpetrators.all()),
        immediate_danger=report.immediate_danger,
        injury_needs_care=report.injury_needs_care,
        threat_to_life=report.threat_to_life,
        self_harm_risk=report.self_harm_risk,
        repeated_violence=report.repeated_violence,
    )


# --- victims -------------------------------------------------------------------------------


def _victim_label(position: int, field: str) -> str:
    names = {
        "name": _("nama"), "birth_date": _("tanggal lahir"), "age": _("usia"), "sex": _("jenis kelamin"),
        "nik": _("NIK"), "address": _("alamat"), "desa": _("desa"), "education": _("pendidikan"),
        "occupation": _("pekerjaan"), "marital_status": _("status perkawinan"), "disability": _("disabilitas"),
    }
    return _("Korban %(n)d: %(field)s") % {"n": position + 1, "field": names[field]}


def _victim_summary(victim: Victim) -> str:
    """Who the victim is, in one line, without NIK or address (those are noted apart, on need to know)."""
    born = victim.birth_date.strftime("%d-%m-%Y") if victim.birth_date else (
        _("usia %(n)s") % {"n": victim.stated_age} if victim.stated_age else "—")
    return "; ".join([victim.name or _("(nama tidak diketahui)"), _choice_label(Sex, victim.sex), str(born),
                      _desa_name(victim.desa_id)])


def _set_victim(victim: Victim, field: str, value: Any, today: datetime.date,
                note: Callable[..., None], position: int) -> str | None:
    """Set one victim field. Returns None when changed, "" when unchanged, or an error message."""
    label = _victim_label(position, field)
    key = f"victims.{position}.{field}"
    if field == "birth_date":
        birth, problem = _parse_birth(value, today)
        if problem:
            return problem
        if birth == victim.birth_date:
            return ""
        note(key, label, victim.birth_date, birth)
        victim.birth_date = birth
        if birth is not None:
            victim.stated_age = None
        return None
    if field == "age":
        new, problem = _parse_age(value)
        if problem:
            return problem
        if new == victim.stated_age:
            return ""
        note(key, label, victim.stated_age, new)
        victim.stated_age = new
        return None
    if field in ("name", "address"):
        problem = _text_problem(value, 200 if field == "name" else 10000)
        if problem:
            return problem
        new = (value or "").strip() or None
        if new == getattr(victim, field):
            return ""
        note(key, label, getattr(victim, field), new)
        setattr(victim, field, new)
        if field == "name":
            victim.name_index = name_index(new) if new else ""
        return None
    if field == "nik":
        if value is not None and not isinstance(value, str):
            return _("NIK harus 16 angka.")
        new = canonical_nik(value) if value else None
        if new and nik_problem(new):
            return nik_problem(new)
        if new == victim.nik:
            return ""
        note(key, label, victim.nik, new)
        victim.nik, victim.nik_index = new, (nik_index(new) or "") if new else ""
        return None
    if field == "desa":
        if not _desa_exists(value):
            return _("Kode desa tidak dikenal.")
        if value == victim.desa_id:
            return ""
        note(key, label, _desa_name(victim.desa_id), _desa_name(value))
        victim.desa_id, victim.kecamatan_code = value, value.rsplit(".", 1)[0]
        return None
    if field == "disability":
        flag = bool(value)
        if flag == victim.disability:
            return ""
        note(key, label, victim.disability, flag)
        victim.disability = flag
        return None
    choices = {"sex": Sex, "education": Education, "occupation": Occupation, "marital_status": MaritalStatus}[field]
    new = value or ""
    if (new and new not in choices.values) or (field == "sex" and not new):
        return _("Pilihan tidak dikenal.")
    if new == getattr(victim, field):
        return ""
    note(key, label, _choice_label(choices, getattr(victim, field)), _choice_label(choices, new))
    setattr(victim, field, new)
    return None


def _person_input(state: _Amending, model: Any, value: Any, path: str) -> Any:
    """Validate an added victim or perpetrator with the report's own rules; None (errors noted) when invalid."""
    if not isinstance(value, dict):
        state.errors[path] = _("Isian tidak sah.")
        return None
    try:
        data = model.model_validate(value)
    except PydanticValidationError as error:
        for sub, message in fields_from_errors(error.errors()).items():
            state.errors[f"{path}.{sub}"] = message
        return None
    problems: dict[str, str] = {}
    if data.birth_date is not None:
        _birth, problem = _parse_birth(data.birth_date, state.today)
        if problem:
            problems["birth_date"] = problem
        elif data.age is not None and abs(age_on(data.birth_date, state.today) - data.age) > 1:
            problems["age"] = _("Usia tidak sesuai dengan tanggal lahir (menurut tanggal lahir: %(age)s tahun).") % {
                "age": age_on(data.birth_date, state.today)}
    if model is VictimInput:
        if data.birth_date is None and data.age is None:
            problems["birth_date"] = _("Isi tanggal lahir atau perkiraan usia korban.")
        if data.nik and nik_problem(data.nik):
            problems["nik"] = str(nik_problem(data.nik))
        if not _desa_exists(data.desa):
            problems["desa"] = _("Kode desa tidak dikenal.")
    for sub, message in problems.items():
        state.errors[f"{path}.{sub}"] = message
    return None if problems else data


def _add_victim(state: _Amending, value: Any) -> None:
    data = _person_input(state, VictimInput, value, "victims.add")
    if data is None:
        return
    if len(state.victims) - len(state.removed_victims) + len(state.added_victims) >= MAX_PEOPLE:
        state.errors["victims.add"] = _("Paling banyak %(n)d korban.") % {"n": MAX_PEOPLE}
        return
    position = state.next_position("victims", state.victims) + len(state.added_victims)
    nik = canonical_nik(data.nik) if data.nik else None
    victim = Victim(
        report=state.report, position=position, name=data.name,
        name_index=name_index(data.name) if data.name else "", birth_date=data.birth_date,
        stated_age=str(data.age) if data.age is not None else None, sex=data.sex, nik=nik,
        nik_index=(nik_index(nik) or "") if nik else "", address=data.address, desa_id=data.desa,
        kecamatan_code=data.desa.rsplit(".", 1)[0], education=data.education or "",
        occupation=data.occupation or "", disability=data.has_disability, marital_status=data.marital_status or "",
    )
    state.added_victims.append((victim, data))
    state.note(f"victims.{position}", _("Korban %(n)d ditambahkan") % {"n": position + 1}, None,
               _victim_summary(victim))
    for field in ("nik", "address"):
        if getattr(victim, field):
            state.note(f"victims.{position}.{field}", _victim_label(position, field), None, getattr(victim, field))


def _remove_victim(state: _Amending, victim: Victim) -> None:
    if victim in state.removed_victims:
        return
    state.removed_victims.append(victim)
    state.note(f"victims.{victim.position}", _("Korban %(n)d dihapus") % {"n": victim.position + 1},
               _victim_summary(victim), None)
    for field in ("nik", "address"):
        if getattr(victim, field):
            state.note(f"victims.{victim.position}.{field}", _victim_label(victim.position, field),
                       getattr(victim, field), None)


# --- perpetrators --------------------------------------------------------------------------


def _perpetrator_label(position: int, field: str) -> str:
    names = {
        "name": _("nama"), "relation": _("hubungan dengan korban"), "sex": _("jenis kelamin"),
        "lives_with_victim": _("tinggal serumah dengan korban"), "holds_office": _("memegang jabatan"),
        "is_child": _("anak"), "birth_date": _("tanggal lahir"), "age": _("usia"),
        "education": _("pendidikan"), "occupation": _("pekerjaan"),
    }
    return _("Terlapor %(n)d: %(field)s") % {"n": position + 1, "field": names[field]}


def _perpetrator_summary(perpetrator: Perpetrator) -> str:
    return "; ".join([perpetrator.name or _("(nama tidak diketahui)"),
                      _choice_label(PerpetratorRelation, perpetrator.relation),
                      _choice_label(Sex, perpetrator.sex)])


def _tri_state(value: Any) -> tuple[bool | None, bool]:
    """(value, valid) for a yes/no/unknown answer: True/False/None or "ya"/"tidak"/""."""
    if value is None or value == "":
        return None, True
    if isinstance(value, bool):
        return value, True
    return {"ya": (True, True), "tidak": (False, True), "true": (True, True), "false": (False, True)}.get(
        str(value), (None, False))


def _set_perpetrator(state: _Amending, perpetrator: Perpetrator, field: str, value: Any) -> str | None:
    """Set one perpetrator field. Returns None when changed, "" when unchanged, or an error message."""
    position = perpetrator.position
    label, key = _perpetrator_label(position, field), f"perpetrators.{position}.{field}"
    if field == "name":
        problem = _text_problem(value, 200)
        if problem:
            return problem
        new: Any = (value or "").strip() or None
    elif field == "birth_date":
        new, problem = _parse_birth(value, state.today)
        if problem:
            return problem
    elif field == "age":
        new, problem = _parse_age(value)
        if problem:
            return problem
        field = "stated_age"
    elif field in ("lives_with_victim", "holds_office"):
        new = bool(value)
    elif field == "is_child":
        new, valid = _tri_state(value)
        if not valid:
            return _("Pilihan tidak dikenal.")
        state.child_claims[position] = new
    else:
        choices = {"relation": PerpetratorRelation, "sex": Sex, "education": Education, "occupation": Occupation}[field]
        new = value or ""
        if (new and new not in choices.values) or (field == "relation" and not new):
            return _("Pilihan tidak dikenal.")
        if new == getattr(perpetrator, field):
            return ""
        state.note(key, label, _choice_label(choices, getattr(perpetrator, field)), _choice_label(choices, new))
        setattr(perpetrator, field, new)
        return None
    old = getattr(perpetrator, field)
    if new == old:
        return ""
    state.note(key, label, "?" if field == "is_child" and old is None else old,
               "?" if field == "is_child" and new is None else new)
    setattr(perpetrator, field, new)
    if field == "birth_date" and new is not None:
        perpetrator.stated_age = None
    return None


def _add_perpetrator(state: _Amending, value: Any) -> None:
    data = _person_input(state, PerpetratorInput, value, "perpetrators.add")
    if data is None:
        return
    if len(state.perpetrators) - len(state.removed_perpetrators) >= MAX_PEOPLE:
        state.errors["perpetrators.add"] = _("Paling banyak %(n)d terlapor.") % {"n": MAX_PEOPLE}
        return
    position = state.next_position("perpetrators", state.perpetrators)
    perpetrator = Perpetrator.objects.create(
        report=state.report, position=position, name=data.name, relation=data.relation, sex=data.sex or "",
        lives_with_victim=data.lives_with_victim, holds_office=data.holds_office, is_child=data.is_child,
        birth_date=data.birth_date, stated_age=str(data.age) if data.age is not None else None,
        education=data.education or "", occupation=data.occupation or "",
    )
    state.perpetrators[position] = perpetrator
    if data.is_child is not None:
        state.child_claims[position] = data.is_child
    state.note(f"perpetrators.{position}", _("Terlapor %(n)d ditambahkan") % {"n": position + 1}, None,
               _perpetrator_summary(perpetrator))


def _remove_perpetrator(state: _Amending, perpetrator: Perpetrator) -> None:
    if perpetrator in state.removed_perpetrators:
        return
    state.removed_perpetrators.append(perpetrator)
    state.note(f"perpetrators.{perpetrator.position}",
               _("Terlapor %(n)d dihapus") % {"n": perpetrator.position + 1}, _perpetrator_summary(perpetrator), None)


# --- places --------------------------------------------------------------------------------


def _set_event(state: _Amending, key: str, position: int, field: str, value: Any) -> None:
    event = state.events.get(position)
    if event is None:
        state.errors[key] = _("Kejadian ini tidak ada.")
        return
    label = _("Kejadian %(n)d: %(field)s") % {"n": position + 1,
                                              "field": _("desa") if field == "desa" else _("tempat kejadian")}
    pending = state.event_changes.setdefault(position, {})
    if field == "desa":
        if not _desa_exists(value):
            state.errors[key] = _("Kode desa tidak dikenal.")
        elif value != event.desa_id:
            pending["desa"] = value
            state.note(key, label, _desa_name(event.desa_id), _desa_name(value))
        return
    place = value or ""
    if place and place not in Place.values:
        state.errors[key] = _("Tempat kejadian tidak dikenal.")
    elif place != event.place:
        pending["place"] = place
        state.note(key, label, place_label(event.place), place_label(place))


def _write_events(state: _Amending) -> None:
    """A corrected place is a new version of the event that supersedes the old one (both stay)."""
    for position, pending in state.event_changes.items():
        if not pending:
            continue
        old = state.events[position]
        ChronologyEvent.objects.create(
            report=state.report, position=old.position, when=old.when, approximate=old.approximate,
            precision=old.precision, place=pending.get("place", old.place),
            desa_id=pending.get("desa", old.desa_id), description=old.description, supersedes=old,
            is_current=True, recorded_by=state.by, recorded_at=state.now,
        )
        ChronologyEvent.objects.filter(pk=old.pk).update(is_current=False)


# --- the reporter ---------------------------------------------------------------------------


def _identity_shown(field: str, value: str | None) -> str:
    """What the history shows of a reporter's detail without a reveal: a mask, never the value."""
    if not value:
        return "—"
    if field == "phone":
        return mask_phone(value)
    if field == "nik":
        return mask_nik(value)
    return _("(dirahasiakan)")


def _set_reporter(state: _Amending, field: str, value: Any) -> str | None:
    """Set one reporter detail; None (or "") when fine, else the error."""
    report = state.report
    label = _("Pelapor: %(field)s") % {"field": {
        "name": _("nama"), "phone": _("nomor telepon"), "nik": _("NIK"), "address": _("alamat"),
        "relation": _("hubungan dengan korban")}[field]}
    if field == "relation":
        new_relation = value or ""
        if new_relation and new_relation not in ReporterRelation.values:
            return _("Pilihan tidak dikenal.")
        if new_relation != report.reporter_relation:
            state.note("reporter.relation", label, _choice_label(ReporterRelation, report.reporter_relation),
                       _choice_label(ReporterRelation, new_relation))
            report.reporter_relation = new_relation
        return None
    problem = _text_problem(value, 200 if field != "address" else 10000)
    if problem:
        return problem
    new: str | None = (value or "").strip() or None
    if field == "phone" and new:
        try:
            new = normalise_phone(new)
        except NotNormalisable:
            return _("Nomor telepon tidak sah.")
    if field == "nik" and new:
        new = canonical_nik(new)
        if nik_problem(new):
            return nik_problem(new)
    identity = _own_identity(state)
    old = getattr(identity, field) if identity is not None else None
    if new == old:
        return None
    if identity is None:
        identity = ReporterIdentity.objects.create(created_at=state.now)
        report.reporter = identity
        if report.needs_follow_up:
            state.note("needs_follow_up", _field_label("needs_follow_up"), True, False)
            report.needs_follow_up = False
        if report.reporter_declined_identity:
            state.note("reporter_declined_identity", _field_label("reporter_declined_identity"), True, False)
            report.reporter_declined_identity = False
    setattr(identity, field, new)
    if field == "phone":
        identity.phone_index = (phone_index(new) or "") if new else ""
    if field == "nik":
        identity.nik_index = (nik_index(new) or "") if new else ""
    identity.save()
    state.note(f"reporter.{field}", label, _identity_shown(field, old), _identity_shown(field, new),
               old_identity=old, new_identity=new)
    return None


def _own_identity(state: _Amending) -> ReporterIdentity | None:
    """The report's reporter identity, copied first when another report shares it (the others keep theirs)."""
    report = state.report
    identity = report.reporter
    if identity is None:
        return None
    if Report.objects.filter(reporter_id=identity.pk).exclude(pk=report.pk).exists():
        copy = ReporterIdentity.objects.create(
            name=identity.name, nik=identity.nik, nik_index=identity.nik_index, phone=identity.phone,
            phone_index=identity.phone_index, address=identity.address, created_at=state.now)
        report.reporter = copy
        return copy
    return identity


# --- writing and the checks that need the new ages -----------------------------------------


def _write_people(state: _Amending) -> None:
    for victim in state.victims.values():
        if victim.pk in state.dirty_victims and victim not in state.removed_victims:
            victim.save()
    for victim in state.removed_victims:
        VictimAmpkGroup.objects.filter(victim=victim).delete()
        VictimDisability.objects.filter(victim=victim).delete()
        VictimAccommodation.objects.filter(victim=victim).delete()
        victim.delete()
    for victim, data in state.added_victims:
        victim.save()
        VictimDisability.objects.bulk_create(VictimDisability(victim=victim, kind=k) for k in data.disability_types)
        VictimAccommodation.objects.bulk_create(VictimAccommodation(victim=victim, kind=k)
                                                for k in data.accommodations)
    for perpetrator in state.perpetrators.values():
        if perpetrator.pk in state.dirty_perpetrators and perpetrator not in state.removed_perpetrators:
            perpetrator.save()
    for perpetrator in state.removed_perpetrators:
        perpetrator.delete()


def _check_after_recompute(state: _Amending) -> None:
    """Rules that need the ages at the incident: a perpetrator's child flag against a known age; the
    sexual-violence forms against children only when a victim was a child."""
    forms = set(ReportSexualForm.objects.filter(report=state.report).values_list("form", flat=True))
    if CHILD_ONLY_SEXUAL_FORMS.intersection(forms) and not Victim.objects.filter(
        report=state.report, is_child=True
    ).exists():
        state.errors.setdefault("sexual_violence_forms", _(
            "Persetubuhan, perbuatan cabul, atau eksploitasi seksual terhadap anak hanya dipilih bila ada "
            "korban anak (di bawah 18 tahun saat kejadian)."
        ))
    for position, claimed in state.child_claims.items():
        if claimed is None:
            continue
        row = Perpetrator.objects.filter(report=state.report, position=position).first()
        if row is not None and row.age_at_incident is not None and row.is_child != claimed:
            state.errors[f"perpetrators.{position}.is_child"] = _(
                "Tidak sesuai dengan usia terlapor saat kejadian (%(age)s tahun)."
            ) % {"age": row.age_at_incident}


def _settle_ampk_groups(state: _Amending, victims: list[Victim], types: set[str]) -> None:
    """AMPK groups belong to child victims: suggested for one who became (or was added as) a child, removed
    from one who is no longer a child (UU 35/2014 Pasal 59(2))."""
    added = {victim.pk for victim, _data in state.added_victims}
    forms = set(ReportSexualForm.objects.filter(report=state.report).values_list("form", flat=True))
    for victim in victims:
        became_child = victim.is_child and (victim.pk in added or not state.was_child.get(victim.pk, False))
        if became_child and not VictimAmpkGroup.objects.filter(victim=victim).exists():
            VictimAmpkGroup.objects.bulk_create(
                VictimAmpkGroup(victim=victim, group=g)
                for g in suggest_ampk_groups(types, forms, disability=victim.disability))
        elif not victim.is_child:
            VictimAmpkGroup.objects.filter(victim=victim).delete()
