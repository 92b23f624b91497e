"""Every case state change: one transaction, one audit entry, notifications after commit.

Views parse input, check access (``sigap.cases.access``), call one of these and
respond. Each action checks again who may do it (``PermissionDenied``) and
whether the case's state allows it (``CaseActionError``, with a translated
message that names no person). Typed reasons and comments are sealed on the
record they explain, never written into the audit log; audit entries carry ids.

Notification texts carry case numbers and kinds of event only
(``sigap.core.notify.notify`` writes them when the transaction commits).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.accounts.roles import ROLE_PERMISSIONS, Perm
from sigap.cases import access, rules
from sigap.cases.codes import (
    OPEN_REFERRAL_STATUSES,
    REFERRAL_NEXT,
    STAGE_ORDER,
    AttachmentKind,
    CaseStatus,
    ClosureOutcome,
    ClosureStatus,
    ConsentBasis,
    MediationMatter,
    PlanStatus,
    PoliceDutyBasis,
    ReferralStatus,
    SimfoniService,
    Stage,
    TaskKind,
    UptdService,
)
from sigap.cases.models import (
    Assessment,
    Attachment,
    Case,
    CaseCounter,
    CaseNote,
    CaseReport,
    CaseViolence,
    Closure,
    InterventionPlan,
    MediationSession,
    PlanItem,
    PoliceDutyDecision,
    Referral,
    ReferralUpdate,
    ServiceRecord,
    ShelterExtension,
    ShelterStay,
    StageChange,
    Task,
)
from sigap.cases.notifications import notify
from sigap.intake.codes import OPEN_STATUSES, RISK_ORDER, ContactOutcome, ReportStatus
from sigap.intake.models import ChronologyEvent, Report, ReportViolence
from sigap.vault.audit import record

RISK_RANK: dict[str, int] = {str(risk): rank for risk, rank in RISK_ORDER.items()}


class CaseActionError(Exception):
    """The case's state does not allow this. ``message`` is translated; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__("case action refused")  # never the values
        self.message = message
        self.field = field


class MediationRefused(CaseActionError):
    """The case may not be mediated (``rules.mediation_refusal``); ``message`` names the legal grounds."""


# --- helpers ---------------------------------------------------------------------


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock so two changes to one case do not interleave."""
    return Case.objects.select_for_update().get(pk=case.pk)


# Other apps may make a case read-only (``sigap.accompaniment``: a case transferred to
# another unit): each guard returns the translated refusal, or None.
WRITE_GUARDS: list[Callable[[Case], str | None]] = []


def register_write_guard(guard: Callable[[Case], str | None]) -> None:
    if guard not in WRITE_GUARDS:
        WRITE_GUARDS.append(guard)


def _require_worker(case: Case, by: Any) -> None:
    _require(access.can_work(by, case))
    for guard in WRITE_GUARDS:
        refusal = guard(case)
        if refusal:
            raise CaseActionError(refusal)


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise CaseActionError(_("Kasus sudah ditutup. Buka kembali kasus lebih dulu."))


def _link(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def worker_roles() -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if Perm.WORK_CASES in perms]


def managers() -> list[User]:
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.APPROVE_PLANS in perms]
    return list(User.objects.filter(role__in=roles, is_active=True))


def _worker_or_managers(case: Case) -> list[Any]:
    return [case.assigned_to] if case.assigned_to_id else managers()


def refresh_next_due(case: Case) -> None:
    """Copy the earliest open task's due time onto the case (what the list sorts and filters on)."""
    due = None
    if case.is_open:
        due = Task.objects.filter(case=case, done_at__isnull=True).aggregate(m=Min("due_at"))["m"]
    Case.objects.filter(pk=case.pk).update(next_due_at=due)
    case.next_due_at = due


def _add_task(case: Case, kind: str, due_at: datetime.datetime, *, assigned_to: Any = None,
              plan_item: PlanItem | None = None, now: datetime.datetime | None = None) -> Task:
    return Task.objects.create(case=case, kind=kind, due_at=due_at, assigned_to=assigned_to, plan_item=plan_item,
                               created_at=_now(now))


def _complete_tasks(case: Case, kind: str, *, by: Any, now: datetime.datetime) -> int:
    return Task.objects.filter(case=case, kind=kind, done_at__isnull=True).update(done_at=now, done_by=by)


def _stage_change(case: Case, to_stage: str, *, by: Any, note: str | None, now: datetime.datetime) -> StageChange:
    change = StageChange.objects.create(case=case, from_stage=case.stage, to_stage=to_stage, by=by, at=now,
                                        note=_text(note))
    case.stage = to_stage
    return change


def _save(case: Case, *fields: str, now: datetime.datetime) -> None:
    case.updated_at = now
    case.save(update_fields=[*fields, "updated_at"])


# --- opening and assigning ------------------------------------------------------------


