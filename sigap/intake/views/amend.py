"""Ubah laporan: correct or complete a filed report, with a reason; the history stays."""

from __future__ import annotations

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

from sigap.intake.access import get_report_for
from sigap.intake.amend import amend_report, may_amend
from sigap.intake.codes import Education, Occupation, Sex, SexualViolenceForm, ViolenceType
from sigap.intake.models import Report
from sigap.intake.validation import ReportInvalid


def _choice(choices: Any, label: Any, required: bool = False) -> forms.ChoiceField:
    options = list(choices) if required else [("", "—"), *choices]
    return forms.ChoiceField(label=label, choices=options, required=required)


class AmendForm(forms.Form):
    """The parts of a report that may be corrected here, prefilled with what is stored now."""

    violence_types = forms.MultipleChoiceField(label=gettext_lazy("Jenis kekerasan"), choices=ViolenceType.choices,
                                               widget=forms.CheckboxSelectMultiple)
    sexual_violence_forms = forms.MultipleChoiceField(
        label=gettext_lazy("Bentuk kekerasan seksual"), choices=SexualViolenceForm.choices,
        widget=forms.CheckboxSelectMultiple, required=False)
    victim_condition = forms.CharField(label=gettext_lazy("Kondisi korban"), required=False, max_length=10000,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    needs = forms.CharField(label=gettext_lazy("Kebutuhan dan harapan"), required=False, max_length=10000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    consent_refer = forms.BooleanField(label=gettext_lazy("Setuju dirujuk ke mitra"), required=False)
    consent_police = forms.BooleanField(label=gettext_lazy("Setuju dilaporkan ke polisi"), required=False)
    reason = forms.CharField(label=gettext_lazy("Alasan perubahan"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": gettext_lazy("Tuliskan alasan perubahan.")})

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        self.victims = list(report.victims.order_by("position"))
        initial = {
            "violence_types": list(report.violence.values_list("violence_type", flat=True)),
            "sexual_violence_forms": list(report.sexual_forms.values_list("form", flat=True)),
            "victim_condition": report.victim_condition or "", "needs": report.needs or "",
            "consent_refer": report.consent_refer, "consent_police": report.consent_police,
        }
        for v in self.victims:
            p = f"v{v.position}_"
            initial.update({
                p + "name": v.name or "", p + "birth_date": v.birth_date.isoformat() if v.birth_date else "",
                p + "age": v.stated_age or "", p + "sex": v.sex, p + "education": v.education,
                p + "occupation": v.occupation, p + "disability": v.disability,
            })
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for v in self.victims:
            p, n = f"v{v.position}_", v.position + 1
            self.fields[p + "name"] = forms.CharField(label=_("Korban %(n)d: nama") % {"n": n}, required=False,
                                                      max_length=200)
            self.fields[p + "birth_date"] = forms.CharField(
                label=_("Korban %(n)d: tanggal lahir") % {"n": n}, required=False, max_length=10,
                widget=forms.DateInput(attrs={"type": "date"}))
            self.fields[p + "age"] = forms.CharField(label=_("Korban %(n)d: usia (bila tanggal lahir tidak tahu)")
                                                     % {"n": n}, required=False, max_length=3)
            self.fields[p + "sex"] = _choice(Sex.choices, _("Korban %(n)d: jenis kelamin") % {"n": n}, True)
            self.fields[p + "education"] = _choice(Education.choices, _("Korban %(n)d: pendidikan") % {"n": n})
            self.fields[p + "occupation"] = _choice(Occupation.choices, _("Korban %(n)d: pekerjaan") % {"n": n})
            self.fields[p + "disability"] = forms.BooleanField(label=_("Korban %(n)d: disabilitas") % {"n": n},
                                                               required=False)
        self.order_fields([*(name for name in self.fields if name.startswith("v")), "violence_types",
                           "sexual_violence_forms", "victim_condition", "needs", "consent_refer",
                           "consent_police", "reason"])

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {name: data[name] for name in (
            "violence_types", "sexual_violence_forms", "victim_condition", "needs", "consent_refer",
            "consent_police")}
        for v in self.victims:
            p = f"v{v.position}_"
            for field in ("name", "birth_date", "age", "sex", "education", "occupation", "disability"):
                out[f"victims.{v.position}.{field}"] = data.get(p + field)
        return out

    def apply_errors(self, errors: dict[str, str]) -> None:
        for path, message in errors.items():
            parts = path.split(".")
            name = f"v{parts[1]}_{parts[2]}" if parts[0] == "victims" and len(parts) == 3 else path
            self.add_error(name if name in self.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def report_amend(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    if not may_amend(request.user, report):
        raise PermissionDenied
    form = AmendForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
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
    history = list(report.amendments.select_related("by").order_by("-at", "-id"))
    return render(request, "intake/report_amend.html", {"report": report, "form": form, "history": history},
                  status=400 if request.method == "POST" else 200)
