"""Amending a filed report: every change kept with who, when, why, then one re-evaluation.

``amend_report(report, changes, *, by, reason)`` is the action (one transaction,
one ``ReportAmendment`` per changed field with the old and new value sealed, one
audit entry). What it covers here: a victim's name, date of birth, stated age,
sex, NIK, desa, education, occupation and disability; the violence types and
sexual-violence forms; the victim's condition and needs; the consents.

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
from sigap.intake.codes import (
    RISK_ORDER,
    Education,
    Occupation,
    Risk,
    Sex,
    SexualViolenceForm,
    ViolenceType,
)
from sigap.intake.models import Report, ReportAmendment, ReportSexualForm, ReportViolence, Victim
from sigap.intake.signals import report_risk_raised, send_on_commit
from sigap.intake.triage import PerpetratorFacts, TriageFacts, VictimFacts, assess, response_due
from sigap.intake.validation import (
    EARLIEST_YEAR,
    MAX_AGE,
    ReportInvalid,
    age_on,
    canonical_nik,
    nik_problem,
)
from sigap.vault.audit import record
from sigap.vault.blind import name_index, nik_index

AmendmentHook = Callable[[Report, Any, "HttpRequest | None"], None]
_HOOKS: list[AmendmentHook] = []


def register_amendment_hook(hook: AmendmentHook) -> None:
    """``hook(report, by, request)`` runs once after every amendment, inside its transaction."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)


VICTIM_FIELDS = ("name", "birth_date", "age", "sex", "nik", "desa", "education", "occupation", "disability")
REPORT_TEXT_FIELDS = ("victim_condition", "needs")
CONSENT_FIELDS = ("consent_process", "consent_refer", "consent_police", "consent_statistics")


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


def amend_report(report: Report, changes: dict[str, Any], *, by: Any, reason: str,
                 request: HttpRequest | None = None, now: datetime.datetime | None = None) -> list[ReportAmendment]:
    """Apply ``changes`` to a report and keep the history. Returns the amendments (none when nothing changed).

    ``changes`` keys: ``victims.<position>.<field>`` (VICTIM_FIELDS), ``violence_types`` and
    ``sexual_violence_forms`` (lists of codes), ``victim_condition``, ``needs``, the consent flags.
    Raises ``ReportInvalid`` (a clear message per field, nothing changed) or ``PermissionDenied``.
    """
    if not may_amend(by, report):
        raise PermissionDenied
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Tuliskan alasan perubahan.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    amendments: list[ReportAmendment] = []
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        victims = {v.position: v for v in Victim.objects.filter(report=locked)}
        dirty_victims: set[int] = set()

        def note(field: str, label: str, old: Any, new: Any) -> None:
            amendments.append(ReportAmendment(report=locked, field=field, label=label[:120], old_value=_show(old),
                                              new_value=_show(new), reason=reason, by=by, at=now))

        for key, value in changes.items():
            parts = key.split(".")
            if parts[0] == "victims" and len(parts) == 3 and parts[1].isdigit() and parts[2] in VICTIM_FIELDS:
                victim = victims.get(int(parts[1]))
                if victim is None:
                    errors[key] = _("Korban ini tidak ada.")
                    continue
                problem = _set_victim(victim, parts[2], value, today, note, int(parts[1]))
                if problem is None:
                    dirty_victims.add(victim.pk)
                elif problem:
                    errors[key] = problem
            elif key == "violence_types":
                codes = set(value or [])
                if not codes or not codes <= set(ViolenceType.values):
                    errors[key] = _("Pilih sedikitnya satu jenis kekerasan yang dikenal.")
                    continue
                old = set(ReportViolence.objects.filter(report=locked).values_list("violence_type", flat=True))
                if codes != old:
                    ReportViolence.objects.filter(report=locked, violence_type__in=old - codes).delete()
                    ReportViolence.objects.bulk_create(ReportViolence(report=locked, violence_type=t)
                                                       for t in sorted(codes - old))
                    note(key, _("Jenis kekerasan"), _labels(ViolenceType, old), _labels(ViolenceType, codes))
            elif key == "sexual_violence_forms":
                codes = set(value or [])
                if not codes <= set(SexualViolenceForm.values):
                    errors[key] = _("Bentuk kekerasan seksual tidak dikenal.")
                    continue
                old = set(ReportSexualForm.objects.filter(report=locked).values_list("form", flat=True))
                if codes != old:
                    ReportSexualForm.objects.filter(report=locked, form__in=old - codes).delete()
                    ReportSexualForm.objects.bulk_create(ReportSexualForm(report=locked, form=f)
                                                         for f in sorted(codes - old))
                    note(key, _("Bentuk kekerasan seksual"), _labels(SexualViolenceForm, old),
                         _labels(SexualViolenceForm, codes))
            elif key in REPORT_TEXT_FIELDS:
                text = (value or "").strip() or None
                if text is not None and len(text) > 10000:
                    errors[key] = _("Teks terlalu panjang.")
                    continue
                if text != getattr(locked, key):
                    note(key, _field_label(key), getattr(locked, key), text)
                    setattr(locked, key, text)
            elif key in CONSENT_FIELDS:
                flag = bool(value)
                if flag != getattr(locked, key):
                    note(key, _field_label(key), getattr(locked, key), flag)
                    setattr(locked, key, flag)
            else:
                errors[key] = _("Bagian ini tidak dapat diubah di sini.")
        types = set(ReportViolence.objects.filter(report=locked).values_list("violence_type", flat=True))
        if ReportSexualForm.objects.filter(report=locked).exists() and ViolenceType.SEKSUAL not in types:
            errors.setdefault("sexual_violence_forms", _(
                "Bentuk kekerasan seksual hanya diisi bila jenis kekerasan mencakup 'seksual'."))
        if errors:
            transaction.set_rollback(True)
            raise ReportInvalid(errors, _("Perubahan belum disimpan. Periksa isian yang ditandai."))
        if not amendments:
            return []
        for victim in victims.values():
            if victim.pk in dirty_victims:
                victim.save()
        # Age at the incident, child status and case type per victim and report (14a's module).
        recompute_report(locked)
        fresh = list(Victim.objects.filter(report=locked).order_by("position"))
        old_risk = locked.risk
        result = assess(_facts(locked, fresh, types))
        locked.risk_computed, locked.risk_reasons = result.risk, result.reasons
        if not locked.risk_overridden:
            locked.risk = result.risk
            locked.response_due_at = response_due(result.risk, locked.received_at)
        locked.save()
        ReportAmendment.objects.bulk_create(amendments)
        record("intake.report_amended", actor=by, obj=locked, request=request)
        for hook in _HOOKS:
            hook(locked, by, request)
        if RISK_ORDER[Risk(locked.risk)] > RISK_ORDER[Risk(old_risk)]:
            # After commit: the alerts app notifies the people on duty again (alert_report, "risk_raised").
            send_on_commit(report_risk_raised, sender=Report, report=locked, old_risk=old_risk, new_risk=locked.risk)
        _mark_tally(locked)
    report.refresh_from_db()
    return amendments


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


