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
* a victim's types of disability, the accommodations it needs and a child victim's
  AMPK groups (``victims.<n>.disability_types`` / ``.accommodations`` / ``.ampk_groups``,
  lists of codes; a type makes the victim one with a disability, accommodations need
  one, AMPK groups need a child at the incident; chosen groups replace SIGAP's suggestion);
  staff who find SIGAP's suggested groups right confirm them unchanged with ``confirm_ampk_groups``
  (the same rule of who may amend; an amendment "usulan SIGAP" → the same groups, one audit entry);
* the violence types and sexual-violence forms; the victim's condition and needs;
  the danger flags (``DANGER_FIELDS``: they feed triage); the safe contact
  (``safe_times``, sealed and need-to-know like a victim's address; ``safe_channel``;
  ``never_call_back``); the consents.

Authority (kewenangan) is not amended here: staff decide it on the report
(``actions.decide_authority``, with a reason; the amend page links to it); a corrected desa
of a victim or an event re-suggests it (``authority.refresh``) unless staff decided.

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
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.accounts.roles import Perm, has_permission
from sigap.intake.ages import recompute_report
from sigap.intake.amend.people import (
    _add_perpetrator,
    _add_victim,
    _check_after_recompute,
    _check_disability,
    _remove_perpetrator,
    _remove_victim,
    _set_perpetrator,
    _set_victim,
    _set_victim_list,
    _settle_ampk_groups,
    _victim_label,
    _write_people,
)
from sigap.intake.amend.records import _set_event, _set_reporter, _write_events
from sigap.intake.amend.state import (
    CONSENT_FIELDS,
    DANGER_FIELDS,
    EVENT_FIELDS,
    IDENTITY,
    PERPETRATOR_FIELDS,
    PLAIN,
    REPORT_TEXT_FIELDS,
    REPORTER_FIELDS,
    VICTIM_DETAIL,
    VICTIM_FIELDS,
    VICTIM_LIST_FIELDS,
    _Amending,
    _choice_label,
    _field_label,
    _labels,
    _show,
    text_problem,
    visibility,
)
from sigap.intake.authority import refresh as refresh_authority
from sigap.intake.codes import (
    RISK_ORDER,
    AmpkGroup,
    Risk,
    SafeChannel,
    SexualViolenceForm,
    ViolenceType,
)
from sigap.intake.models import (
    Report,
    ReportAmendment,
    ReportSexualForm,
    ReportViolence,
    Victim,
    VictimAmpkGroup,
)
from sigap.intake.signals import report_risk_raised, send_on_commit
from sigap.intake.triage import PerpetratorFacts, TriageFacts, VictimFacts, assess, response_due
from sigap.intake.validation import ReportInvalid
from sigap.vault.audit import record

__all__ = [
    "IDENTITY", "PLAIN", "VICTIM_DETAIL", "amend_report", "confirm_ampk_groups", "may_amend",
    "register_amendment_hook", "text_problem", "visibility",
]

AmendmentHook = Callable[[Report, Any, "HttpRequest | None"], None]
_HOOKS: list[AmendmentHook] = []


def register_amendment_hook(hook: AmendmentHook) -> None:
    """``hook(report, by, request)`` runs once after every amendment, inside its transaction."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)


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
        locked = Report.objects.select_for_update().get(pk=report.pk)  # no outer join: PostgreSQL refuses FOR UPDATE on one
        state = _Amending(locked, by=by, reason=reason, now=now)
        if not reason:
            state.errors["reason"] = _("Tuliskan alasan perubahan.")
        elif text_problem(reason, 2000):
            state.errors["reason"] = str(text_problem(reason, 2000))
        for key, value in changes.items():
            _apply(state, str(key), value)
        _check_disability(state)
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
        # Kewenangan follows the places (a desa now known) unless staff decided it.
        refresh_authority(locked)
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


class AlreadyChosen(ReportInvalid):
    """The victim's AMPK groups are staff's choice already (a second click, a colleague first): nothing to do."""


def confirm_ampk_groups(report: Report, victim: Victim, *, by: Any, request: HttpRequest | None = None,
                        now: datetime.datetime | None = None) -> ReportAmendment:
    """Staff take SIGAP's suggested AMPK groups of a child victim as their own choice, unchanged.

    Submitting the same groups on the amendment form is no change, so the suggestion would stay
    "usulan SIGAP" forever; this is the explicit act. The same rule as amending (``may_amend``),
    one transaction: the victim's suggested rows become chosen (nothing else changes, so no
    re-evaluation and no hooks: the tally counts suggested and chosen groups alike), one
    ``ReportAmendment`` ("usulan SIGAP" → the same groups, for the report's history and the case
    timeline) and one audit entry (``intake.ampk_groups_confirmed``, the victim's id only).
    Raises ``PermissionDenied``, ``AlreadyChosen`` when the groups are staff's choice already (the second
    of two confirmations), or ``ReportInvalid`` when there is nothing to confirm (a victim of another report,
    an adult, no group).
    """
    if not may_amend(by, report):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        # The report's lock serialises this with amend_report, which may replace the groups.
        locked = Report.objects.select_for_update().get(pk=report.pk)
        current = Victim.objects.filter(pk=victim.pk, report=locked).first()
        if current is None:
            raise ReportInvalid({"victim": _("Korban ini tidak ada.")}, _("Korban ini tidak ada."))
        if not current.is_child:
            message = _("Kelompok AMPK hanya untuk korban anak (di bawah 18 tahun saat kejadian).")
            raise ReportInvalid({"victim": message}, message)
        rows = list(VictimAmpkGroup.objects.filter(victim=current))
        if rows and not any(row.suggested for row in rows):
            message = _("Kelompok AMPK korban ini sudah pilihan petugas; tidak ada usulan SIGAP untuk "
                        "dikonfirmasi.")
            raise AlreadyChosen({"victim": message}, message)
        if not rows:
            message = _("Korban ini tidak mempunyai kelompok AMPK usulan SIGAP.")
            raise ReportInvalid({"victim": message}, message)
        names = dict(AmpkGroup.choices)
        mark = _("usulan SIGAP")
        old = [f"{names.get(row.group, row.group)} ({mark})" if row.suggested else str(names.get(row.group, row.group))
               for row in sorted(rows, key=lambda row: row.group)]
        VictimAmpkGroup.objects.filter(victim=current, suggested=True).update(suggested=False)
        amendment = ReportAmendment.objects.create(
            report=locked, field=f"victims.{current.position}.ampk_groups",
            label=_victim_label(current.position, "ampk_groups")[:120], old_value=_show(old),
            new_value=_show(_labels(AmpkGroup, [row.group for row in rows])),
            reason=_("Kelompok AMPK usulan SIGAP dikonfirmasi petugas tanpa perubahan."), by=by, at=now)
        record("intake.ampk_groups_confirmed", actor=by, obj=current, request=request)
    return amendment


def _apply(state: _Amending, key: str, value: Any) -> None:
    """Route one change to its handler; an unknown key is an error, never ignored."""
    parts = key.split(".")
    locked = state.report
    if parts[0] in ("victims", "perpetrators") and len(parts) == 2 and parts[1] == "add":
        (_add_victim if parts[0] == "victims" else _add_perpetrator)(state, value)
    elif parts[0] in ("victims", "perpetrators", "events") and len(parts) == 3 and parts[1].isascii() \
            and parts[1].isdigit() and len(parts[1]) < 4:
        position, field = int(parts[1]), parts[2]
        if parts[0] == "victims" and field in (*VICTIM_FIELDS, *VICTIM_LIST_FIELDS, "remove"):
            victim = state.victims.get(position)
            if victim is None:
                state.errors[key] = _("Korban ini tidak ada.")
            elif field in VICTIM_LIST_FIELDS:
                problem = _set_victim_list(state, victim, field, value)
                if problem:
                    state.errors[key] = problem
            elif field == "remove":
                if value:
                    _remove_victim(state, victim)
            else:
                if field == "disability" and bool(value) != victim.disability:
                    state.disability_claims[victim.pk] = bool(value)
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
        problem = text_problem(value, 10000)
        if problem:
            state.errors[key] = problem
            return
        text = (value or "").strip() or None
        if text != getattr(locked, key):
            state.note(key, _field_label(key), getattr(locked, key), text)
            setattr(locked, key, text)
    elif key in (*CONSENT_FIELDS, *DANGER_FIELDS, "never_call_back"):
        if value is not None and not isinstance(value, bool | str):
            state.errors[key] = _("Isian tidak sah.")
            return
        flag = bool(value)
        if flag != getattr(locked, key):
            state.note(key, _field_label(key), getattr(locked, key), flag)
            setattr(locked, key, flag)
    elif key == "safe_times":
        problem = text_problem(value, 200)
        if problem:
            state.errors[key] = problem
            return
        text = (value or "").strip() or None
        if text != locked.safe_times:
            state.note(key, _field_label(key), locked.safe_times, text)
            locked.safe_times = text
    elif key == "safe_channel":
        channel = value or ""
        if not isinstance(channel, str) or (channel and channel not in SafeChannel.values):
            state.errors[key] = _("Pilihan tidak dikenal.")
            return
        if channel != locked.safe_channel:
            state.note(key, _field_label(key), _choice_label(SafeChannel, locked.safe_channel),
                       _choice_label(SafeChannel, channel))
            locked.safe_channel = channel
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
