"""AMPK sub-groups (UU 35/2014 Pasal 59 ayat 2) suggested from what happened to a child.

Staff choose a child victim's groups on the form; when none is chosen (or the
API sends no ``ampk_groups``), the suggestion is stored. Only the groups the
violence types, sexual-violence forms and a disability point to are suggested;
the others (situasi darurat, berhadapan dengan hukum, minoritas, napza, HIV/AIDS,
terorisme, perilaku menyimpang, stigmatisasi) need a person's judgement.
"""

from __future__ import annotations

from collections.abc import Iterable

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
