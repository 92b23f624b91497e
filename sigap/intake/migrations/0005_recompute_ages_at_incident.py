"""Recompute every victim's age, child status and case type at the incident (issue 14).

Until now they were computed at the report date, and adult men were counted as
KtP. This applies ``sigap.intake.ages`` to the stored rows: the earliest current
chronology event (its earliest possible day) is the reference date, the sealed
birth date or stated age gives the age, and the report's case type follows its
victims'. Scrubbed victims (birth date and stated age erased) keep their stored
age group and child status; only their case type is derived from them.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH = 1000


def recompute(apps: Any, schema_editor: Any) -> None:
    from sigap.intake import ages

    Report = apps.get_model("intake", "Report")
    Victim = apps.get_model("intake", "Victim")
    ChronologyEvent = apps.get_model("intake", "ChronologyEvent")
    fields = list(ages.AGE_FIELDS)
    pks = list(Report.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        chunk = pks[start:start + BATCH]
        reports = {r.pk: r for r in Report.objects.filter(pk__in=chunk).only("pk", "received_at", "case_type",
                                                                            "scrubbed_at")}
        events: dict[int, list[Any]] = {}
        for report_id, when, precision in ChronologyEvent.objects.filter(
            report_id__in=chunk, is_current=True
        ).values_list("report_id", "when", "precision"):
            events.setdefault(report_id, []).append((when, precision))
        victims: dict[int, list[Any]] = {}
        for victim in Victim.objects.filter(report_id__in=chunk).only(
            "pk", "report_id", "birth_date", "stated_age", "sex", "age_group", "is_child", *fields
        ):
            victims.setdefault(victim.report_id, []).append(victim)
        changed_victims = []
        changed_reports = []
        for pk, report in reports.items():
            report_day = ages.local_day(report.received_at)
            reference, unknown = ages.incident_reference(events.get(pk, []), report_day)
            types = []
            for victim in victims.get(pk, []):
                stated = ages.stated_age_value(victim.stated_age)
                if report.scrubbed_at is not None and victim.birth_date is None and stated is None:
                    # Erased by retention: keep what was counted, give it a case type.
                    victim.case_type = ages.case_type_for(victim.is_child, victim.sex)
                else:
                    for name, value in ages.at_incident(
                        birth_date=victim.birth_date, stated_age=stated, sex=victim.sex, report_day=report_day,
                        reference_date=reference, date_unknown=unknown,
                    ).fields().items():
                        setattr(victim, name, value)
                types.append(victim.case_type)
                changed_victims.append(victim)
            case_type = ages.report_case_type(types)
            if case_type and case_type != report.case_type:
                report.case_type = case_type
                changed_reports.append(report)
        Victim.objects.bulk_update(changed_victims, fields)
        Report.objects.bulk_update(changed_reports, ["case_type"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_victim_age_at_incident_case_type_per_victim"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
