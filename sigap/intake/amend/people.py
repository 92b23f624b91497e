"""Amending victims and perpetrators: correct, add, remove; the rules that need the new ages."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError

from sigap.intake.amend.state import (
    MAX_PEOPLE,
    _Amending,
    _choice_label,
    _desa_exists,
    _desa_name,
    _labels,
    _parse_age,
    _parse_birth,
    text_problem,
)
from sigap.intake.ampk import suggest_ampk_groups
from sigap.intake.codes import (
    CHILD_ONLY_SEXUAL_FORMS,
    Accommodation,
    AmpkGroup,
    DisabilityType,
    Education,
    MaritalStatus,
    Occupation,
    PerpetratorRelation,
    Sex,
)
from sigap.intake.models import (
    Perpetrator,
    ReportSexualForm,
    Victim,
    VictimAccommodation,
    VictimAmpkGroup,
    VictimDisability,
)
from sigap.intake.validation import (
    PerpetratorInput,
    VictimInput,
    age_on,
    canonical_nik,
    nik_problem,
)
from sigap.lib.pydantic_errors import fields_from_errors
from sigap.vault.blind import name_index, nik_index


def _victim_label(position: int, field: str) -> str:
    names = {
        "name": _("nama"), "birth_date": _("tanggal lahir"), "age": _("usia"), "sex": _("jenis kelamin"),
        "nik": _("NIK"), "address": _("alamat"), "desa": _("desa"), "education": _("pendidikan"),
        "occupation": _("pekerjaan"), "marital_status": _("status perkawinan"), "disability": _("disabilitas"),
        "disability_types": _("ragam disabilitas"), "accommodations": _("akomodasi yang dibutuhkan"),
        "ampk_groups": _("kelompok AMPK"),
    }
    return _("Korban %(n)d: %(field)s") % {"n": position + 1, "field": names[field]}


def _victim_summary(victim: Victim) -> str:
    """Who the victim is, in one line, without NIK or address (those are noted apart, on need to know)."""
    born = formats.date_format(victim.birth_date, "SHORT_DATE_FORMAT") if victim.birth_date else (
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
        problem = text_problem(value, 200 if field == "name" else 10000)
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
        if value is not None and not isinstance(value, bool | str):
            return _("Isian tidak sah.")
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


_LIST_MODELS: dict[str, tuple[Any, str, Any]] = {
    "disability_types": (VictimDisability, "kind", DisabilityType),
    "accommodations": (VictimAccommodation, "kind", Accommodation),
    "ampk_groups": (VictimAmpkGroup, "group", AmpkGroup),
}


def _stored_codes(victim: Victim, field: str) -> set[str]:
    model, column, _choices = _LIST_MODELS[field]
    return set(model.objects.filter(victim=victim).values_list(column, flat=True))


def _set_victim_list(state: _Amending, victim: Victim, field: str, value: Any) -> str | None:
    """Ask for a victim's list of codes (VICTIM_LIST_FIELDS); written by ``_write_people`` after the checks.

    Returns an error message, or None. Unknown or repeated codes, or anything but a list, are refused.
    """
    _model, _column, choices = _LIST_MODELS[field]
    if value is None:
        value = []
    if not isinstance(value, list | tuple | set) or not all(isinstance(c, str) for c in value):
        return _("Isian tidak sah.")
    codes = set(value)
    if len(codes) != len(list(value)) or not codes <= set(choices.values):
        return _("Pilihan tidak dikenal.")
    old = _stored_codes(victim, field)
    if codes != old:
        state.victim_lists.setdefault(victim.pk, {})[field] = codes
        state.note(f"victims.{victim.position}.{field}", _victim_label(victim.position, field),
                   _labels(choices, old), _labels(choices, codes))
    return None


def _check_disability(state: _Amending) -> None:
    """Types of disability make a victim one with a disability (as at intake); accommodations need one.

    Ticking a type with "disabilitas" unticked sets it; unticking "disabilitas" while types or
    accommodations stay is refused (clear them first), so the record never contradicts itself.
    """
    for victim in state.victims.values():
        if victim in state.removed_victims:
            continue
        lists = state.victim_lists.get(victim.pk, {})
        if not lists and victim.pk not in state.disability_claims:
            continue
        types = lists.get("disability_types")
        types = _stored_codes(victim, "disability_types") if types is None else types
        accommodations = lists.get("accommodations")
        accommodations = _stored_codes(victim, "accommodations") if accommodations is None else accommodations
        position = victim.position
        if types and not victim.disability:
            if state.disability_claims.get(victim.pk) is False:
                state.errors[f"victims.{position}.disability"] = _(
                    "Kosongkan dulu ragam disabilitas dan akomodasinya bila korban bukan penyandang disabilitas.")
                continue
            state.note(f"victims.{position}.disability", _victim_label(position, "disability"), False, True)
            victim.disability = True
            state.dirty_victims.add(victim.pk)
        if accommodations and not victim.disability:
            state.errors[f"victims.{position}.accommodations"] = _(
                "Akomodasi diisi bila korban penyandang disabilitas.")


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
        problem = text_problem(value, 200)
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


def _write_people(state: _Amending) -> None:
    for victim in state.victims.values():
        if victim.pk in state.dirty_victims and victim not in state.removed_victims:
            victim.save()
        if victim in state.removed_victims:
            continue
        for field, codes in state.victim_lists.get(victim.pk, {}).items():
            if field == "ampk_groups":
                continue  # after the ages are recomputed (``_settle_ampk_groups``)
            model, column, _choices = _LIST_MODELS[field]
            model.objects.filter(victim=victim).delete()
            model.objects.bulk_create(model(victim=victim, **{column: c}) for c in sorted(codes))
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
    for pk, lists in state.victim_lists.items():
        codes = lists.get("ampk_groups")
        victim = next((v for v in state.victims.values() if v.pk == pk), None)
        if codes and victim is not None and victim not in state.removed_victims and not Victim.objects.filter(
            pk=pk, is_child=True
        ).exists():
            state.errors[f"victims.{victim.position}.ampk_groups"] = _(
                "Kelompok AMPK hanya untuk korban anak (di bawah 18 tahun saat kejadian).")
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
        chosen = state.victim_lists.get(victim.pk, {}).get("ampk_groups")
        if chosen is not None and victim.is_child:  # staff's choice replaces SIGAP's suggestion
            VictimAmpkGroup.objects.filter(victim=victim).delete()
            VictimAmpkGroup.objects.bulk_create(VictimAmpkGroup(victim=victim, group=g, suggested=False)
                                                for g in sorted(chosen))
            continue
        became_child = victim.is_child and (victim.pk in added or not state.was_child.get(victim.pk, False))
        if became_child and not VictimAmpkGroup.objects.filter(victim=victim).exists():
            VictimAmpkGroup.objects.bulk_create(
                VictimAmpkGroup(victim=victim, group=g, suggested=True)
                for g in suggest_ampk_groups(types, forms, disability=victim.disability))
        elif not victim.is_child:
            VictimAmpkGroup.objects.filter(victim=victim).delete()
