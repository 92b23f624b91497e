"""Bulk import screens: template download, upload and preview, import, report."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sigap.accounts.roles import Perm
from sigap.accounts.views import permission_required
from sigap.network import actions, imports
from sigap.network.models import ImportBatch, ImportStatus


def _kind_labels() -> dict[str, str]:
    return {
        imports.KIND_MEMBERS: _("Jaringan desa (narahubung, anggota PATBM, relawan SAPA)"),
        imports.KIND_PARTNERS: _("Mitra layanan"),
    }


@permission_required(Perm.MANAGE_NETWORK)
@require_GET
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in imports.KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "csv":
        body, content_type = imports.template_csv(kind), "text/csv; charset=utf-8"
    else:
        body = imports.template_xlsx(kind)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="templat-impor-{kind}.{fmt}"'
    return response


@permission_required(Perm.MANAGE_NETWORK)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a list; it is checked and previewed row by row, nothing imported yet."""
    error = ""
    kind = request.POST.get("kind", imports.KIND_MEMBERS)
    if request.method == "POST":
        upload = request.FILES.get("file")
        filename = (upload.name or "") if upload is not None else ""
        if kind not in imports.KINDS:
            error = _("Pilih jenis daftar.")
        elif upload is None:
            error = _("Pilih berkas CSV atau XLSX.")
        elif not filename.lower().endswith((".csv", ".xlsx", ".txt")):
            error = _("Berkas harus CSV atau XLSX.")
        else:
            content = upload.read(imports.MAX_BYTES + 1)
            try:
                rows = imports.parse(content, filename)
                missing = imports.missing_columns(kind, rows)
                if missing:
                    error = _("Kolom wajib tidak ada: %(columns)s. Pakai templat.") % {"columns": ", ".join(missing)}
            except imports.ImportFileError as problem:
                error = str(problem)
            if not error:
                batch = actions.preview_import(
                    kind=kind, filename=filename, content=content, by=request.user, request=request
                )
                return redirect("network:import_preview", pk=batch.pk)
    return render(
        request,
        "network/import_upload.html",
        {"error": error, "kinds": _kind_labels(), "kind": kind,
         "recent": ImportBatch.objects.filter(status=ImportStatus.IMPORTED)[:10]},
        status=400 if error else 200,
    )


@permission_required(Perm.MANAGE_NETWORK)
@require_GET
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    if batch.status == ImportStatus.IMPORTED or batch.content is None:
        return redirect("network:import_report", pk=pk)
    rows = imports.check(batch.kind, imports.parse(bytes(batch.content), batch.filename))
    good = sum(1 for row in rows if row.ok)
    return render(
        request,
        "network/import_preview.html",
        {"batch": batch, "rows": rows, "good": good, "bad": len(rows) - good,
         "columns": imports.COLUMNS[batch.kind], "kind_label": _kind_labels()[batch.kind]},
    )


@permission_required(Perm.MANAGE_NETWORK)
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        batch = actions.run_import(batch, by=request.user, request=request)
    except actions.NetworkError:
        messages.info(request, _("Daftar ini sudah diimpor."))
        return redirect("network:import_report", pk=pk)
    messages.success(request, _("%(count)s baris diimpor.") % {"count": batch.rows_imported})
    return redirect("network:import_report", pk=pk)


@permission_required(Perm.MANAGE_NETWORK)
@require_GET
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk, status=ImportStatus.IMPORTED)
    return render(
        request, "network/import_report.html", {"batch": batch, "kind_label": _kind_labels()[batch.kind]}
    )