def _set_victim(victim: Victim, field: str, value: Any, today: datetime.date,
                note: Callable[[str, str, Any, Any], None], position: int) -> str | None:
    """Set one victim field. Returns None when changed, "" when unchanged, or an error message."""
    label = _("Korban %(n)d: %(field)s") % {"n": position + 1, "field": {
        "name": _("nama"), "birth_date": _("tanggal lahir"), "age": _("usia"), "sex": _("jenis kelamin"),
        "nik": _("NIK"), "desa": _("desa"), "education": _("pendidikan"), "occupation": _("pekerjaan"),
        "disability": _("disabilitas")}[field]}
    key = f"victims.{position}.{field}"
    if field == "birth_date":
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value) if value else None
            except ValueError:
                return _("Tulis tanggal sebagai TTTT-BB-HH.")
        if value is not None and (value > today or value.year < EARLIEST_YEAR or age_on(value, today) > MAX_AGE):
            return _("Tanggal lahir tidak masuk akal.")
        if value == victim.birth_date:
            return ""
        note(key, label, victim.birth_date, value)
        victim.birth_date = value
        if value is not None:
            victim.stated_age = None
        return None
    if field == "age":
        text = str(value).strip() if value not in (None, "") else ""
        if text and (not text.isdigit() or int(text) > MAX_AGE):
            return _("Usia harus angka 0 sampai %(max)d.") % {"max": MAX_AGE}
        new = text or None
        if new == victim.stated_age:
            return ""
        note(key, label, victim.stated_age, new)
        victim.stated_age = new
        return None
    if field == "name":
        new = (value or "").strip()[:200] or None
        if new == victim.name:
            return ""
        note(key, label, victim.name, new)
        victim.name, victim.name_index = new, name_index(new) if new else ""
        return None
    if field == "nik":
        new = canonical_nik(value) if value else None
        if new and nik_problem(new):
            return nik_problem(new)
        if new == victim.nik:
            return ""
        note(key, label, victim.nik, new)
        victim.nik, victim.nik_index = new, (nik_index(new) or "") if new else ""
        return None
    if field == "desa":
        from sigap.regions.models import Region

        if not Region.objects.desa().filter(code=value or "").exists():
            return _("Kode desa tidak dikenal.")
        if value == victim.desa_id:
            return ""
        note(key, label, victim.desa_id, value)
        victim.desa_id, victim.kecamatan_code = value, value.rsplit(".", 1)[0]
        return None
    if field == "disability":
        flag = bool(value)
        if flag == victim.disability:
            return ""
        note(key, label, victim.disability, flag)
        victim.disability = flag
        return None
    choices = {"sex": Sex, "education": Education, "occupation": Occupation}[field]
    new = value or ""
    if (new and new not in choices.values) or (field == "sex" and not new):
        return _("Pilihan tidak dikenal.")
    if new == getattr(victim, field):
        return ""
    note(key, label, dict(choices.choices).get(getattr(victim, field), "—"), dict(choices.choices).get(new, "—"))
    setattr(victim, field, new)
    return None
