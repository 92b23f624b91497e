"""Synthetic cases for ``manage.py seed`` (``sigap.intake.seeding``): one case per seeded report.

Plausible shape: older cases are closed, recent ones spread over the stages;
each is assigned to a seeded case worker, has its opening and stage changes,
its triage tasks (done when the case moved past them) and its response chain;
cases past asesmen have an assessment, those past rencana one to three
services delivered (in SIMFONI-PPA's service types), and the police referral
(sexual violence) or, for about 40%, a referral to another partner. Sealed
content is short (a note on one case in five, the assessment's main fields, the
referral letter), so seeding stays fast; lists and case pages read the same
columns as with real data.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from sigap.cases.codes import (
    STAGE_ORDER,
    CaseStatus,
    ConsentBasis,
    ReferralStatus,
    SimfoniService,
    Stage,
    TaskKind,
    UptdService,
)
from sigap.cases.models import (
    Assessment,
    Case,
    CaseCounter,
    CaseNote,
    CaseReport,
    CaseViolence,
    Referral,
    ServiceRecord,
    StageChange,
    Task,
)
from sigap.intake.models import Report, ReportViolence

STAGES = list(Stage.values)
# Services delivered once a plan is carried out: (UPTD PPA service, SIMFONI type, weight).
SERVICES = [
    (UptdService.PENDAMPINGAN, SimfoniService.PENGADUAN, 30), (UptdService.PENDAMPINGAN, SimfoniService.KESEHATAN, 20),
    (UptdService.PENDAMPINGAN, SimfoniService.BANTUAN_HUKUM, 15),
    (UptdService.PENGELOLAAN_KASUS, SimfoniService.REHABILITASI_SOSIAL, 15),
    (UptdService.PENJANGKAUAN, SimfoniService.PENGADUAN, 10), (UptdService.PENAMPUNGAN, SimfoniService.PEMULANGAN, 4),
    (UptdService.PENDAMPINGAN, SimfoniService.PENDAMPINGAN_TOKOH_AGAMA, 6),
]
# Partners a seeded deployment refers to: (type, name, service asked).
PARTNERS = [
    ("police_uppa", "Unit PPA Polres (contoh)", SimfoniService.PENEGAKAN_HUKUM),
    ("hospital", "RSUD (contoh)", SimfoniService.KESEHATAN),
    ("puskesmas", "Puskesmas (contoh)", SimfoniService.KESEHATAN),
    ("legal_aid", "LBH (contoh)", SimfoniService.BANTUAN_HUKUM),
    ("psychologist", "Psikolog mitra (contoh)", SimfoniService.REHABILITASI_SOSIAL),
    ("social_services", "Dinas Sosial (contoh)", SimfoniService.REINTEGRASI_SOSIAL),
]
LETTER = "Surat rujukan: korban memerlukan layanan lanjutan sesuai kebutuhan yang tercatat."


def seed_partners(ctx: Any) -> list[Any]:
    from sigap.network.models import Partner

    partners = getattr(ctx, "partners", None)
    if partners is None:
        partners = ctx.partners = [
            Partner.objects.get_or_create(name=name, partner_type=kind)[0] for kind, name, _service in PARTNERS
        ]
    return partners


def seed_cases(ctx: Any, reports: list[Report]) -> None:
    from sigap.intake.seeding import fast_insert, new, reset_sequences

    if not reports:
        return
    rng = ctx.rng
    now = timezone.now()
    region_code = str(settings.SIGAP_REGION).replace(".", "")
    workers = [u for u in ctx.staff if u.role == "case_worker"] or list(ctx.staff)
    managers = [u for u in ctx.staff if u.role == "manager"] or list(ctx.staff)
    types: dict[int, list[str]] = {}
    for report_id, kind in ReportViolence.objects.filter(report_id__in=[r.pk for r in reports]).values_list(
        "report_id", "violence_type"
    ):
        types.setdefault(report_id, []).append(kind)
    counters = getattr(ctx, "case_counters", None)
    if counters is None:
        counters = ctx.case_counters = {}

    cases: list[Case] = []
    for report in reports:
        opened = report.received_at + datetime.timedelta(minutes=rng.randint(5, 600))
        local = timezone.localtime(opened)
        if local.year not in counters:
            counter = CaseCounter.objects.filter(region_code=region_code, year=local.year).first()
            counters[local.year] = counter.last_value if counter else 0
        counters[local.year] += 1
        age = (now - opened).days
        closed = age > 120 or rng.random() < 0.25
        stage = Stage.TERMINASI if closed else rng.choice(STAGES[:-1])
        sexual = "seksual" in types.get(report.pk, [])
        progressed = STAGE_ORDER[stage]
        first_contact = opened + datetime.timedelta(hours=rng.randint(0, 30)) if progressed >= 1 else None
        assessed = opened + datetime.timedelta(days=rng.randint(1, 6)) if progressed >= 3 else None
        served = opened + datetime.timedelta(days=rng.randint(2, 14)) if progressed >= 4 else None
        closed_at = opened + datetime.timedelta(days=rng.randint(20, 120)) if closed else None
        assigned = None if stage == Stage.PENERIMAAN and rng.random() < 0.5 else rng.choice(workers)
        cases.append(new(Case,
            number=f"{region_code}-{local.year}-K{counters[local.year]:05d}", region_code=region_code,
            year=local.year, sequence=counters[local.year], stage=stage,
            status=CaseStatus.CLOSED if closed else CaseStatus.OPEN, opened_at=opened,
            opened_by=rng.choice(ctx.staff), assigned_to=assigned, assigned_at=opened if assigned else None,
            primary_report=report, registration_number=report.registration_number, risk=report.risk,
            case_type=report.case_type, kecamatan_code=report.kecamatan_code, desa_id=report.desa_id,
            has_sexual_violence=sexual, reported_at=report.received_at, first_contact_at=first_contact,
            assessed_at=assessed, first_service_at=served, closed_at=closed_at,
            police_deadline_at=report.received_at + datetime.timedelta(hours=72) if sexual else None,
            police_referred_at=(report.received_at + datetime.timedelta(hours=rng.randint(6, 70))
                                if sexual and progressed >= 2 else None),
            updated_at=closed_at or opened,
        ))
    ctx.ids.assign(cases)

    links: list[CaseReport] = []
    violence: list[CaseViolence] = []
    changes: list[StageChange] = []
    tasks: list[Task] = []
    notes: list[CaseNote] = []
    assessments: list[Assessment] = []
    services: list[ServiceRecord] = []
    referrals: list[Referral] = []
    partners = seed_partners(ctx)
    service_weights = [w for *_x, w in SERVICES]
    for case, report in zip(cases, reports, strict=True):
        links.append(new(CaseReport, case=case, report=report, added_at=case.opened_at))
        violence.extend(new(CaseViolence, case=case, violence_type=t) for t in sorted(set(types.get(report.pk, []))))
        at = case.opened_at
        changes.append(new(StageChange, case=case, from_stage="", to_stage=Stage.PENERIMAAN, by=case.opened_by, at=at))
        for index in range(1, STAGE_ORDER[case.stage] + 1):
            at = at + datetime.timedelta(days=rng.randint(1, 10))
            by = rng.choice(managers) if STAGES[index] in (Stage.PELAKSANAAN, Stage.TERMINASI) else (
                case.assigned_to or case.opened_by)
            changes.append(new(StageChange, case=case, from_stage=STAGES[index - 1], to_stage=STAGES[index], by=by, at=at))
        first_due = report.response_due_at
        tasks.append(new(Task, case=case, kind=TaskKind.FIRST_CONTACT, due_at=first_due, created_at=case.opened_at,
                          done_at=case.first_contact_at, done_by=case.assigned_to if case.first_contact_at else None))
        if case.police_deadline_at is not None:
            tasks.append(new(Task, case=case, kind=TaskKind.POLICE_REFERRAL, due_at=case.police_deadline_at,
                              created_at=case.opened_at, done_at=case.police_referred_at,
                              done_by=case.assigned_to if case.police_referred_at else None))
        open_due = [t.due_at for t in tasks[-2:] if t.case is case and t.done_at is None]
        case.next_due_at = min(open_due) if open_due and case.is_open else None
        worker = case.assigned_to or case.opened_by
        if case.assessed_at is not None:
            assessments.append(new(Assessment, case=case, psychological="Korban cemas dan sulit tidur.",
                                   social="Tinggal bersama keluarga.", needs="Merasa aman; pendampingan hukum.",
                                   by=worker, at=case.assessed_at))
        if case.first_service_at is not None:
            for n, (service, simfoni, _w) in enumerate(rng.choices(SERVICES, weights=service_weights,
                                                                     k=rng.randint(1, 3))):
                on = case.first_service_at + datetime.timedelta(days=n * rng.randint(1, 14))
                services.append(new(ServiceRecord, case=case, service=service, simfoni_type=simfoni,
                                    delivered_on=timezone.localtime(on).date(), delivered_at=on, provider_user=worker,
                                    recorded_by=worker, recorded_at=on))
        if case.police_referred_at is not None or (case.assessed_at is not None and rng.random() < 0.4):
            index = 0 if case.police_referred_at is not None else rng.randrange(1, len(partners))
            sent = case.police_referred_at or case.assessed_at
            status = rng.choice([ReferralStatus.ACCEPTED, ReferralStatus.DONE, ReferralStatus.DONE,
                                 ReferralStatus.SENT, ReferralStatus.DECLINED])
            referrals.append(new(Referral, case=case, partner=partners[index], service=PARTNERS[index][2],
                                 status=status, consent_basis=ConsentBasis.VICTIM, letter=LETTER,
                                 is_police=index == 0, sent_by=worker, sent_at=sent, updated_at=sent))
        if rng.random() < 0.2 and case.assigned_to is not None:
            notes.append(new(CaseNote, case=case, body="Catatan pendampingan.", by=case.assigned_to, at=at))
    fast_insert(cases)
    for objects in (links, violence, changes, tasks, notes, assessments, services, referrals):
        ctx.ids.assign(objects)
        fast_insert(objects)
    reset_sequences([Case, CaseReport, CaseViolence, StageChange, Task, CaseNote, Assessment, ServiceRecord,
                     Referral])
    for year, last in counters.items():
        CaseCounter.objects.update_or_create(region_code=region_code, year=year, defaults={"last_value": last})
