"""Amending the places of the chronology and the reporter's details (sealed under the identity key)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sigap.intake.amend.state import (
    _Amending,
    _choice_label,
    _desa_exists,
    _desa_name,
    _field_label,
    text_problem,
)
from sigap.intake.codes import (
    Place,
    ReporterRelation,
    place_label,
)
from sigap.intake.models import (
    ChronologyEvent,
    Report,
    ReporterIdentity,
)
from sigap.intake.validation import (
    canonical_nik,
    nik_problem,
)
from sigap.vault.blind import NotNormalisable, nik_index, normalise_phone, phone_index
from sigap.vault.masking import mask_nik, mask_phone


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
            report=state.report, position=old.position, when=old.when, time_known=old.time_known, approximate=old.approximate,
            precision=old.precision, place=pending.get("place", old.place),
            desa_id=pending.get("desa", old.desa_id), description=old.description, supersedes=old,
            is_current=True, recorded_by=state.by, recorded_at=state.now,
        )
        ChronologyEvent.objects.filter(pk=old.pk).update(is_current=False)


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
    problem = text_problem(value, 200 if field != "address" else 10000)
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
