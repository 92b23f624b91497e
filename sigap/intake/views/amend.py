"""Ubah laporan: correct or complete a filed report, with a reason; the history stays."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sigap.intake import access
from sigap.intake.access import get_report_for
from sigap.intake.amend import IDENTITY, VICTIM_DETAIL, amend_report, may_amend, visibility
from sigap.intake.amend.state import DANGER_FIELDS as DANGER
from sigap.intake.codes import (
    PLACE_UNKNOWN_LABEL,
    Accommodation,
    AmpkGroup,
    DisabilityType,
    Education,
    MaritalStatus,
    Occupation,
    PerpetratorRelation,
    Place,
    ReporterRelation,
    SafeChannel,
    Sex,
    SexualViolenceForm,
    ViolenceType,
)
from sigap.intake.forms import OTHER_DESA, desa_choices
from sigap.intake.models import Report, ReportAmendment, Victim
from sigap.intake.validation import ReportInvalid
from sigap.vault.masking import mask_phone
from sigap.vault.reveal import RevealOutcome, can_reveal, handle_reveal


def _choice(choices: Any, label: Any, required: bool = False) -> forms.ChoiceField:
    options = list(choices) if required else [("", "—"), *choices]
    return forms.ChoiceField(label=label, choices=options, required=required)


def _text(label: Any, max_length: int = 200, rows: int = 0, help_text: Any = "") -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text, widget=widget)


def _codes(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, choices=choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)


def _flag(label: Any) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False)


def _date(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=10, widget=forms.DateInput(attrs={"type": "date"}))


_CHILD = [("", gettext_lazy("tidak diketahui")), ("ya", gettext_lazy("ya")), ("tidak", gettext_lazy("tidak"))]


@dataclass
class Section:
    title: str
    names: list[str] = field(default_factory=list)
    help: str = ""


class AmendForm(forms.Form):
    """Every part of a report that may be corrected here, prefilled with what is stored now.

    Sealed details the user may not see (the reporter's identity; a victim's NIK and
    address without need to know) are not prefilled: left blank they stay as they are.
    """

    violence_types = forms.MultipleChoiceField(label=gettext_lazy("Jenis kekerasan"), choices=ViolenceType.choices,
                                               widget=forms.CheckboxSelectMultiple)
    sexual_violence_forms = forms.MultipleChoiceField(
        label=gettext_lazy("Bentuk kekerasan seksual"), choices=SexualViolenceForm.choices,
        widget=forms.CheckboxSelectMultiple, required=False)
    victim_condition = forms.CharField(label=gettext_lazy("Kondisi korban"), required=False, max_length=10000,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    needs = forms.CharField(label=gettext_lazy("Kebutuhan dan harapan"), required=False, max_length=10000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    immediate_danger = _flag(gettext_lazy("Korban dalam bahaya segera"))
    injury_needs_care = _flag(gettext_lazy("Luka yang perlu perawatan medis"))
    threat_to_life = _flag(gettext_lazy("Ancaman terhadap nyawa"))
    self_harm_risk = _flag(gettext_lazy("Risiko menyakiti diri atau bunuh diri"))
    repeated_violence = _flag(gettext_lazy("Kekerasan berulang"))
    safe_channel = _choice(SafeChannel.choices, gettext_lazy("Saluran aman untuk menghubungi"))
    never_call_back = _flag(gettext_lazy("Jangan pernah telepon balik nomor pelapor"))
    consent_process = forms.BooleanField(label=gettext_lazy("Setuju diproses"), required=False)
    consent_refer = forms.BooleanField(label=gettext_lazy("Setuju dirujuk ke mitra"), required=False)
    consent_police = forms.BooleanField(label=gettext_lazy("Setuju dilaporkan ke polisi"), required=False)
    consent_statistics = forms.BooleanField(label=gettext_lazy("Setuju data anonim untuk statistik"), required=False)
    reason = forms.CharField(label=gettext_lazy("Alasan perubahan"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": gettext_lazy("Tuliskan alasan perubahan.")})

    def __init__(self, *args: Any, report: Report, full_victims: bool, **kwargs: Any) -> None:
        self.report = report
        self.full_victims = full_victims
        self.victims = list(report.victims.prefetch_related("disability_types", "accommodations", "ampk_groups")
                            .order_by("position"))
        self.perpetrators = list(report.perpetrators.order_by("position"))
        self.events = list(report.events.current().select_related("desa").order_by("position"))
        self._desa_names: list[str] = []
        super().__init__(*args, **kwargs)
        self.sections: list[Section] = []
        self._reporter_fields()
        for v in self.victims:
            self._victim_fields(v)
        self._new_victim_fields()
        for p in self.perpetrators:
            self._perpetrator_fields(p)
        self._new_perpetrator_fields()
        for e in self.events:
            self._event_fields(e)
        self.sections.append(Section(_("Kekerasan, kondisi, kebutuhan dan persetujuan"), [
            "violence_types", "sexual_violence_forms", "victim_condition", "needs", "consent_process",
            "consent_refer", "consent_police", "consent_statistics"]))
        self.sections.append(Section(_("Tanda bahaya"), list(DANGER), help=_(
            "Tanda bahaya menentukan tingkat risiko; risiko dan batas waktu respons dihitung ulang.")))
        self._safe_contact_fields()
        self.initial.update({name: getattr(report, name) for name in (*DANGER, "never_call_back")})
        self.initial.update({
            "violence_types": list(report.violence.values_list("violence_type", flat=True)),
            "sexual_violence_forms": list(report.sexual_forms.values_list("form", flat=True)),
            "victim_condition": report.victim_condition or "", "needs": report.needs or "",
            "consent_process": report.consent_process, "consent_refer": report.consent_refer,
            "consent_police": report.consent_police, "consent_statistics": report.consent_statistics,
        })

    # -- building ---------------------------------------------------------------------------

    def _safe_contact_fields(self) -> None:
        report = self.report
        hidden_help = "" if self.full_victims else _("Disembunyikan; kosong berarti tidak diubah.")
        section = Section(_("Kontak aman"))
        self._add(section, "safe_times", _text(_("Waktu aman dihubungi"), 200, help_text=hidden_help),
                  (report.safe_times or "") if self.full_victims else "")
        section.names += ["safe_channel", "never_call_back"]
        self.initial["safe_channel"] = report.safe_channel
        self.sections.append(section)

    def _add(self, section: Section, name: str, form_field: forms.Field, initial: Any = None) -> None:
        self.fields[name] = form_field
        if initial is not None:
            self.initial[name] = initial
        section.names.append(name)

    def _desa(self, section: Section, name: str, label: Any, code: str | None, required: bool = True) -> None:
        choices = desa_choices()
        if not required:
            choices = [("", "—"), *choices[1:]]
        listed = {c for _group, items in choices if isinstance(items, list) for c, _n in items}
        select = forms.CharField(label=label, required=False, max_length=13, widget=forms.Select(choices=choices))
        other = forms.CharField(label=_("Kode desa lain"), required=False, max_length=13,
                                help_text=_("Hanya bila desa tidak ada di daftar, misalnya 18.10.01.2001."))
        in_list = not code or code in listed
        self._add(section, name, select, (code or "") if in_list else OTHER_DESA)
        self._add(section, name + "_other", other, "" if in_list else code)
        self._desa_names.append(name)

    def _reporter_fields(self) -> None:
        report, identity = self.report, self.report.reporter
        section = Section(_("Pelapor"), help=_(
            "Identitas pelapor dirahasiakan dan tidak ditampilkan di sini. Isi hanya yang berubah; "
            "kolom yang dibiarkan kosong tidak diubah."))
        phone_now = mask_phone(identity.phone) if identity is not None and identity.phone else ""
        self._add(section, "r_name", _text(_("Pelapor: nama baru")))
        self._add(section, "r_phone", _text(_("Pelapor: nomor telepon baru"), 32,
                                            help_text=_("Sekarang: %(masked)s") % {"masked": phone_now}
                                            if phone_now else ""))
        self._add(section, "r_nik", _text(_("Pelapor: NIK baru"), 32))
        self._add(section, "r_address", _text(_("Pelapor: alamat baru"), 10000, rows=2))
        self._add(section, "r_relation", _choice(ReporterRelation.choices, _("Pelapor: hubungan dengan korban")),
                  report.reporter_relation)
        self.sections.append(section)

    def _victim_fields(self, v: Any) -> None:
        p, n = f"v{v.position}_", v.position + 1
        section = Section(_("Korban %(n)d") % {"n": n})
        self._add(section, p + "name", _text(_("Korban %(n)d: nama") % {"n": n}), v.name or "")
        self._add(section, p + "birth_date", _date(_("Korban %(n)d: tanggal lahir") % {"n": n}),
                  v.birth_date.isoformat() if v.birth_date else "")
        self._add(section, p + "age", _text(_("Korban %(n)d: usia (bila tanggal lahir tidak tahu)") % {"n": n}, 3),
                  v.stated_age or "")
        self._add(section, p + "sex", _choice(Sex.choices, _("Korban %(n)d: jenis kelamin") % {"n": n}, True), v.sex)
        self._desa(section, p + "desa", _("Korban %(n)d: desa") % {"n": n}, v.desa_id)
        hidden_help = "" if self.full_victims else _("Disembunyikan; kosong berarti tidak diubah.")
        self._add(section, p + "nik", _text(_("Korban %(n)d: NIK") % {"n": n}, 32, help_text=hidden_help),
                  (v.nik or "") if self.full_victims else "")
        self._add(section, p + "address", _text(_("Korban %(n)d: alamat") % {"n": n}, 10000, rows=2,
                                                help_text=hidden_help),
                  (v.address or "") if self.full_victims else "")
        self._add(section, p + "education", _choice(Education.choices, _("Korban %(n)d: pendidikan") % {"n": n}),
                  v.education)
        self._add(section, p + "occupation", _choice(Occupation.choices, _("Korban %(n)d: pekerjaan") % {"n": n}),
                  v.occupation)
        self._add(section, p + "marital_status",
                  _choice(MaritalStatus.choices, _("Korban %(n)d: status perkawinan") % {"n": n}), v.marital_status)
        self._add(section, p + "disability", forms.BooleanField(
            label=_("Korban %(n)d: disabilitas") % {"n": n}, required=False), v.disability)
        self._add(section, p + "disability_types", _codes(_("Korban %(n)d: ragam disabilitas") % {"n": n},
                                                          DisabilityType.choices),
                  [d.kind for d in v.disability_types.all()])
        self._add(section, p + "accommodations", _codes(_("Korban %(n)d: akomodasi yang dibutuhkan") % {"n": n},
                                                        Accommodation.choices),
                  [a.kind for a in v.accommodations.all()])
        if v.is_child:
            groups = v.ampk_groups.all()
            field = _codes(_("Korban %(n)d: kelompok AMPK") % {"n": n}, AmpkGroup.choices)
            if any(g.suggested for g in groups):
                field.help_text = _("Yang dicentang sekarang usulan SIGAP. Menyimpan pilihan yang sama tidak "
                                    "mengubah apa pun; bila usulan sudah sesuai, pakai “Konfirmasi kelompok "
                                    "AMPK” di atas.")
            self._add(section, p + "ampk_groups", field, [g.group for g in groups])
        if len(self.victims) > 1:
            self._add(section, p + "remove", forms.BooleanField(
                label=_("Hapus korban %(n)d dari laporan ini (alasan wajib)") % {"n": n}, required=False))
        self.sections.append(section)

    def _new_victim_fields(self) -> None:
        section = Section(_("Tambah korban"), help=_("Isi bila ada korban lain dalam laporan ini."))
        self._add(section, "nv_name", _text(_("Korban baru: nama")))
        self._add(section, "nv_birth_date", _date(_("Korban baru: tanggal lahir")))
        self._add(section, "nv_age", _text(_("Korban baru: usia (bila tanggal lahir tidak tahu)"), 3))
        self._add(section, "nv_sex", _choice(Sex.choices, _("Korban baru: jenis kelamin")))
        self._desa(section, "nv_desa", _("Korban baru: desa"), None, required=False)
        self._add(section, "nv_nik", _text(_("Korban baru: NIK"), 32))
        self._add(section, "nv_address", _text(_("Korban baru: alamat"), 10000, rows=2))
        self._add(section, "nv_education", _choice(Education.choices, _("Korban baru: pendidikan")))
        self._add(section, "nv_occupation", _choice(Occupation.choices, _("Korban baru: pekerjaan")))
        self._add(section, "nv_disability", forms.BooleanField(label=_("Korban baru: disabilitas"), required=False))
        self.sections.append(section)

    def _perpetrator_fields(self, t: Any) -> None:
        p, n = f"p{t.position}_", t.position + 1
        section = Section(_("Terlapor %(n)d") % {"n": n})
        self._add(section, p + "name", _text(_("Terlapor %(n)d: nama") % {"n": n}), t.name or "")
        self._add(section, p + "relation", _choice(PerpetratorRelation.choices,
                                                   _("Terlapor %(n)d: hubungan dengan korban") % {"n": n}, True),
                  t.relation)
        self._add(section, p + "sex", _choice(Sex.choices, _("Terlapor %(n)d: jenis kelamin") % {"n": n}), t.sex)
        self._add(section, p + "is_child", forms.ChoiceField(label=_("Terlapor %(n)d: anak") % {"n": n},
                                                             choices=_CHILD, required=False),
                  "" if t.is_child is None else ("ya" if t.is_child else "tidak"))
        self._add(section, p + "birth_date", _date(_("Terlapor %(n)d: tanggal lahir") % {"n": n}),
                  t.birth_date.isoformat() if t.birth_date else "")
        self._add(section, p + "age", _text(_("Terlapor %(n)d: usia") % {"n": n}, 3), t.stated_age or "")
        self._add(section, p + "education", _choice(Education.choices, _("Terlapor %(n)d: pendidikan") % {"n": n}),
                  t.education)
        self._add(section, p + "occupation", _choice(Occupation.choices,
                                                     _("Terlapor %(n)d: pekerjaan") % {"n": n}), t.occupation)
        self._add(section, p + "lives_with_victim", forms.BooleanField(
            label=_("Terlapor %(n)d: tinggal serumah dengan korban") % {"n": n}, required=False), t.lives_with_victim)
        self._add(section, p + "holds_office", forms.BooleanField(
            label=_("Terlapor %(n)d: memegang jabatan publik/desa") % {"n": n}, required=False), t.holds_office)
        self._add(section, p + "remove", forms.BooleanField(
            label=_("Hapus terlapor %(n)d dari laporan ini (alasan wajib)") % {"n": n}, required=False))
        self.sections.append(section)

    def _new_perpetrator_fields(self) -> None:
        section = Section(_("Tambah terlapor"), help=_("Isi bila terlapor baru diketahui."))
        self._add(section, "np_name", _text(_("Terlapor baru: nama")))
        self._add(section, "np_relation", _choice(PerpetratorRelation.choices,
                                                  _("Terlapor baru: hubungan dengan korban")))
        self._add(section, "np_sex", _choice(Sex.choices, _("Terlapor baru: jenis kelamin")))
        self._add(section, "np_is_child", forms.ChoiceField(label=_("Terlapor baru: anak"), choices=_CHILD,
                                                            required=False))
        self._add(section, "np_age", _text(_("Terlapor baru: usia"), 3))
        self._add(section, "np_lives_with_victim", forms.BooleanField(
            label=_("Terlapor baru: tinggal serumah dengan korban"), required=False))
        self._add(section, "np_holds_office", forms.BooleanField(
            label=_("Terlapor baru: memegang jabatan publik/desa"), required=False))
        self.sections.append(section)

    def _event_fields(self, e: Any) -> None:
        p, n = f"e{e.position}_", e.position + 1
        section = Section(_("Kejadian %(n)d: %(when)s") % {"n": n, "when": e.when_display()})
        self._add(section, p + "place", forms.ChoiceField(
            label=_("Kejadian %(n)d: tempat kejadian") % {"n": n},
            choices=[("", PLACE_UNKNOWN_LABEL), *Place.choices], required=False), e.place)
        self._desa(section, p + "desa", _("Kejadian %(n)d: desa") % {"n": n}, e.desa_id)
        self.sections.append(section)

    # -- reading ------------------------------------------------------------------------------

    def desa_code(self, name: str) -> str:
        chosen = self.cleaned_data.get(name) or ""
        return str(self.cleaned_data.get(name + "_other") or "").strip() if chosen == OTHER_DESA else chosen

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {name: data[name] for name in (
            "violence_types", "sexual_violence_forms", "victim_condition", "needs", "consent_process",
            "consent_refer", "consent_police", "consent_statistics", *DANGER, "safe_channel", "never_call_back")}
        if self.full_victims or data.get("safe_times"):  # blank and hidden: unchanged
            out["safe_times"] = data.get("safe_times")
        for name in ("name", "phone", "nik", "address"):
            if data.get("r_" + name):  # blank: unchanged (the stored value is never shown here)
                out[f"reporter.{name}"] = data["r_" + name]
        out["reporter.relation"] = data.get("r_relation") or ""
        for v in self.victims:
            p = f"v{v.position}_"
            if data.get(p + "remove"):
                out[f"victims.{v.position}.remove"] = True
                continue
            for name in ("name", "birth_date", "age", "sex", "education", "occupation", "marital_status",
                         "disability"):
                out[f"victims.{v.position}.{name}"] = data.get(p + name)
            out[f"victims.{v.position}.desa"] = self.desa_code(p + "desa")
            for name in ("nik", "address"):
                if self.full_victims or data.get(p + name):
                    out[f"victims.{v.position}.{name}"] = data.get(p + name)
            for name in ("disability_types", "accommodations", "ampk_groups"):
                if p + name in self.fields:
                    out[f"victims.{v.position}.{name}"] = list(data.get(p + name) or [])
        if any(data.get("nv_" + name) for name in ("name", "birth_date", "age", "sex")):
            new: dict[str, Any] = {name: data.get("nv_" + name) or None for name in (
                "name", "birth_date", "age", "sex", "nik", "address", "education", "occupation")}
            new["disability"] = bool(data.get("nv_disability"))
            new["desa"] = self.desa_code("nv_desa")
            out["victims.add"] = new
        for t in self.perpetrators:
            p = f"p{t.position}_"
            if data.get(p + "remove"):
                out[f"perpetrators.{t.position}.remove"] = True
                continue
            for name in ("name", "relation", "sex", "is_child", "birth_date", "age", "education", "occupation",
                         "lives_with_victim", "holds_office"):
                out[f"perpetrators.{t.position}.{name}"] = data.get(p + name)
        if any(data.get("np_" + name) for name in ("name", "relation", "sex", "age", "is_child")):
            child = data.get("np_is_child") or ""
            out["perpetrators.add"] = {
                "name": data.get("np_name") or None, "relation": data.get("np_relation") or "tidak_diketahui",
                "sex": data.get("np_sex") or None, "age": data.get("np_age") or None,
                "is_child": None if not child else child == "ya",
                "lives_with_victim": bool(data.get("np_lives_with_victim")),
                "holds_office": bool(data.get("np_holds_office")),
            }
        for e in self.events:
            p = f"e{e.position}_"
            out[f"events.{e.position}.place"] = data.get(p + "place") or ""
            out[f"events.{e.position}.desa"] = self.desa_code(p + "desa")
        return out

    def apply_errors(self, errors: dict[str, str]) -> None:
        prefixes = {"victims": "v", "perpetrators": "p", "events": "e", "reporter": "r"}
        for path, message in errors.items():
            parts = path.split(".")
            name = path
            if parts[0] in prefixes and len(parts) == 3 and parts[1] == "add":
                name = ("nv_" if parts[0] == "victims" else "np_") + parts[2]
            elif parts[0] in prefixes and len(parts) == 3:
                name = f"{prefixes[parts[0]]}{parts[1]}_{parts[2]}"
            elif parts[0] == "reporter" and len(parts) == 2:
                name = "r_" + parts[1]
            self.add_error(name if name in self.fields else None, message)

    def bound_sections(self) -> list[dict[str, Any]]:
        return [{"title": s.title, "help": s.help, "fields": [self[name] for name in s.names]}
                for s in self.sections]


def ampk_confirmable(victims: list[Victim]) -> set[int]:
    """The child victims whose AMPK groups (prefetched) include SIGAP's suggestion: "Konfirmasi kelompok AMPK"."""
    return {v.pk for v in victims if v.is_child and any(g.suggested for g in v.ampk_groups.all())}


