"""Bulk import of the village network and of partner agencies from CSV or XLSX.

The Dinas usually keeps these lists in a spreadsheet. ``parse`` reads the file
(CSV with "," or ";", UTF-8 with or without BOM, or the first sheet of an XLSX)
into rows keyed by the template's column names; ``check_members`` and
``check_partners`` give every row its problems (unknown desa name or code, bad
phone, duplicates in the file or against what is stored, unknown kinds); the
actions in ``actions.import_batch`` write the rows without problems in one
transaction. Desa are matched by code, or by name within the kecamatan, always
inside the deployment's regency.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from sigap.network.models import (
    GroupRole,
    Member,
    MemberKind,
    Partner,
    PartnerType,
    Position,
    Service,
)
from sigap.regions.models import Region
from sigap.vault.blind import NotNormalisable, normalise_phone, phone_index

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

KIND_MEMBERS = "jaringan"
KIND_PARTNERS = "mitra"
KINDS = (KIND_MEMBERS, KIND_PARTNERS)

MEMBER_COLUMNS = ["kecamatan", "desa", "kode_desa", "jenis", "nama", "jabatan", "peran", "telepon", "boleh_dicetak",
                  "sk_patbm"]
PARTNER_COLUMNS = ["nama", "jenis", "layanan", "kecamatan", "alamat", "narahubung", "telepon", "surel"]
COLUMNS = {KIND_MEMBERS: MEMBER_COLUMNS, KIND_PARTNERS: PARTNER_COLUMNS}
REQUIRED = {KIND_MEMBERS: {"jenis", "nama"}, KIND_PARTNERS: {"nama", "jenis"}}

EXAMPLES = {
    KIND_MEMBERS: [
        ["Mesuji Timur", "Talang Batu", "", "narahubung", "Sri Wahyuni", "kepala_desa", "ketua", "0812 3456 7001",
         "ya", ""],
        ["Mesuji Timur", "Talang Batu", "", "patbm", "Ahmad Fauzi", "kader", "ketua", "0812 3456 7002", "",
         "SK 12/2025"],
        ["", "", "18.11.01.2001", "sapa", "Dewi Lestari", "guru", "anggota", "", "", ""],
    ],
    KIND_PARTNERS: [
        ["Unit PPA Polres Mesuji", "police_uppa", "penegakan_hukum", "", "Jl. Contoh No. 1", "Bripka Rina",
         "0721 000 111", "uppa@example.go.id"],
        ["Puskesmas Contoh", "puskesmas", "kesehatan; psikologis", "Mesuji Timur", "", "", "", ""],
    ],
}

YES = {"ya", "y", "yes", "1", "true", "benar", "boleh"}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is shown as is."""


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (text or "").strip().lower()).strip("_")


def _name_key(text: str) -> str:
    return " ".join((text or "").lower().split())


