"""AMPK sub-groups (UU 35/2014 Pasal 59 ayat 2) suggested from what happened to a child.

Staff choose a child victim's groups on the form; when none is chosen (or the
API sends no ``ampk_groups``), the suggestion is stored. Only the groups the
violence types, sexual-violence forms and a disability point to are suggested;
the others (situasi darurat, berhadapan dengan hukum, minoritas, napza, HIV/AIDS,
terorisme, perilaku menyimpang, stigmatisasi) need a person's judgement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef

from sigap.intake.codes import AmpkGroup, SexualViolenceForm, ViolenceType

BY_VIOLENCE: dict[str, tuple[str, ...]] = {
    ViolenceType.FISIK: (AmpkGroup.KEKERASAN_FISIK_PSIKIS,),
    ViolenceType.PSIKIS: (AmpkGroup.KEKERASAN_FISIK_PSIKIS,),
    ViolenceType.SEKSUAL: (AmpkGroup.KEJAHATAN_SEKSUAL,),
    ViolenceType.EKSPLOITASI: (AmpkGroup.EKSPLOITASI,),
    ViolenceType.TRAFFICKING: (AmpkGroup.PENCULIKAN_PERDAGANGAN,),
    ViolenceType.PENELANTARAN: (AmpkGroup.PERLAKUAN_SALAH,),
}

BY_SEXUAL_FORM: dict[str, tuple[str, ...]] = {
    SexualViolenceForm.EKSPLOITASI_SEKSUAL: (AmpkGroup.EKSPLOITASI,),
    SexualViolenceForm.EKSPLOITASI_SEKSUAL_ANAK: (AmpkGroup.EKSPLOITASI,),
    SexualViolenceForm.PERBUDAKAN_SEKSUAL: (AmpkGroup.EKSPLOITASI,),
    SexualViolenceForm.PEMAKSAAN_PELACURAN: (AmpkGroup.EKSPLOITASI,),
    SexualViolenceForm.TPPO_EKSPLOITASI_SEKSUAL: (AmpkGroup.EKSPLOITASI, AmpkGroup.PENCULIKAN_PERDAGANGAN),
    SexualViolenceForm.PORNOGRAFI: (AmpkGroup.PORNOGRAFI,),
}


def suggest_ampk_groups(
    violence_types: Iterable[str], sexual_forms: Iterable[str] = (), *, disability: bool = False
) -> list[str]:
    """The groups a child victim's record points to, in the law's order (huruf a-o)."""
    found: set[str] = set()
    for violence in violence_types:
        found.update(BY_VIOLENCE.get(violence, ()))
    for form in sexual_forms:
        found.update(BY_SEXUAL_FORM.get(form, ()))
    if disability:
        found.add(AmpkGroup.DISABILITAS)
    return [str(group) for group in AmpkGroup.values if group in found]


BACKFILL_BATCH = 1000


def backfill_suggested_groups(apps: Any, *, batch: int = BACKFILL_BATCH) -> int:
    """Store the suggested groups of every child victim that has none; returns the rows added.

    For child victims filed before AMPK groups existed (intake 0006): the groups
    their report's violence types, sexual-violence forms and the victim's
    disability point to, marked ``suggested``, so statistics count them and staff
    see them as SIGAP's suggestion. A victim with any group (chosen or suggested)
    is left alone, so running it again adds nothing. ``apps`` is a migration's
    app registry (or ``django.apps.apps``): only plain columns are read.
    """
    victim_model = apps.get_model("intake", "Victim")
    group_model = apps.get_model("intake", "VictimAmpkGroup")
    violence_model = apps.get_model("intake", "ReportViolence")
    form_model = apps.get_model("intake", "ReportSexualForm")
    missing = (victim_model.objects.filter(is_child=True)
               .exclude(Exists(group_model.objects.filter(victim_id=OuterRef("pk"))))
               .order_by("pk"))
    added = 0
    after = 0
    while True:
        rows = list(missing.filter(pk__gt=after).values_list("pk", "report_id", "disability")[:batch])
        if not rows:
            return added
        after = rows[-1][0]
        report_ids = {report_id for _pk, report_id, _disability in rows}
        types: dict[int, set[str]] = defaultdict(set)
        for report_id, kind in violence_model.objects.filter(report_id__in=report_ids).values_list(
                "report_id", "violence_type"):
            types[report_id].add(kind)
        forms: dict[int, set[str]] = defaultdict(set)
        for report_id, form in form_model.objects.filter(report_id__in=report_ids).values_list("report_id", "form"):
            forms[report_id].add(form)
        new = [group_model(victim_id=pk, group=group, suggested=True)
               for pk, report_id, disability in rows
               for group in suggest_ampk_groups(types[report_id], forms[report_id], disability=disability)]
        group_model.objects.bulk_create(new)
        added += len(new)