# --- the history, as each user may see it -----------------------------------------------------


def history_rows(request: HttpRequest, report: Report, amendments: list[ReportAmendment]) -> tuple[list[dict[str, Any]],
                                                                                                   int]:
    """Each amendment with the values this user may see, and the reveal of the reporter's details.

    Plain changes: both values. A victim's NIK or address: both values to the manager and the
    case worker of the report's case (need to know), hidden from others. The reporter's details:
    masks only; the values through the vault's reveal (the manager; the case worker of the
    report's case for a phone number, as on the report), with a reason, audited, the managers told.
    """
    full_victims = access.sees_victim_details(request.user, report)
    assigned = access.is_assigned_case_worker(request.user, report)
    rows: list[dict[str, Any]] = []
    status = 200
    for amendment in amendments:
        kind = visibility(amendment.field)
        row: dict[str, Any] = {"a": amendment, "old": amendment.old_value, "new": amendment.new_value,
                               "hidden": False, "reveal": None}
        if kind == VICTIM_DETAIL and not full_victims:
            row["old"] = row["new"] = _("(disembunyikan)")
            row["hidden"] = True
        elif kind == IDENTITY:
            allowed = can_reveal(request.user) or (assigned and amendment.field == "reporter.phone")
            outcome: RevealOutcome = handle_reveal(request, amendment, ("old_identity", "new_identity"),
                                                   allowed=allowed, what=f"ubah-{amendment.pk}")
            row["reveal"] = outcome if outcome.form is not None else None
            status = max(status, outcome.status)
            if outcome.shown:
                row["old"] = outcome.revealed.get("old_identity") or "—"
                row["new"] = outcome.revealed.get("new_identity") or "—"
        rows.append(row)
    return rows, status


@login_required
@require_http_methods(["GET", "POST"])
def report_amend(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    if not may_amend(request.user, report):
        raise PermissionDenied
    full = access.sees_victim_details(request.user, report)
    amending = request.method == "POST" and "vault_reveal" not in request.POST
    form = AmendForm(request.POST if amending else None, report=report, full_victims=full)
    if amending and form.is_valid():
        try:
            done = amend_report(report, form.changes(), by=request.user, reason=form.cleaned_data["reason"],
                                request=request)
        except ReportInvalid as error:
            form.apply_errors(error.fields)
        else:
            if done:
                messages.success(request, _("Laporan diubah; versi sebelumnya tetap tersimpan."))
            else:
                messages.info(request, _("Tidak ada yang berubah."))
            return redirect("intake:report_detail", pk=report.pk)
    history, status = history_rows(request, report,
                                   list(report.amendments.select_related("by").order_by("-at", "-id")))
    confirmable = ampk_confirmable(form.victims)
    return render(request, "intake/report_amend.html", {
        "report": report, "form": form, "history": history,
        "may_decide_authority": access.can_manage_reports(request.user),
        "ampk_confirm": [v for v in form.victims if v.pk in confirmable],
    }, status=400 if amending else status)