def parse(data: bytes, filename: str) -> list[dict[str, str]]:
    """The file's rows keyed by column name (lower case, "_" for spaces); row 1 is the header."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("Berkas terlalu besar (paling besar 2 MB)."))
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        table = _xlsx_rows(data)
    else:
        table = _csv_rows(data)
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise ImportFileError(_("Berkas kosong."))
    header = [_key(cell) for cell in table[0]]
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(_("Terlalu banyak baris (paling banyak %(max)s).") % {"max": MAX_ROWS})
    return [{header[i]: (row[i] if i < len(row) else "").strip() for i in range(len(header))} for row in table[1:]]


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportFileError(_("Berkas tidak bisa dibaca. Simpan sebagai CSV atau XLSX.")) from None
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(["" if cell is None else (str(int(cell)) if isinstance(cell, float) and cell.is_integer()
                                                else str(cell)) for cell in row])
    book.close()
    return rows


def missing_columns(kind: str, rows: list[dict[str, str]]) -> list[str]:
    present = set(rows[0]) if rows else set()
    return sorted(REQUIRED[kind] - present)


@dataclass
class CheckedRow:
    number: int  # the row in the spreadsheet (the header is row 1)
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # what the action writes, when there are no problems

    @property
    def ok(self) -> bool:
        return not self.problems


def _choice(value: str, choices: Any) -> str | None:
    """A TextChoices value from its code or its Indonesian label, case-insensitively."""
    wanted = _key(value)
    for code, label in choices.choices:
        if wanted in (_key(code), _key(str(label))):
            return str(code)
    return None


MEMBER_KIND_ALIASES = {"narahubung": MemberKind.CONTACT_POINT, "narahubung_desa": MemberKind.CONTACT_POINT,
                       "contact_point": MemberKind.CONTACT_POINT, "patbm": MemberKind.PATBM,
                       "anggota_patbm": MemberKind.PATBM, "sapa": MemberKind.SAPA, "relawan_sapa": MemberKind.SAPA}


class DesaFinder:
    """Desa of the deployment by code, or by (kecamatan name, desa name)."""

    def __init__(self) -> None:
        villages = list(Region.objects.in_deployment().desa().select_related("parent"))
        self.by_code = {v.code: v for v in villages}
        self.by_name: dict[tuple[str, str], list[Region]] = {}
        for v in villages:
            kec = _name_key(v.parent.name) if v.parent else ""
            self.by_name.setdefault((kec, _name_key(v.name)), []).append(v)

    def find(self, code: str, kecamatan: str, desa: str) -> tuple[Region | None, str]:
        if code:
            found = self.by_code.get(code.strip())
            return (found, "") if found else (None, _("Kode desa %(code)s tidak dikenal di kabupaten ini.") % {
                "code": code})
        if not desa:
            return None, _("Isi kode desa, atau nama kecamatan dan nama desa.")
        if not kecamatan:
            return None, _("Isi nama kecamatan untuk desa %(desa)s (nama desa bisa sama di kecamatan lain).") % {
                "desa": desa}
        matches = self.by_name.get((_name_key(kecamatan), _name_key(desa)), [])
        if len(matches) == 1:
            return matches[0], ""
        if len(matches) > 1:
            return None, _("Ada beberapa desa %(desa)s di Kecamatan %(kec)s: isi kode desanya.") % {
                "desa": desa, "kec": kecamatan}
        return None, _("Desa %(desa)s tidak ditemukan di Kecamatan %(kec)s.") % {"desa": desa, "kec": kecamatan}


def _phone(value: str, problems: list[str]) -> str:
    if not value:
        return ""
    try:
        normalise_phone(value)
    except NotNormalisable:
        problems.append(_("Nomor telepon tidak dikenali. Contoh: 0812 3456 7890."))
        return ""
    return value


def check_members(rows: list[dict[str, str]]) -> list[CheckedRow]:
    finder = DesaFinder()
    checked = [CheckedRow(number=i + 2, values=row) for i, row in enumerate(rows)]
    for row in checked:
        v, problems = row.values, row.problems
        desa, problem = finder.find(v.get("kode_desa", ""), v.get("kecamatan", ""), v.get("desa", ""))
        if problem:
            problems.append(problem)
        kind = MEMBER_KIND_ALIASES.get(_key(v.get("jenis", ""))) or _choice(v.get("jenis", ""), MemberKind)
        if not kind:
            problems.append(_("Jenis %(value)s tidak dikenal: narahubung, patbm atau sapa.") % {
                "value": v.get("jenis", "")})
        name = " ".join(v.get("nama", "").split())
        if not name:
            problems.append(_("Nama kosong."))
        position = _choice(v.get("jabatan", ""), Position) if v.get("jabatan") else Position.WARGA
        if not position:
            problems.append(_("Jabatan %(value)s tidak dikenal.") % {"value": v.get("jabatan", "")})
        group_role = _choice(v.get("peran", ""), GroupRole) if v.get("peran") else GroupRole.ANGGOTA
        if not group_role:
            problems.append(_("Peran %(value)s tidak dikenal.") % {"value": v.get("peran", "")})
        phone = _phone(v.get("telepon", ""), problems)
        may_print = _key(v.get("boleh_dicetak", "")) in YES
        if may_print and kind != MemberKind.CONTACT_POINT:
            problems.append(_("Hanya narahubung desa yang dicetak di pamflet."))
        if may_print and not phone and not v.get("telepon"):
            problems.append(_("Isi nomor telepon bila narahubung boleh dicetak di pamflet."))
        row.data = {
            "desa": desa, "kind": kind, "name": name, "position": position, "group_role": group_role,
            "phone": phone, "may_print": may_print, "decree": v.get("sk_patbm", "")[:100],
        }
    _member_duplicates(checked)
    return checked


def _member_duplicates(checked: list[CheckedRow]) -> None:
    desa_codes = {r.data["desa"].code for r in checked if r.data.get("desa") is not None}
    stored = list(Member.objects.active().filter(desa_id__in=desa_codes))
    stored_names = {(m.desa_id, m.kind, _name_key(m.name)) for m in stored}
    stored_phones = {(m.desa_id, m.phone_index) for m in stored if m.phone_index}
    contact_points = {m.desa_id for m in stored if m.kind == MemberKind.CONTACT_POINT}
    seen_names: dict[tuple[str, str, str], int] = {}
    seen_phones: dict[tuple[str, str], int] = {}
    seen_contacts: dict[str, int] = {}
    for row in checked:
        desa, kind = row.data.get("desa"), row.data.get("kind")
        if desa is None or not kind or not row.data.get("name"):
            continue
        name_key = (desa.code, kind, _name_key(row.data["name"]))
        index = phone_index(row.data["phone"]) if row.data["phone"] else None
        if name_key in stored_names or (index and (desa.code, index) in stored_phones):
            row.problems.append(_("Duplikat: orang ini sudah terdaftar di desa tersebut."))
        elif name_key in seen_names:
            row.problems.append(_("Duplikat dari baris %(row)s.") % {"row": seen_names[name_key]})
        elif index and (desa.code, index) in seen_phones:
            row.problems.append(_("Duplikat dari baris %(row)s (nomor telepon sama).") % {
                "row": seen_phones[(desa.code, index)]})
        if kind == MemberKind.CONTACT_POINT:
            if desa.code in contact_points:
                row.problems.append(_("Desa ini sudah punya narahubung aktif."))
            elif desa.code in seen_contacts:
                row.problems.append(_("Narahubung desa ini sudah ada di baris %(row)s.") % {
                    "row": seen_contacts[desa.code]})
        if row.ok:
            seen_names[name_key] = row.number
            if index:
                seen_phones[(desa.code, index)] = row.number
            if kind == MemberKind.CONTACT_POINT:
                seen_contacts[desa.code] = row.number


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", value or "") if part.strip()]


def check_partners(rows: list[dict[str, str]]) -> list[CheckedRow]:
    kecamatan = {_name_key(k.name): k for k in Region.objects.in_deployment().kecamatan()}
    kecamatan.update({k.code: k for k in kecamatan.values()})
    stored = {_name_key(name) for name in Partner.objects.values_list("name", flat=True)}
    seen: dict[str, int] = {}
    checked = [CheckedRow(number=i + 2, values=row) for i, row in enumerate(rows)]
    for row in checked:
        v, problems = row.values, row.problems
        name = " ".join(v.get("nama", "").split())[:200]
        if not name:
            problems.append(_("Nama lembaga kosong."))
        partner_type = _choice(v.get("jenis", ""), PartnerType)
        if not partner_type:
            problems.append(_("Jenis lembaga %(value)s tidak dikenal.") % {"value": v.get("jenis", "")})
        services = []
        for part in _split(v.get("layanan", "")):
            service = _choice(part, Service)
            if service:
                services.append(service)
            else:
                problems.append(_("Layanan %(value)s tidak dikenal.") % {"value": part})
        areas = []
        for part in _split(v.get("kecamatan", "")):
            area = kecamatan.get(_name_key(part)) or kecamatan.get(part)
            if area:
                areas.append(area)
            else:
                problems.append(_("Kecamatan %(value)s tidak ditemukan di kabupaten ini.") % {"value": part})
        phone = _phone(v.get("telepon", ""), problems)
        email = v.get("surel", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("Surel tidak valid."))
        if name and _name_key(name) in stored:
            problems.append(_("Duplikat: mitra dengan nama ini sudah ada."))
        elif name and _name_key(name) in seen:
            problems.append(_("Duplikat dari baris %(row)s.") % {"row": seen[_name_key(name)]})
        if row.ok:
            seen[_name_key(name)] = row.number
        row.data = {
            "data": {"name": name, "partner_type": partner_type, "address": v.get("alamat", ""),
                     "contact_name": v.get("narahubung", "")[:200], "phone": phone, "email": email, "active": True},
            "services": services, "kecamatan": areas,
        }
    return checked


def check(kind: str, rows: list[dict[str, str]]) -> list[CheckedRow]:
    return check_members(rows) if kind == KIND_MEMBERS else check_partners(rows)


def template_csv(kind: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS[kind])
    writer.writerows(EXAMPLES[kind])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = kind
    sheet.append(COLUMNS[kind])
    for row in EXAMPLES[kind]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
