"""Checks run on a restored database: counts, integrity, audit chain, sealed values.

Each check returns a ``Check`` whose detail names tables, models and numbers
only, never a value from a row.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection, models
from django.utils.translation import gettext as _

from sigap.ops import dbstate
from sigap.vault.crypto import VaultDecryptError
from sigap.vault.fields import EncryptedFieldMixin
from sigap.vault.keyring import VaultKeyError, keyring
from sigap.vault.models import AuditEntry, AuditHead


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def compare_counts(expected: dict[str, int], actual: dict[str, int]) -> Check:
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, have = expected.get(table), actual.get(table)
        if want != have:
            problems.append(f"{table}: {_('cadangan')} {want if want is not None else '-'}, "
                            f"{_('basis data')} {have if have is not None else '-'}")
    if problems:
        return Check(_("Jumlah baris"), False, "; ".join(problems))
    return Check(_("Jumlah baris"), True,
                 _("%(tables)s tabel, %(rows)s baris sama dengan manifes")
                 % {"tables": len(expected), "rows": sum(expected.values())})


def integrity(engine: str) -> Check:
    if engine == "sqlite":
        with connection.cursor() as cursor:
            problems = dbstate.sqlite_integrity(cursor)
        if problems:
            return Check(_("Integritas"), False, "; ".join(problems[:5]))
        return Check(_("Integritas"), True, "PRAGMA integrity_check: ok")
    # PostgreSQL: pg_restore ran in one transaction with --exit-on-error, so
    # every row was accepted and every constraint and foreign key was validated.
    return Check(_("Integritas"), True, _("pg_restore selesai dalam satu transaksi; semua batasan tervalidasi"))


def walk_audit_chain() -> tuple[bool, str]:
    """Recompute every link of the audit chain (used until vault's verify_audit exists)."""
    from sigap.vault.audit import GENESIS, entry_hash

    key = keyring().key("audit")
    previous = GENESIS
    expected_seq = 1
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return False, _("entri audit #%(seq)s hilang") % {"seq": expected_seq}
        if entry.prev_hash != previous or entry_hash(previous, entry, key) != entry.hash:
            return False, _("rantai audit putus pada entri #%(seq)s") % {"seq": entry.seq}
        previous = entry.hash
        expected_seq += 1
    head = AuditHead.objects.filter(id=1).first()
    count = expected_seq - 1
    if head is not None and (head.seq != count or head.hash != previous):
        return False, _("kepala rantai audit tidak cocok dengan entri terakhir")
    return True, _("%(count)s entri terverifikasi") % {"count": count}


def verify_audit_chain() -> Check:
    """Run vault's ``verify_audit`` when it exists, otherwise walk the chain here."""
    name = _("Rantai audit")
    if "verify_audit" in get_commands():
        out = io.StringIO()
        try:
            call_command("verify_audit", stdout=out, stderr=out)
        except (CommandError, SystemExit) as error:
            if not (isinstance(error, SystemExit) and not error.code):
                return Check(name, False, str(error) or out.getvalue().strip()[-300:])
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        return Check(name, True, "verify_audit: " + (lines[-1] if lines else "ok"))
    ok, detail = walk_audit_chain()
    return Check(name, ok, detail)


def audit_head_matches(expected: dict[str, Any] | None) -> Check:
    name = _("Kepala rantai audit")
    if expected is None:
        return Check(name, True, _("cadangan tanpa log audit"))
    head = AuditHead.objects.filter(id=1).first()
    seq, hash_ = (head.seq, head.hash) if head is not None else (0, "0" * 64)
    if seq != expected["seq"] or hash_ != expected["hash"]:
        return Check(name, False, _("basis data #%(have)s, manifes #%(want)s") % {"have": seq, "want": expected["seq"]})
    return Check(name, True, f"#{seq} {hash_[:12]}…")


def encrypted_models() -> list[tuple[type[models.Model], list[str]]]:
    """Models with sealed fields whose table exists in the database."""
    existing = set(connection.introspection.table_names())
    found = []
    for model in apps.get_models():
        if model._meta.db_table not in existing:
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]
        if names:
            found.append((model, names))
    return found


def _sample_pks(model: type[models.Model], size: int) -> list[Any]:
    manager = model._base_manager
    pks = list(manager.order_by("pk").values_list("pk", flat=True)[:size])
    pks += list(manager.order_by("-pk").values_list("pk", flat=True)[:size])
    total = manager.count()
    if total > 2 * size:
        step = max(1, total // size)
        pks += [manager.order_by("pk").values_list("pk", flat=True)[offset] for offset in range(size, total - size, step)][:size]
    return list(dict.fromkeys(pks))


def decrypt_sample(size: int = 10) -> Check:
    """Open a sample of sealed values (first, last and spread rows) of every model that has them."""
    name = _("Dekripsi sampel")
    checked = 0
    failures: list[str] = []
    models_with_values = encrypted_models()
    for model, fields in models_with_values:
        for pk in _sample_pks(model, size):
            try:
                row = model._base_manager.only("pk", *fields).get(pk=pk)
                for field in fields:
                    getattr(row, field)
            except (VaultDecryptError, VaultKeyError, UnicodeDecodeError):
                failures.append(f"{model._meta.label_lower}#{pk}")
            checked += 1
    if failures:
        return Check(name, False, _("gagal: %(rows)s") % {"rows": ", ".join(failures[:10])})
    if not checked:
        return Check(name, True, _("tidak ada nilai terenkripsi dalam cadangan ini"))
    return Check(name, True, _("%(rows)s baris dari %(models)s model terbuka dengan kunci saat ini")
                 % {"rows": checked, "models": len(models_with_values)})
