"""List which records and which accounts the audit log shows opened or exported in a period."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.ops import breach
from sigap.ops.verification import verify_audit_chain
from sigap.vault import audit


def _fmt(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


class Command(BaseCommand):
    help = (
        "Breach response aid (UU 27/2022 Pasal 46, notice within 3x24 hours): for a period, the records "
        "the audit log shows opened, revealed, exported or downloaded, and by which user ids. Ids only."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--since", required=True, help="first day (YYYY-MM-DD, office time) or an ISO date-time")
        parser.add_argument("--until", required=True, help="last day, inclusive (YYYY-MM-DD) or an ISO date-time")
        parser.add_argument("--format", choices=("text", "csv"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            since = breach.parse_moment(options["since"], end=False)
            until = breach.parse_moment(options["until"], end=True)
        except ValueError:
            raise CommandError("--since/--until must be YYYY-MM-DD or an ISO date-time") from None
        if until <= since:
            raise CommandError("--until must be after --since")
        chain = verify_audit_chain()
        report = breach.build(since, until)
        # Looking through the log for a breach is itself an audited act.
        audit.record("ops.breach_report", object_type="ops.period", object_id=f"{since:%Y%m%d}-{until:%Y%m%d}",
                     reason=f"{report.entries} entries")
        if options["format"] == "csv":
            self._csv(report)
        else:
            self._text(report, chain.ok, chain.detail)
        if not chain.ok:
            self.stderr.write(self.style.ERROR(_("PERINGATAN: rantai audit tidak terverifikasi: %(d)s") % {"d": chain.detail}))

    def _csv(self, report: breach.BreachReport) -> None:
        writer = csv.writer(self.stdout)
        writer.writerow(["section", "object_type", "object_id", "user_id", "role", "count", "distinct",
                         "actions", "first_at", "last_at"])
        for group in report.by_object:
            writer.writerow(["object", group.key[0], group.key[1], "", "", group.count, len(group.others),
                             ";".join(f"{a}={n}" for a, n in sorted(group.actions.items())),
                             _fmt(group.first), _fmt(group.last)])
        for group in report.by_user:
            user = group.key[0]
            writer.writerow(["user", "", "", user, report.roles.get(user, ""), group.count, len(group.others),
                             ";".join(f"{a}={n}" for a, n in sorted(group.actions.items())),
                             _fmt(group.first), _fmt(group.last)])

    def _text(self, report: breach.BreachReport, chain_ok: bool, chain_detail: str) -> None:
        w = self.stdout.write
        w(_("Laporan akses data untuk pemberitahuan kegagalan pelindungan data (UU 27/2022 Pasal 46)"))
        w(_("Periode: dari %(since)s sampai sebelum %(until)s (%(tz)s)")
          % {"since": _fmt(report.since), "until": _fmt(report.until), "tz": timezone.get_current_timezone_name()})
        w(_("Rantai audit: %(state)s") % {"state": chain_detail if chain_ok else _("TIDAK TERVERIFIKASI - ") + chain_detail})
        w(_("Entri akses: %(entries)s; objek: %(objects)s; pengguna: %(users)s")
          % {"entries": report.entries, "objects": len(report.by_object), "users": len(report.by_user)})
        w("")
        w(_("Per objek (jenis, id: jumlah akses, pengguna, tindakan, pertama - terakhir)"))
        for group in report.by_object:
            kind, pk = group.key
            users = ",".join(sorted(group.others, key=int)) or "-"
            w(f"  {kind or '-'} {pk or '-'}: {group.count}x, user {users}, "
              f"{', '.join(f'{a}={n}' for a, n in sorted(group.actions.items()))}, "
              f"{_fmt(group.first)} - {_fmt(group.last)}")
        w("")
        w(_("Per pengguna (id, peran: jumlah akses, objek berbeda, tindakan, pertama - terakhir)"))
        for group in report.by_user:
            user = group.key[0]
            label = f"{user} ({report.roles.get(user, '?')})" if user else _("tanpa pengguna (sistem/anonim)")
            w(f"  {label}: {group.count}x, {len(group.others)} {_('objek')}, "
              f"{', '.join(f'{a}={n}' for a, n in sorted(group.actions.items()))}, "
              f"{_fmt(group.first)} - {_fmt(group.last)}")