def _next_case_number(region_code: str, year: int) -> int:
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(region_code=region_code, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value


def open_case(reports: Sequence[Report], *, by: Any, request: HttpRequest | None = None,
              now: datetime.datetime | None = None) -> Case:
    """Open one case from one report or several linked reports (the earliest is the primary one).

    Creates the triage tasks: first contact (due at the report's response
    deadline), an outreach visit for high risk, and the police referral deadline
    (3x24 hours from the report) for sexual violence.
    """
    _require(access.can_open_cases(by))
    ids = sorted({r.pk for r in reports})
    if not ids:
        raise CaseActionError(_("Pilih sedikitnya satu laporan."), "reports")
    now = _now(now)
    with transaction.atomic():
        locked = list(Report.objects.visible_to(by).select_for_update().filter(pk__in=ids).order_by("received_at", "pk"))
        _require(len(locked) == len(ids))
        if CaseReport.objects.filter(report_id__in=ids).exists():
            raise CaseActionError(_("Laporan ini sudah menjadi bagian dari sebuah kasus."), "reports")
        if any(r.status not in OPEN_STATUSES for r in locked):
            raise CaseActionError(_("Laporan yang sudah selesai tidak dapat dibuka sebagai kasus."), "reports")
        primary = locked[0]
        types = set(ReportViolence.objects.filter(report_id__in=ids).values_list("violence_type", flat=True))
        sexual = rules.police_duty_applies(rules.facts_for_reports(ids))
        reported_at = min(r.received_at for r in locked)
        region_code = str(settings.SIGAP_REGION).replace(".", "")
        local = timezone.localtime(now)
        sequence = _next_case_number(region_code, local.year)
        case = Case.objects.create(
            number=f"{region_code}-{local.year}-K{sequence:05d}",
            region_code=region_code,
            year=local.year,
            sequence=sequence,
            stage=Stage.PENERIMAAN,
            opened_at=now,
            opened_by=by,
            primary_report=primary,
            registration_number=primary.registration_number,
            risk=max((r.risk for r in locked), key=lambda risk: RISK_RANK.get(risk, 0)),
            case_type=primary.case_type,
            kecamatan_code=primary.kecamatan_code,
            desa_id=primary.desa_id,
            has_sexual_violence=sexual,
            reported_at=reported_at,
            police_deadline_at=(
                reported_at + datetime.timedelta(hours=settings.SIGAP_POLICE_REFERRAL_HOURS) if sexual else None
            ),
            updated_at=now,
        )
        try:
            with transaction.atomic():
                CaseReport.objects.bulk_create(CaseReport(case=case, report=r, added_at=now) for r in locked)
        except IntegrityError:
            raise CaseActionError(_("Laporan ini sudah menjadi bagian dari sebuah kasus."), "reports") from None
        CaseViolence.objects.bulk_create(CaseViolence(case=case, violence_type=t) for t in sorted(types))
        StageChange.objects.create(case=case, from_stage="", to_stage=Stage.PENERIMAAN, by=by, at=now)
        Report.objects.filter(pk__in=ids).update(status=ReportStatus.DITANGANI)
        _add_task(case, TaskKind.FIRST_CONTACT, min(r.response_due_at for r in locked), now=now)
        if case.risk == "tinggi":
            _add_task(case, TaskKind.OUTREACH_VISIT, now + datetime.timedelta(hours=settings.SIGAP_OUTREACH_HOURS),
                      now=now)
        if case.police_deadline_at is not None:
            _add_task(case, TaskKind.POLICE_REFERRAL, case.police_deadline_at, now=now)
        refresh_next_due(case)
        record("cases.case_opened", actor=by, obj=case, request=request)
        notify(managers(), "case_opened", _("Kasus baru %(number)s menunggu penugasan.") % {"number": case.number},
               link=_link("cases:case_detail", case.pk))
    return case


def assign_case(case: Case, worker: Any, *, by: Any, request: HttpRequest | None = None,
                now: datetime.datetime | None = None) -> Case:
    """The manager gives the case to a case worker (or takes it)."""
    _require(access.can_assign(by))
    if worker is None or not worker.is_active or worker.role not in worker_roles():
        raise CaseActionError(_("Pilih pendamping yang aktif."), "worker")
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _require(Case.objects.visible_to(by).filter(pk=case.pk).exists())
        _require_open(case)
        if case.assigned_to_id == worker.pk:
            return case
        case.assigned_to, case.assigned_at = worker, now
        _save(case, "assigned_to", "assigned_at", now=now)
        record("cases.case_assigned", actor=by, obj=case, request=request)
        notify([worker], "case_assigned", _("Kasus %(number)s ditugaskan kepada Anda.") % {"number": case.number},
               link=_link("cases:case_detail", case.pk))
    return case


# --- stages --------------------------------------------------------------------------


@dataclass(frozen=True)
class StageOptions:
    """What the stage control may offer: the next stage (or why not yet) and the earlier ones.

    The same rules as ``move_stage``, asked before the user tries.
    """

    forward: str | None
    blocked: str
    back: list[str]


def stage_options(case: Case) -> StageOptions:
    """The next stage when ``move_stage`` would accept it, else why not; earlier stages (with a note)."""
    if case.stage not in STAGE_ORDER or not case.is_open:
        return StageOptions(forward=None, blocked="", back=[])
    current = STAGE_ORDER[case.stage]
    back = list(reversed(Stage.values[:current]))
    following = Stage.values[current + 1] if current + 1 < len(Stage.values) else None
    blocked = forward_blocker(case, following) if following else ""
    return StageOptions(forward=following if following and not blocked else None, blocked=blocked, back=back)


def forward_blocker(case: Case, to_stage: str) -> str:
    """What is still missing before ``case`` may move forward to ``to_stage``, or "" (one rule for both
    ``move_stage`` and the stage control)."""
    if to_stage == Stage.TERMINASI:
        return _("Kasus ditutup melalui pengajuan penutupan yang disetujui manajer.")
    if to_stage == Stage.RENCANA and not case.assessments.exists():
        return _("Asesmen belum disimpan.")
    if to_stage == Stage.PELAKSANAAN and not case.plans.filter(status=PlanStatus.APPROVED).exists():
        return _("Rencana intervensi belum disetujui manajer.")
    return ""


def assessment_blocker(case: Case) -> str:
    """Why an assessment cannot be saved at the case's stage, or ""."""
    if STAGE_ORDER.get(case.stage, 0) < STAGE_ORDER[Stage.ASESMEN]:
        return _("Pindahkan kasus ke tahap asesmen lebih dulu. Formulir ini hanya dapat dibaca sampai saat itu.")
    return ""


def plan_blocker(case: Case) -> str:
    """Why a plan cannot be saved at the case's stage, or ""."""
    if STAGE_ORDER.get(case.stage, 0) < STAGE_ORDER[Stage.RENCANA]:
        missing = _("Asesmen belum disimpan.") if not case.assessments.exists() else ""
        return " ".join(p for p in (
            missing,
            _("Pindahkan kasus ke tahap rencana intervensi lebih dulu. Formulir ini hanya dapat dibaca sampai saat itu."),
        ) if p)
    return ""


def move_stage(case: Case, to_stage: str, *, by: Any, note: str = "", request: HttpRequest | None = None,
               now: datetime.datetime | None = None) -> Case:
    """Move forward one stage, or back to any earlier stage with a note.

    Terminasi is reached only through an approved closure; pelaksanaan
    intervensi only through an approved plan.
    """
    if to_stage not in STAGE_ORDER:
        raise CaseActionError(_("Tahap tidak dikenal."), "stage")
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        _require_open(case)
        current, target = STAGE_ORDER[case.stage], STAGE_ORDER[to_stage]
        if to_stage == Stage.TERMINASI:
            raise CaseActionError(forward_blocker(case, to_stage), "stage")
        if target == current:
            raise CaseActionError(_("Kasus sudah berada di tahap ini."), "stage")
        if target > current + 1:
            raise CaseActionError(_("Tahap dilalui berurutan; tidak boleh melompati tahap."), "stage")
        if target < current and not _text(note):
            raise CaseActionError(_("Tulis alasan mengembalikan kasus ke tahap sebelumnya."), "note")
        if target > current and (missing := forward_blocker(case, to_stage)):
            raise CaseActionError(missing, "stage")
        _stage_change(case, to_stage, by=by, note=note, now=now)
        _save(case, "stage", now=now)
        if to_stage == Stage.ASESMEN and not case.assessments.exists() and not case.tasks.filter(
            kind=TaskKind.ASSESSMENT, done_at__isnull=True
        ).exists():
            _add_task(case, TaskKind.ASSESSMENT, now + datetime.timedelta(days=settings.SIGAP_ASSESSMENT_DAYS),
                      now=now)
            refresh_next_due(case)
        record("cases.stage_moved", actor=by, obj=case, request=request)
    return case


# --- assessment and plan -------------------------------------------------------------

ASSESSMENT_FIELDS = ("biological", "psychological", "social", "spiritual", "risks", "needs")


def record_assessment(case: Case, data: dict[str, str], *, by: Any, request: HttpRequest | None = None,
                      now: datetime.datetime | None = None) -> Assessment:
    """Save an asesmen biopsikososial; a later one is a new record and the earlier stays."""
    values = {name: _text(data.get(name)) for name in ASSESSMENT_FIELDS}
    if not any(values.values()):
        raise CaseActionError(_("Isi sedikitnya satu bagian asesmen."))
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        _require_open(case)
        if STAGE_ORDER[case.stage] < STAGE_ORDER[Stage.ASESMEN]:
            raise CaseActionError(_("Pindahkan kasus ke tahap asesmen lebih dulu."))
        assessment = Assessment.objects.create(case=case, by=by, at=now, **values)
        if case.assessed_at is None:
            case.assessed_at = now
            _save(case, "assessed_at", now=now)
        _complete_tasks(case, TaskKind.ASSESSMENT, by=by, now=now)
        refresh_next_due(case)
        record("cases.assessment_recorded", actor=by, obj=assessment, request=request)
    return assessment


def _current_plan(case: Case) -> InterventionPlan | None:
    return case.plans.order_by("-version").first()


def save_plan(case: Case, *, by: Any, goals: str, request: HttpRequest | None = None,
              now: datetime.datetime | None = None) -> InterventionPlan:
    """Write the goals of the plan being drafted. After an approval this starts the next version,
    carrying its planned services over."""
    if not _text(goals):
        raise CaseActionError(_("Tuliskan tujuan intervensi."), "goals")
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        _require_open(case)
        if STAGE_ORDER[case.stage] < STAGE_ORDER[Stage.RENCANA]:
            raise CaseActionError(_("Pindahkan kasus ke tahap rencana intervensi lebih dulu."))
        plan = _current_plan(case)
        if plan is not None and plan.status == PlanStatus.SUBMITTED:
            raise CaseActionError(_("Rencana sedang menunggu keputusan manajer."))
        if plan is None or plan.status == PlanStatus.APPROVED:
            previous = plan
            plan = InterventionPlan.objects.create(
                case=case, version=(previous.version + 1) if previous else 1, goals=_text(goals), created_by=by,
                created_at=now,
            )
            if previous is not None:
                PlanItem.objects.bulk_create(
                    PlanItem(plan=plan, service=i.service, simfoni_type=i.simfoni_type, description=i.description,
                             responsible_user_id=i.responsible_user_id,
                             responsible_partner_id=i.responsible_partner_id, due_date=i.due_date)
                    for i in previous.items.all()
                )
        else:
            plan.goals = _text(goals)
            plan.save(update_fields=["goals"])
        record("cases.plan_saved", actor=by, obj=plan, request=request)
    return plan


def _refuse_mediation(case: Case, *, field: str | None = None) -> None:
    """Raise ``MediationRefused`` with the legal grounds when the case may not be mediated."""
    refusal = rules.mediation_refusal(case)
    if refusal is not None:
        raise MediationRefused(refusal, field)


def _check_plan_mediation(plan: InterventionPlan) -> None:
    """A plan holding a mediasi item is neither submitted nor approved for a case that may not be mediated."""
    if plan.items.filter(service=UptdService.MEDIASI).exists():
        _refuse_mediation(plan.case)


def _editable_plan(plan: InterventionPlan, by: Any) -> InterventionPlan:
    plan = InterventionPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    _require_worker(plan.case, by)
    _require_open(plan.case)
    if not plan.editable:
        raise CaseActionError(_("Rencana ini tidak dapat diubah lagi."))
    return plan


def add_plan_item(plan: InterventionPlan, *, by: Any, service: str, due_date: datetime.date,
                  simfoni_type: str = "", description: str = "", responsible_user: Any = None,
                  responsible_partner: Any = None, request: HttpRequest | None = None) -> PlanItem:
    """A planned service with who is responsible (a worker or a partner agency) and a due date."""
    if service not in UptdService.values:
        raise CaseActionError(_("Pilih layanan."), "service")
    if simfoni_type and simfoni_type not in SimfoniService.values:
        raise CaseActionError(_("Jenis layanan SIMFONI tidak dikenal."), "simfoni_type")
    if (responsible_user is None) == (responsible_partner is None):
        raise CaseActionError(_("Pilih satu penanggung jawab: petugas atau mitra."), "responsible_user")
    if responsible_user is not None and (not responsible_user.is_active or responsible_user.role not in worker_roles()):
        raise CaseActionError(_("Penanggung jawab harus petugas yang menangani kasus."), "responsible_user")
    if responsible_partner is not None and not responsible_partner.active:
        raise CaseActionError(_("Mitra ini tidak aktif."), "responsible_partner")
    with transaction.atomic():
        plan = _editable_plan(plan, by)
        if service == UptdService.MEDIASI:
            _refuse_mediation(plan.case, field="service")
        item = PlanItem.objects.create(plan=plan, service=service, simfoni_type=simfoni_type or "",
                                       description=_text(description), responsible_user=responsible_user,
                                       responsible_partner=responsible_partner, due_date=due_date)
        record("cases.plan_item_added", actor=by, obj=item, request=request)
    return item


def remove_plan_item(item: PlanItem, *, by: Any, request: HttpRequest | None = None) -> None:
    """Drop a planned service from a plan that is still being drafted (nothing approved is ever removed)."""
    with transaction.atomic():
        _editable_plan(item.plan, by)
        record("cases.plan_item_removed", actor=by, obj=item, request=request)
        PlanItem.objects.filter(pk=item.pk).delete()


def submit_plan(plan: InterventionPlan, *, by: Any, request: HttpRequest | None = None,
                now: datetime.datetime | None = None) -> InterventionPlan:
    now = _now(now)
    with transaction.atomic():
        plan = _editable_plan(plan, by)
        if not plan.goals:
            raise CaseActionError(_("Tuliskan tujuan intervensi."), "goals")
        if not plan.items.exists():
            raise CaseActionError(_("Tambahkan sedikitnya satu layanan yang direncanakan."))
        _check_plan_mediation(plan)
        plan.status, plan.submitted_at = PlanStatus.SUBMITTED, now
        plan.save(update_fields=["status", "submitted_at"])
        record("cases.plan_submitted", actor=by, obj=plan, request=request)
        notify(managers(), "plan_submitted",
               _("Rencana intervensi kasus %(number)s menunggu persetujuan.") % {"number": plan.case.number},
               link=_link("cases:plan", plan.case_id))
    return plan


def _pending_plan(plan: InterventionPlan, by: Any) -> InterventionPlan:
    _require(access.can_approve(by))
    plan = InterventionPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    _require(Case.objects.visible_to(by).filter(pk=plan.case_id).exists())
    _require_open(plan.case)
    if plan.status != PlanStatus.SUBMITTED:
        raise CaseActionError(_("Rencana ini tidak sedang menunggu persetujuan."))
    return plan


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


def approve_plan(plan: InterventionPlan, *, by: Any, comment: str = "", request: HttpRequest | None = None,
                 now: datetime.datetime | None = None) -> InterventionPlan:
    """Approve the plan: the case moves to pelaksanaan intervensi and each planned service becomes a task."""
    now = _now(now)
    with transaction.atomic():
        plan = _pending_plan(plan, by)
        case = _lock(plan.case)
        # Sexual violence may have come to light since the plan was submitted.
        _check_plan_mediation(plan)
        plan.status, plan.decided_by, plan.decided_at = PlanStatus.APPROVED, by, now
        plan.decision_comment = _text(comment)
        plan.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
        if STAGE_ORDER[case.stage] < STAGE_ORDER[Stage.PELAKSANAAN]:
            _stage_change(case, Stage.PELAKSANAAN, by=by, note=comment, now=now)
            _save(case, "stage", now=now)
        for item in plan.items.all():
            _add_task(case, TaskKind.PLAN_ITEM, _end_of_day(item.due_date), assigned_to=item.responsible_user,
                      plan_item=item, now=now)
        refresh_next_due(case)
        record("cases.plan_approved", actor=by, obj=plan, request=request)
        notify(_worker_or_managers(case), "plan_approved",
               _("Rencana intervensi kasus %(number)s disetujui.") % {"number": case.number},
               link=_link("cases:plan", case.pk))
    return plan


def return_plan(plan: InterventionPlan, *, by: Any, comment: str, request: HttpRequest | None = None,
                now: datetime.datetime | None = None) -> InterventionPlan:
    if not _text(comment):
        raise CaseActionError(_("Tuliskan alasan mengembalikan rencana."), "comment")
    now = _now(now)
    with transaction.atomic():
        plan = _pending_plan(plan, by)
        plan.status, plan.decided_by, plan.decided_at = PlanStatus.RETURNED, by, now
        plan.decision_comment = _text(comment)
        plan.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
        record("cases.plan_returned", actor=by, obj=plan, request=request)
        notify(_worker_or_managers(plan.case), "plan_returned",
               _("Rencana intervensi kasus %(number)s dikembalikan untuk diperbaiki.") % {"number": plan.case.number},
               link=_link("cases:plan", plan.case_id))
    return plan


# --- services, shelter -----------------------------------------------------------------


def _first_service(case: Case, at: datetime.datetime, now: datetime.datetime) -> None:
    if case.first_service_at is None or at < case.first_service_at:
        case.first_service_at = at
        _save(case, "first_service_at", now=now)


def _check_provider(user: Any, partner: Any) -> None:
    if (user is None) == (partner is None):
        raise CaseActionError(_("Pilih satu pemberi layanan: petugas atau mitra."), "provider_user")


def record_service(case: Case, *, by: Any, service: str, delivered_on: datetime.date | None = None,
                   delivered_at: datetime.datetime | None = None, simfoni_type: str = "",
                   provider_user: Any = None, provider_partner: Any = None, outcome: str = "",
                   plan_item: PlanItem | None = None, request: HttpRequest | None = None,
                   now: datetime.datetime | None = None) -> ServiceRecord:
    """A service delivered, with its date and time (default now). Shelter stays and mediation have their
    own actions (their own rules). Given only a date, today's service is now and an earlier day's is noon."""
    if service not in UptdService.values:
        raise CaseActionError(_("Pilih layanan."), "service")
    if service == UptdService.PENAMPUNGAN:
        raise CaseActionError(_("Penampungan sementara dicatat lewat formulir penampungan."), "service")
    if service == UptdService.MEDIASI:
        raise CaseActionError(_("Mediasi dicatat lewat formulir mediasi."), "service")
    if simfoni_type and simfoni_type not in SimfoniService.values:
        raise CaseActionError(_("Jenis layanan SIMFONI tidak dikenal."), "simfoni_type")
    if provider_user is None and provider_partner is None:
        provider_user = by
    _check_provider(provider_user, provider_partner)
    now = _now(now)
    if delivered_at is None:
        if delivered_on is None or delivered_on == timezone.localdate(now):
            delivered_at = now
        else:
            delivered_at = timezone.make_aware(datetime.datetime.combine(delivered_on, datetime.time(12)))
    delivered_on = timezone.localtime(delivered_at).date()
    if delivered_at > now + datetime.timedelta(minutes=10):
        raise CaseActionError(_("Waktu layanan tidak boleh di masa depan."), "delivered_at")
    if delivered_at < case.reported_at - datetime.timedelta(days=1):
        raise CaseActionError(_("Waktu layanan tidak boleh sebelum laporan diterima."), "delivered_at")
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        _require_open(case)
        if plan_item is not None and plan_item.plan.case_id != case.pk:
            raise PermissionDenied
        service_record = ServiceRecord.objects.create(
            case=case, service=service, simfoni_type=simfoni_type or "", delivered_on=delivered_on,
            delivered_at=delivered_at, provider_user=provider_user, provider_partner=provider_partner, outcome=_text(outcome),
            plan_item=plan_item, recorded_by=by, recorded_at=now,
        )
        _first_service(case, delivered_at, now)
        if plan_item is not None:
            Task.objects.filter(case=case, plan_item=plan_item, done_at__isnull=True).update(done_at=now, done_by=by)
            refresh_next_due(case)
        record("cases.service_recorded", actor=by, obj=service_record, request=request)
    return service_record


def start_shelter(case: Case, *, by: Any, checked_in_at: datetime.datetime | None = None, place: Any = None,
                  note: str = "", request: HttpRequest | None = None,
                  now: datetime.datetime | None = None) -> ShelterStay:
    """Check the victim into temporary shelter for SIGAP_SHELTER_DAYS (7) days; the end is a task."""
    now = _now(now)
    checked_in_at = checked_in_at or now
    if checked_in_at > now + datetime.timedelta(minutes=10):
        raise CaseActionError(_("Waktu masuk tidak boleh di masa depan."), "checked_in_at")
    if place is not None and not place.active:
        raise CaseActionError(_("Mitra ini tidak aktif."), "place")
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        _require_open(case)
        if case.shelter_stays.filter(checked_out_at__isnull=True).exists():
            raise CaseActionError(_("Korban masih tercatat di penampungan."))
        stay = ShelterStay.objects.create(
            case=case, place=place, checked_in_at=checked_in_at,
            planned_end_at=checked_in_at + datetime.timedelta(days=settings.SIGAP_SHELTER_DAYS),
            checked_in_by=by, note=_text(note),
        )
        _add_task(case, TaskKind.SHELTER_END, stay.planned_end_at, now=now)
        _first_service(case, checked_in_at, now)
        refresh_next_due(case)
        record("cases.shelter_started", actor=by, obj=stay, request=request)
    return stay


def extend_shelter(stay: ShelterStay, *, by: Any, new_end_at: datetime.datetime, reason: str,
                   request: HttpRequest | None = None, now: datetime.datetime | None = None) -> ShelterStay:
    """Only the manager extends a stay, with a reason."""
    _require(access.can_approve(by))
    if not _text(reason):
        raise CaseActionError(_("Tuliskan alasan perpanjangan."), "reason")
    now = _now(now)
    with transaction.atomic():
        stay = ShelterStay.objects.select_for_update().select_related("case").get(pk=stay.pk)
        case = stay.case
        _require_worker(case, by)
        _require_open(case)
        if not stay.is_open:
            raise CaseActionError(_("Masa penampungan ini sudah selesai."))
        if new_end_at <= stay.planned_end_at:
            raise CaseActionError(_("Tanggal akhir baru harus setelah tanggal akhir sekarang."), "new_end_at")
        extension = ShelterExtension.objects.create(stay=stay, previous_end_at=stay.planned_end_at,
                                                    new_end_at=new_end_at, reason=_text(reason), approved_by=by,
                                                    at=now)
        stay.planned_end_at = new_end_at
        stay.save(update_fields=["planned_end_at"])
        Task.objects.filter(case=case, kind=TaskKind.SHELTER_END, done_at__isnull=True).update(
            due_at=new_end_at, escalated_at=None
        )
        refresh_next_due(case)
        record("cases.shelter_extended", actor=by, obj=extension, request=request)
        if case.assigned_to_id:
            notify([case.assigned_to], "shelter_extended",
                   _("Masa penampungan kasus %(number)s diperpanjang.") % {"number": case.number},
                   link=_link("cases:case_detail", case.pk))
    return stay


def end_shelter(stay: ShelterStay, *, by: Any, checked_out_at: datetime.datetime | None = None, note: str = "",
                request: HttpRequest | None = None, now: datetime.datetime | None = None) -> ShelterStay:
    now = _now(now)
    with transaction.atomic():
        stay = ShelterStay.objects.select_for_update().select_related("case").get(pk=stay.pk)
        case = stay.case
        _require_worker(case, by)
        if not stay.is_open:
            raise CaseActionError(_("Masa penampungan ini sudah selesai."))
        checked_out_at = checked_out_at or now
        if checked_out_at < stay.checked_in_at or checked_out_at > now + datetime.timedelta(minutes=10):
            raise CaseActionError(_("Waktu keluar tidak masuk akal."), "checked_out_at")
        stay.checked_out_at, stay.checked_out_by = checked_out_at, by
        if _text(note):
            stay.note = "\n\n".join(filter(None, [stay.note, _text(note)]))
        stay.save(update_fields=["checked_out_at", "checked_out_by", "note"])
        _complete_tasks(case, TaskKind.SHELTER_END, by=by, now=now)
        refresh_next_due(case)
        record("cases.shelter_ended", actor=by, obj=stay, request=request)
    return stay


# --- referrals -------------------------------------------------------------------------


def send_referral(case: Case, partner: Any, *, by: Any, service: str, consent: bool, purpose: str = "",
                  override_reason: str = "", request: HttpRequest | None = None,
                  now: datetime.datetime | None = None) -> Referral:
    """Refer the victim to a partner agency: with the victim's consent, or a manager's override with a reason.

    The letter is built now from what this kind of partner needs
    (``sigap.cases.letters``) and sealed on the referral; the partner sees only that.
    """
    from sigap.cases import letters
    from sigap.network.models import PartnerType

    if partner is None or not partner.active:
        raise CaseActionError(_("Pilih mitra yang aktif."), "partner")
    if not service:
        raise CaseActionError(_("Pilih layanan yang diminta."), "service")
    is_police = partner.partner_type == PartnerType.POLICE_UPPA
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        _require_open(case)
        # A consent refused at intake stands until the manager overrides it with a reason,
        # even when the form now says the victim agrees.
        refused_at_intake = not intake_consent(case)["police" if is_police else "refer"]
        override = refused_at_intake or not consent
        if override:
            if not access.can_approve(by):
                if refused_at_intake:
                    message = (_("Saat pengaduan korban tidak menyetujui dilaporkan ke polisi; rujukan ini "
                                 "membutuhkan keputusan manajer kasus dengan alasan.") if is_police else
                               _("Saat pengaduan korban tidak menyetujui dirujuk; rujukan ini membutuhkan "
                                 "keputusan manajer kasus dengan alasan."))
                else:
                    message = _("Rujukan membutuhkan persetujuan korban, atau keputusan manajer kasus dengan alasan.")
                raise CaseActionError(message, "consent")
            if not _text(override_reason):
                raise CaseActionError(_("Tuliskan alasan keputusan manajer untuk rujukan ini."), "override_reason")
        referral = Referral.objects.create(
            case=case, partner=partner, service=service, status=ReferralStatus.SENT,
            consent_basis=ConsentBasis.MANAGER_OVERRIDE if override else ConsentBasis.VICTIM,
            override_reason=_text(override_reason) if override else None, purpose=_text(purpose),
            letter=letters.dumps(letters.build_letter(case, partner, service=service, purpose=_text(purpose) or "",
                                                      sent_at=now, sender=by)),
            is_police=is_police, sent_by=by, sent_at=now, updated_at=now,
        )
        ReferralUpdate.objects.create(referral=referral, status=ReferralStatus.SENT, by=by, at=now)
        if is_police:
            if case.police_referred_at is None:
                case.police_referred_at = now
                _save(case, "police_referred_at", now=now)
            _complete_tasks(case, TaskKind.POLICE_REFERRAL, by=by, now=now)
            refresh_next_due(case)
        record("cases.referral_sent", actor=by, obj=referral, request=request)
        members = [m.user for m in partner.members.select_related("user").filter(user__is_active=True)]
        notify(members, "referral_received", _("Rujukan baru untuk lembaga Anda dari %(office)s.")
               % {"office": settings.SIGAP_OFFICE_NAME}, link=_link("cases:referral_detail", referral.pk))
    return referral


def update_referral(referral: Referral, status: str, *, by: Any, note: str = "", request: HttpRequest | None = None,
                    now: datetime.datetime | None = None) -> Referral:
    """Accepted, declined or done: set by the partner's own users or by staff who work the case."""
    now = _now(now)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().select_related("case", "partner").get(pk=referral.pk)
        by_partner = access.is_partner_user(by)
        if by_partner:
            _require(Referral.objects.visible_to(by).filter(pk=referral.pk).exists())
        else:
            _require_worker(referral.case, by)
        if status not in REFERRAL_NEXT.get(referral.status, ()):
            raise CaseActionError(_("Status rujukan ini tidak dapat diubah menjadi status tersebut."), "status")
        referral.status, referral.updated_at = status, now
        referral.save(update_fields=["status", "updated_at"])
        update = ReferralUpdate.objects.create(referral=referral, status=status, by=by, at=now, note=_text(note))
        record("cases.referral_updated", actor=by, obj=update, request=request)
        if by_partner:
            case = referral.case
            notify(_worker_or_managers(case), "referral_updated",
                   _("Mitra memperbarui status rujukan kasus %(number)s.") % {"number": case.number},
                   link=_link("cases:case_detail", case.pk))
    return referral


# --- mediation -------------------------------------------------------------------------


def mediation_refusal(case: Case) -> str | None:
    """Why this case may not be mediated, or None (``sigap.cases.rules.mediation_refusal``, the one decision)."""
    return rules.mediation_refusal(case)


def record_mediation(case: Case, *, by: Any, held_at: datetime.datetime, summary: str, agreement: str = "",
                     matters: Sequence[str] = (), request: HttpRequest | None = None,
                     now: datetime.datetime | None = None) -> MediationSession:
    """A mediation session, what it is about (``MediationMatter``) and, when one was reached, its agreement."""
    chosen = sorted(set(matters))
    if not chosen:
        raise CaseActionError(_("Pilih sedikitnya satu hal yang dimediasi."), "matters")
    if any(m not in MediationMatter.values for m in chosen):
        raise CaseActionError(_("Hal yang dimediasi tidak dikenal."), "matters")
    if not _text(summary):
        raise CaseActionError(_("Tuliskan jalannya mediasi."), "summary")
    now = _now(now)
    if held_at > now + datetime.timedelta(minutes=10):
        raise CaseActionError(_("Waktu sesi tidak boleh di masa depan."), "held_at")
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        _require_open(case)
        _refuse_mediation(case)
        session = MediationSession.objects.create(case=case, held_at=held_at, summary=_text(summary),
                                                  matters=chosen, agreement=_text(agreement), recorded_by=by,
                                                  recorded_at=now)
        _first_service(case, held_at, now)
        record("cases.mediation_recorded", actor=by, obj=session, request=request)
    return session


# --- the police duty and re-evaluation -------------------------------------------------------


def intake_consent(case: Case) -> dict[str, bool]:
    """The consents given at intake: to referral and to a police report. Given when any report of the case says so."""
    flags = list(Report.objects.filter(case_link__case=case).values_list("consent_refer", "consent_police"))
    return {"refer": any(refer for refer, _police in flags), "police": any(police for _refer, police in flags)}


def close_police_duty(case: Case, *, by: Any, basis: str, reason: str, request: HttpRequest | None = None,
                      now: datetime.datetime | None = None) -> PoliceDutyDecision:
    """The manager closes the police duty without a police referral, with a basis and a sealed reason.

    UU TPKS Pasal 41 makes the report a duty of the unit: only the manager
    decides otherwise, e.g. on an adult victim's informed refusal (never for a
    child victim: a child's case goes to the police).
    """
    _require(access.can_approve(by))
    if basis not in PoliceDutyBasis.values:
        raise CaseActionError(_("Pilih dasar keputusan."), "basis")
    if not _text(reason):
        raise CaseActionError(_("Tuliskan alasan menutup kewajiban lapor ke polisi."), "reason")
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        _require_open(case)
        if not Task.objects.filter(case=case, kind=TaskKind.POLICE_REFERRAL, done_at__isnull=True).exists():
            raise CaseActionError(_("Kasus ini tidak memiliki kewajiban lapor ke polisi yang terbuka."))
        if basis == PoliceDutyBasis.ADULT_REFUSAL and rules.case_facts(case).child_victim:
            raise CaseActionError(
                _("Korban anak: penolakan tidak menutup kewajiban lapor ke polisi (UU TPKS Pasal 41, "
                  "kepentingan terbaik anak)."), "basis")
        decision = PoliceDutyDecision.objects.create(case=case, basis=basis, reason=_text(reason), decided_by=by,
                                                     decided_at=now)
        _complete_tasks(case, TaskKind.POLICE_REFERRAL, by=by, now=now)
        refresh_next_due(case)
        record("cases.police_duty_closed", actor=by, obj=decision, request=request)
        if case.assigned_to_id and case.assigned_to_id != by.pk:
            notify([case.assigned_to], "police_duty_closed",
                   _("Kewajiban lapor ke polisi kasus %(number)s ditutup oleh manajer.") % {"number": case.number},
                   link=_link("cases:case_detail", case.pk))
    return decision


@dataclass(frozen=True)
class Reevaluation:
    """What ``reevaluate_case_rules`` changed."""

    police_task_created: bool
    police_deadline_at: datetime.datetime | None
    mediation_refusal: str | None
    mediation_tasks_withdrawn: int
    violence_changed: bool
    case_type_changed: bool

    @property
    def changed(self) -> bool:
        return (self.police_task_created or bool(self.mediation_tasks_withdrawn) or self.violence_changed
                or self.case_type_changed)


def reevaluate_case_rules(case: Case, *, by: Any = None, request: HttpRequest | None = None,
                          now: datetime.datetime | None = None) -> Reevaluation:
    """Re-run what depends on the reports' data after they changed (an amendment, a report added to the case).

    Idempotent, inside the caller's transaction or its own:

    * the case's violence types, ``has_sexual_violence`` and case type follow the reports;
    * sexual violence that appears later sets the police deadline from the
      original report time (the earliest report's ``received_at`` + 3x24 hours,
      so it may already be overdue) and creates the police task once: never a
      second one, and none when the police were already referred to;
    * when the case may no longer be mediated, open tasks of planned mediation
      are withdrawn (marked done by ``by``) and the refusal is returned.

    One audit entry (``cases.rules_reevaluated``) when anything changed.
    """
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        reports = list(Report.objects.filter(case_link__case=case).values_list("pk", "received_at", "case_type"))
        report_ids = [pk for pk, _received, _type in reports]
        facts = rules.facts_for_reports(report_ids)
        fields: list[str] = []

        types = set(ReportViolence.objects.filter(report_id__in=report_ids).values_list("violence_type", flat=True))
        existing = set(CaseViolence.objects.filter(case=case).values_list("violence_type", flat=True))
        violence_changed = types != existing
        if violence_changed:
            CaseViolence.objects.filter(case=case, violence_type__in=existing - types).delete()
            CaseViolence.objects.bulk_create(CaseViolence(case=case, violence_type=t) for t in sorted(types - existing))
        sexual = rules.police_duty_applies(facts)
        if case.has_sexual_violence != sexual:
            case.has_sexual_violence = sexual
            fields.append("has_sexual_violence")
        primary_type = next((t for pk, _received, t in reports if pk == case.primary_report_id), case.case_type)
        case_type_changed = bool(primary_type) and primary_type != case.case_type
        if case_type_changed:
            case.case_type = primary_type
            fields.append("case_type")

        police_task_created = False
        if sexual:
            if case.police_deadline_at is None:
                original = min((received for _pk, received, _type in reports), default=case.reported_at)
                case.police_deadline_at = original + datetime.timedelta(hours=settings.SIGAP_POLICE_REFERRAL_HOURS)
                fields.append("police_deadline_at")
            if case.police_referred_at is None and not Task.objects.filter(
                case=case, kind=TaskKind.POLICE_REFERRAL
            ).exists():
                _add_task(case, TaskKind.POLICE_REFERRAL, case.police_deadline_at, now=now)
                police_task_created = True

        refusal = rules.mediation_refusal_for(facts)
        withdrawn = 0
        if refusal is not None:
            withdrawn = Task.objects.filter(
                case=case, kind=TaskKind.PLAN_ITEM, plan_item__service=UptdService.MEDIASI, done_at__isnull=True
            ).update(done_at=now, done_by=by)
        if fields:
            _save(case, *fields, now=now)
        if police_task_created or withdrawn:
            refresh_next_due(case)
        result = Reevaluation(police_task_created=police_task_created, police_deadline_at=case.police_deadline_at,
                              mediation_refusal=refusal, mediation_tasks_withdrawn=withdrawn,
                              violence_changed=violence_changed, case_type_changed=case_type_changed)
        if result.changed or fields:
            record("cases.rules_reevaluated", actor=by, obj=case, request=request)
            if police_task_created:
                notify(_worker_or_managers(case), "police_duty",
                       _("Kasus %(number)s: kekerasan seksual tercatat; wajib lapor ke polisi dalam 3x24 jam.")
                       % {"number": case.number}, link=_link("cases:case_detail", case.pk))
    return result


# --- chronology, contacts, notes, attachments ----------------------------------------------


def amend_event(event: ChronologyEvent, *, by: Any, when: datetime.datetime | None, place: str, desa_id: str | None,
                description: str, time_known: bool = True, request: HttpRequest | None = None,
                now: datetime.datetime | None = None) -> ChronologyEvent:
    """Amend a chronology event: a new version supersedes it and the earlier version stays visible.

    ``when`` None: nobody knows the date ("tanggal tidak diketahui"); ``time_known`` False: only the day.
    The victims' ages at the incident and the case type follow the new chronology in the same transaction
    (``ages.recompute_report``, then ``reevaluate_case_rules``).
    """
    from sigap.intake import ages
    from sigap.intake.codes import DatePrecision, Place
    from sigap.regions.models import Region

    if not _text(description):
        raise CaseActionError(_("Uraikan apa yang terjadi."), "description")
    if place and place not in Place.values:  # blank: not known ("belum dicatat")
        raise CaseActionError(_("Tempat kejadian tidak dikenal."), "place")
    if not Region.objects.desa().filter(code=desa_id).exists():
        raise CaseActionError(_("Kode desa tidak dikenal."), "desa")
    now = _now(now)
    if when is not None and when > now + datetime.timedelta(minutes=10):
        raise CaseActionError(_("Waktu kejadian tidak boleh di masa depan."), "when")
    with transaction.atomic():
        old = ChronologyEvent.objects.select_for_update().get(pk=event.pk)
        link = CaseReport.objects.select_related("case").filter(report_id=old.report_id).first()
        _require(link is not None)
        assert link is not None
        _require_worker(link.case, by)
        if not old.is_current:
            raise CaseActionError(_("Kejadian ini sudah diubah; ubah versi terbarunya."))
        dated = when is not None
        new = ChronologyEvent.objects.create(
            report_id=old.report_id, position=old.position, when=when, time_known=dated and time_known,
            approximate=dated and old.approximate, precision=old.precision if dated else DatePrecision.HARI,
            place=place or "", desa_id=desa_id, description=_text(description), supersedes=old, is_current=True,
            recorded_by=by, recorded_at=now,
        )
        old.is_current = False
        old.save(update_fields=["is_current"])
        record("cases.event_amended", actor=by, obj=new, request=request)
        # A changed date can change who was a child at the incident, so the case type and its rules.
        ages.recompute_report(Report.objects.get(pk=old.report_id))
        reevaluate_case_rules(link.case, by=by, request=request, now=now)
    return new


def record_case_contact(case: Case, *, by: Any, channel: str, note: str = "",
                        started_at: datetime.datetime | None = None, request: HttpRequest | None = None,
                        now: datetime.datetime | None = None) -> Any:
    """A contact with the victim or family about the case (through intake's contact record).

    The first one is the case's first contact in its response chain and completes the first-contact task.
    """
    from sigap.intake import actions as intake_actions
    from sigap.intake.validation import ContactInput, ReportInvalid

    now = _now(now)
    try:
        data = ContactInput.model_validate({"channel": channel, "outcome": ContactOutcome.FOLLOW_UP,
                                            "started_at": started_at or now, "note": _text(note)})
    except ValueError:
        raise CaseActionError(_("Periksa isian kontak."), "channel") from None
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        _require_open(case)
        try:
            contact = intake_actions.record_contact(data, by=by, report=case.primary_report, request=request)
        except ReportInvalid as error:
            field, message = next(iter(error.fields.items()))
            raise CaseActionError(message, field) from None
        if case.first_contact_at is None or contact.started_at < case.first_contact_at:
            case.first_contact_at = contact.started_at
            _save(case, "first_contact_at", now=now)
        _complete_tasks(case, TaskKind.FIRST_CONTACT, by=by, now=now)
        refresh_next_due(case)
        record("cases.contact_recorded", actor=by, obj=case, request=request)
    return contact


def add_note(case: Case, *, by: Any, body: str, request: HttpRequest | None = None,
             now: datetime.datetime | None = None) -> CaseNote:
    if not _text(body):
        raise CaseActionError(_("Catatan tidak boleh kosong."), "body")
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        note = CaseNote.objects.create(case=case, body=_text(body), by=by, at=_now(now))
        record("cases.note_added", actor=by, obj=note, request=request)
    return note


def add_attachment(case: Case, *, by: Any, kind: str, name: str, content: bytes,
                   request: HttpRequest | None = None, now: datetime.datetime | None = None) -> Attachment:
    """Store a photo, scan, PDF or medical report, sealed. The type is read from the bytes, not trusted."""
    from sigap.cases.uploads import AttachmentRejected, check_attachment

    if kind not in AttachmentKind.values:
        raise CaseActionError(_("Pilih jenis lampiran."), "kind")
    try:
        content_type = check_attachment(content)
    except AttachmentRejected as error:
        raise CaseActionError(error.message, "file") from None
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        attachment = Attachment.objects.create(
            case=case, kind=kind, name=(name or "lampiran")[:200], content_type=content_type, size=len(content),
            content=content, uploaded_by=by, uploaded_at=_now(now),
        )
        record("cases.attachment_added", actor=by, obj=attachment, request=request)
    return attachment


def open_attachment(attachment_id: int, case: Case, *, by: Any, request: HttpRequest | None = None) -> Attachment:
    """Fetch an attachment's contents for download and audit the read."""
    attachment = Attachment.objects.with_content().filter(pk=attachment_id, case=case).first()
    if attachment is None or not Case.objects.visible_to(by).filter(pk=case.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        record("cases.attachment_downloaded", actor=by, obj=attachment, request=request)
    return attachment


# --- closing and reopening ------------------------------------------------------------------


def close_case(case: Case, *, by: Any, outcome: str, reason: str, request: HttpRequest | None = None,
               now: datetime.datetime | None = None) -> Closure:
    """Ask to close the case with a reason and an outcome; the manager approves or returns it."""
    if outcome not in ClosureOutcome.values:
        raise CaseActionError(_("Pilih hasil akhir penanganan."), "outcome")
    if not _text(reason):
        raise CaseActionError(_("Tuliskan alasan penutupan."), "reason")
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        _require_open(case)
        if case.closures.filter(status=ClosureStatus.SUBMITTED).exists():
            raise CaseActionError(_("Penutupan kasus ini sudah diajukan dan menunggu keputusan manajer."))
        closure = Closure.objects.create(case=case, outcome=outcome, reason=_text(reason), requested_by=by,
                                         requested_at=now)
        record("cases.closure_requested", actor=by, obj=closure, request=request)
        notify(managers(), "closure_requested",
               _("Penutupan kasus %(number)s menunggu persetujuan.") % {"number": case.number},
               link=_link("cases:case_detail", case.pk))
    return closure


def _pending_closure(closure: Closure, by: Any) -> Closure:
    _require(access.can_approve(by))
    closure = Closure.objects.select_for_update().select_related("case").get(pk=closure.pk)
    _require(Case.objects.visible_to(by).filter(pk=closure.case_id).exists())
    if closure.status != ClosureStatus.SUBMITTED:
        raise CaseActionError(_("Pengajuan penutupan ini sudah diputuskan."))
    return closure


DONE = "selesai"
CANCEL = "batal"


def open_work(case: Case) -> tuple[list[Task], list[Referral]]:
    """What is still open when a closure is asked for or decided: open tasks and open referrals."""
    tasks = list(Task.objects.filter(case=case, done_at__isnull=True).order_by("due_at", "id"))
    referrals = list(Referral.objects.filter(case=case, status__in=OPEN_REFERRAL_STATUSES)
                     .select_related("partner").order_by("sent_at", "id"))
    return tasks, referrals


def _decision(decisions: dict[str, tuple[str, str]] | None, key: str, default_reason: str) -> tuple[str, str]:
    if decisions is None:
        return CANCEL, default_reason
    return decisions.get(key, ("", ""))


def _settle_open_work(case: Case, decisions: dict[str, tuple[str, str]] | None, *, by: Any, default_reason: str,
                      now: datetime.datetime) -> None:
    """Close or cancel every open task and referral of a closing case, each with its reason.

    ``decisions`` maps ``task-<id>`` / ``referral-<id>`` to (``selesai`` or ``batal``, reason); without
    it (a closure decided outside the closure page) everything open is cancelled with ``default_reason``.
    A referral still waiting for the partner's answer can only be cancelled. Part of the closure's action:
    its one audit entry (``cases.case_closed``) covers them; each row keeps who, when and why.
    """
    tasks, referrals = open_work(case)
    problems: list[str] = []
    for task in tasks:
        decision, reason = _decision(decisions, f"task-{task.pk}", default_reason)
        if decision not in (DONE, CANCEL) or not _text(reason):
            problems.append(task.get_kind_display())
            continue
        task.done_at, task.done_by = now, by
        task.cancelled, task.close_reason = decision == CANCEL, _text(reason)
        task.save(update_fields=["done_at", "done_by", "cancelled", "close_reason"])
    for referral in referrals:
        decision, reason = _decision(decisions, f"referral-{referral.pk}", default_reason)
        allowed = (CANCEL,) if referral.status == ReferralStatus.SENT else (DONE, CANCEL)
        if decision not in allowed or not _text(reason):
            problems.append(_("rujukan ke %(partner)s") % {"partner": referral.partner.name})
            continue
        status = ReferralStatus.DONE if decision == DONE else ReferralStatus.CANCELLED
        referral.status, referral.updated_at = status, now
        referral.save(update_fields=["status", "updated_at"])
        ReferralUpdate.objects.create(referral=referral, status=status, by=by, at=now, note=_text(reason))
    if problems:
        raise CaseActionError(
            _("Tentukan selesai atau batal, dengan alasan, untuk: %(items)s.") % {"items": "; ".join(problems)},
            "open_work",
        )


def approve_closure(closure: Closure, *, by: Any, comment: str = "", request: HttpRequest | None = None,
                    decisions: dict[str, tuple[str, str]] | None = None,
                    now: datetime.datetime | None = None) -> Case:
    """The manager closes the case: terminasi, the reports are done, and every open task and referral is
    closed or cancelled with a reason (``_settle_open_work``), so a closed case lists no open work."""
    now = _now(now)
    with transaction.atomic():
        closure = _pending_closure(closure, by)
        case = _lock(closure.case)
        _settle_open_work(case, decisions, by=by, now=now,
                          default_reason=_text(comment) or _("Ditutup bersama kasus."))
        closure.status, closure.decided_by, closure.decided_at = ClosureStatus.APPROVED, by, now
        closure.decision_comment = _text(comment)
        closure.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
        _stage_change(case, Stage.TERMINASI, by=by, note=comment, now=now)
        case.status, case.closed_at = CaseStatus.CLOSED, now
        _save(case, "stage", "status", "closed_at", now=now)
        refresh_next_due(case)
        Report.objects.filter(case_link__case=case).update(status=ReportStatus.SELESAI)
        record("cases.case_closed", actor=by, obj=closure, request=request)
        notify(_worker_or_managers(case), "case_closed", _("Kasus %(number)s ditutup.") % {"number": case.number},
               link=_link("cases:case_detail", case.pk))
    return case


def return_closure(closure: Closure, *, by: Any, comment: str, request: HttpRequest | None = None,
                   now: datetime.datetime | None = None) -> Closure:
    if not _text(comment):
        raise CaseActionError(_("Tuliskan alasan mengembalikan pengajuan penutupan."), "comment")
    now = _now(now)
    with transaction.atomic():
        closure = _pending_closure(closure, by)
        closure.status, closure.decided_by, closure.decided_at = ClosureStatus.RETURNED, by, now
        closure.decision_comment = _text(comment)
        closure.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
        record("cases.closure_returned", actor=by, obj=closure, request=request)
        notify(_worker_or_managers(closure.case), "closure_returned",
               _("Pengajuan penutupan kasus %(number)s dikembalikan.") % {"number": closure.case.number},
               link=_link("cases:case_detail", closure.case_id))
    return closure


def reopen_case(case: Case, *, by: Any, reason: str, stage: str = Stage.ASESMEN, request: HttpRequest | None = None,
                now: datetime.datetime | None = None) -> Case:
    """Reopen a closed case with a reason, back at ``stage`` (asesmen by default)."""
    if not _text(reason):
        raise CaseActionError(_("Tuliskan alasan membuka kembali kasus."), "reason")
    if stage not in STAGE_ORDER or stage == Stage.TERMINASI:
        raise CaseActionError(_("Tahap tidak dikenal."), "stage")
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        if case.is_open:
            raise CaseActionError(_("Kasus ini masih terbuka."))
        if case.scrubbed_at is not None:
            # Its personal data was erased at the end of the retention period: new
            # violence is a new report and a new case (linked reports show the history).
            raise CaseActionError(_("Data kasus ini sudah dihapus karena masa simpannya habis; "
                                    "catat laporan baru dan buka kasus baru."))
        _stage_change(case, stage, by=by, note=reason, now=now)
        case.status, case.closed_at = CaseStatus.OPEN, None
        _save(case, "stage", "status", "closed_at", now=now)
        refresh_next_due(case)
        Report.objects.filter(case_link__case=case).update(status=ReportStatus.DITANGANI)
        record("cases.case_reopened", actor=by, obj=case, request=request)
        notify(managers(), "case_reopened", _("Kasus %(number)s dibuka kembali.") % {"number": case.number},
               link=_link("cases:case_detail", case.pk))
    return case


# --- tasks ------------------------------------------------------------------------------------


def complete_task(task: Task, *, by: Any, request: HttpRequest | None = None,
                  now: datetime.datetime | None = None) -> Task:
    now = _now(now)
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
        _require(access.can_work(by, task.case) or (task.assigned_to_id is not None and task.assigned_to_id == by.pk
                                                    and Task.objects.visible_to(by).filter(pk=task.pk).exists()))
        if task.done_at is not None:
            return task
        if task.kind == TaskKind.POLICE_REFERRAL:
            raise CaseActionError(police_task_rule())
        task.done_at, task.done_by = now, by
        task.save(update_fields=["done_at", "done_by"])
        refresh_next_due(task.case)
        record("cases.task_completed", actor=by, obj=task, request=request)
    return task


def police_task_rule() -> str:
    """How the police task ends: shown when someone tries to tick it off."""
    return _("Kewajiban lapor ke polisi selesai dengan rujukan ke mitra kepolisian, atau ditutup oleh manajer "
             "kasus dengan alasan yang dicatat.")


def escalate_overdue(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Tell the managers about open tasks past their due time, once per task. Returns how many.

    Run by the background worker (``sigap.cases.tasks.escalate_overdue_tasks``);
    each task is marked escalated in the same transaction as its audit entry, so
    a second run (or a concurrent one) escalates nothing twice.
    """
    now = _now(now)
    candidates = list(
        Task.objects.filter(done_at__isnull=True, escalated_at__isnull=True, due_at__lt=now,
                            case__status=CaseStatus.OPEN)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    if not candidates:
        return 0
    recipients = managers()
    escalated = 0
    for task_id in candidates:
        with transaction.atomic():
            if not Task.objects.filter(pk=task_id, escalated_at__isnull=True, done_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            task = Task.objects.select_related("case").get(pk=task_id)
            record("cases.task_escalated", obj=task)
            notify(recipients, "task_overdue",
                   _("Tugas “%(kind)s” kasus %(number)s melewati tenggat.")
                   % {"kind": task.get_kind_display(), "number": task.case.number},
                   link=_link("cases:case_detail", task.case_id))
            escalated += 1
    return escalated


def open_tasks_for(user: Any) -> QuerySet[Task]:
    """The open tasks of the user's own open cases and those assigned to them by name, overdue first.

    Driven from the user's cases (and the task's assignee index), never from all
    open tasks; a task named for someone on a case they cannot see stays hidden.
    """
    from django.db.models import Q

    visible_open = Case.objects.visible_to(user).filter(status=CaseStatus.OPEN)
    own = visible_open.filter(assigned_to=user).values("pk")
    return (
        Task.objects.filter(done_at__isnull=True)
        .filter(Q(case__in=own, assigned_to__isnull=True) | Q(assigned_to=user, case__in=visible_open.values("pk")))
        .select_related("case")
        .order_by("due_at", "id")
    )


# --- reports into an open case, merging cases -------------------------------------------------


def report_candidates(case: Case) -> list[Report]:
    """Open reports in no case that may be about the same victim as one of the case's reports.

    Found with intake's duplicate rules (victim NIK, reporter phone, victim name + desa + birth date),
    confirmed by decrypting. The assigned worker may add these without seeing the report first.
    """
    from sigap.intake.queries import find_duplicates

    found: dict[int, Report] = {}
    for report in Report.objects.filter(case_link__case=case).select_related("reporter"):
        for candidate in find_duplicates(report):
            other = candidate.report
            if other.status in OPEN_STATUSES and not CaseReport.objects.filter(report=other).exists():
                found[other.pk] = other
    return sorted(found.values(), key=lambda r: r.received_at)


def _refresh_case_facts(case: Case, *, by: Any, request: HttpRequest | None, now: datetime.datetime) -> None:
    """Recompute what the case copies from its reports after reports joined it.

    Risk (the highest), desa of the primary report, the reported time (the earliest); then
    ``reevaluate_case_rules`` (violence types, case type, police deadline and task from the
    original report time, the mediation gate).
    """
    reports = list(Report.objects.filter(case_link__case=case))
    primary = next((r for r in reports if r.pk == case.primary_report_id), reports[0])
    case.risk = max((r.risk for r in reports), key=lambda risk: RISK_RANK.get(risk, 0))
    case.kecamatan_code, case.desa_id = primary.kecamatan_code, primary.desa_id
    case.reported_at = min(r.received_at for r in reports)
    _save(case, "risk", "kecamatan_code", "desa", "reported_at", now=now)
    reevaluate_case_rules(case, by=by, request=request, now=now)
    case.refresh_from_db()
    refresh_next_due(case)


def add_report_to_case(case: Case, report: Report, *, by: Any, request: HttpRequest | None = None,
                       now: datetime.datetime | None = None) -> Case:
    """A new report about a victim already in an open case joins that case (manager or assigned worker).

    Its chronology, contacts and violence join the case timeline and facts; the report becomes
    ditangani. The worker may add a report they cannot open only when it is a duplicate candidate
    of the case's reports (``report_candidates``).
    """
    now = _now(now)
    with transaction.atomic():
        case = _lock(case)
        _require_worker(case, by)
        _require_open(case)
        locked = Report.objects.select_for_update().filter(pk=report.pk).first()
        _require(locked is not None)
        assert locked is not None
        if not Report.objects.visible_to(by).filter(pk=locked.pk).exists():
            _require(any(r.pk == locked.pk for r in report_candidates(case)))
        if CaseReport.objects.filter(report=locked).exists():
            raise CaseActionError(_("Laporan ini sudah menjadi bagian dari sebuah kasus."), "report")
        if locked.status not in OPEN_STATUSES:
            raise CaseActionError(_("Laporan yang sudah selesai tidak dapat ditambahkan ke kasus."), "report")
        link = CaseReport.objects.create(case=case, report=locked, added_at=now)
        Report.objects.filter(pk=locked.pk).update(status=ReportStatus.DITANGANI)
        _refresh_case_facts(case, by=by, request=request, now=now)
        record("cases.report_added", actor=by, obj=link, request=request)
        notify(_worker_or_managers(case), "report_added",
               _("Laporan %(report)s ditambahkan ke kasus %(number)s.")
               % {"report": locked.registration_number, "number": case.number},
               link=_link("cases:case_detail", case.pk))
    return case


# Records that move with a merge but must not be duplicated or collide.
def _moved_models() -> list[tuple[Any, str]]:
    """Every model with a foreign key to ``Case`` (any app), and that key's name."""
    return [
        (rel.related_model, rel.field.name)
        for rel in Case._meta.related_objects
        if rel.one_to_many and rel.field.model is not Case
    ]


def merge_cases(keep: Case, other: Case, *, by: Any, reason: str, request: HttpRequest | None = None,
                now: datetime.datetime | None = None) -> Case:
    """The manager merges ``other`` into ``keep``: every record of ``other`` moves to ``keep`` (each move
    audited), ``keep`` keeps its number, ``other`` is closed as merged (``merged_into``) with the reason.
    """
    _require(access.can_assign(by))
    if not _text(reason):
        raise CaseActionError(_("Tuliskan alasan menggabungkan kasus."), "reason")
    if keep.pk == other.pk:
        raise CaseActionError(_("Pilih kasus lain untuk digabungkan."), "other")
    now = _now(now)
    with transaction.atomic():
        first, second = sorted([keep.pk, other.pk])
        locked = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")}
        _require(Case.objects.visible_to(by).filter(pk__in=[keep.pk, other.pk]).count() == 2)
        keep, other = locked[keep.pk], locked[other.pk]
        if not keep.is_open or not other.is_open:
            raise CaseActionError(_("Hanya dua kasus yang masih terbuka yang dapat digabungkan."), "other")
        if ShelterStay.objects.filter(case__in=[keep, other], checked_out_at__isnull=True).count() > 1:
            raise CaseActionError(_("Kedua kasus mencatat korban di penampungan; selesaikan salah satu dulu."))
        if Closure.objects.filter(case__in=[keep, other], status=ClosureStatus.SUBMITTED).exists():
            raise CaseActionError(_("Putuskan pengajuan penutupan yang menunggu lebih dulu."))
        if InterventionPlan.objects.filter(case__in=[keep, other], status=PlanStatus.SUBMITTED).exists():
            raise CaseActionError(_("Putuskan rencana intervensi yang menunggu persetujuan lebih dulu."))
        # Plan versions are numbered per case: the merged case's follow the kept case's.
        top = InterventionPlan.objects.filter(case=keep).aggregate(m=Max("version"))["m"] or 0
        for plan in InterventionPlan.objects.filter(case=other).order_by("-version"):
            InterventionPlan.objects.filter(pk=plan.pk).update(version=plan.version + top + 1000)
        for offset, plan in enumerate(InterventionPlan.objects.filter(case=other).order_by("version"), start=1):
            InterventionPlan.objects.filter(pk=plan.pk).update(version=top + offset)
        kept_types = set(CaseViolence.objects.filter(case=keep).values_list("violence_type", flat=True))
        CaseViolence.objects.filter(case=other, violence_type__in=kept_types).delete()
        moved = 0
        for model, field in _moved_models():
            rows = list(model._base_manager.filter(**{field: other}).only("pk"))
            if not rows:
                continue
            model._base_manager.filter(pk__in=[r.pk for r in rows]).update(**{field: keep})
            for row in rows:
                record("cases.record_moved", actor=by, obj=row, request=request)
            moved += len(rows)
        for name in ("first_contact_at", "assessed_at", "first_service_at", "police_referred_at",
                     "police_deadline_at"):
            values = [v for v in (getattr(keep, name), getattr(other, name)) if v is not None]
            setattr(keep, name, min(values) if values else None)
        _save(keep, "first_contact_at", "assessed_at", "first_service_at", "police_referred_at",
              "police_deadline_at", now=now)
        _refresh_case_facts(keep, by=by, request=request, now=now)
        Report.objects.filter(case_link__case=keep).update(status=ReportStatus.DITANGANI)
        StageChange.objects.create(case=other, from_stage=other.stage, to_stage=Stage.TERMINASI, by=by, at=now,
                                   note=_("Digabung ke kasus %(number)s: %(reason)s")
                                   % {"number": keep.number, "reason": _text(reason)})
        other.stage, other.status, other.closed_at, other.merged_into = Stage.TERMINASI, CaseStatus.CLOSED, now, keep
        _save(other, "stage", "status", "closed_at", "merged_into", now=now)
        refresh_next_due(other)
        record("cases.case_merged", actor=by, obj=other, request=request)
        record("cases.case_merged_into", actor=by, obj=keep, request=request)
        notify(_worker_or_managers(keep), "case_merged",
               _("Kasus %(other)s digabung ke kasus %(number)s.") % {"other": other.number, "number": keep.number},
               link=_link("cases:case_detail", keep.pk))
    return keep


def after_report_amended(report: Report, by: Any, request: HttpRequest | None) -> None:
    """Intake's amendment hook: the report's case re-runs its rules (``reevaluate_case_rules``) once."""
    link = CaseReport.objects.select_related("case").filter(report=report).first()
    if link is not None:
        case = link.case
        if case.primary_report_id == report.pk and (case.desa_id, case.kecamatan_code) != (
            report.desa_id, report.kecamatan_code
        ):
            # The case lists and counts by its primary report's desa: a corrected victim desa follows.
            case.desa_id, case.kecamatan_code = report.desa_id, report.kecamatan_code
            _save(case, "desa", "kecamatan_code", now=_now(None))
        reevaluate_case_rules(case, by=by, request=request)
