"""Print the audit chain's head, to copy off the machine (see docs/SECURITY.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sigap.vault.audit import GENESIS
from sigap.vault.models import AuditEntry, AuditHead


class Command(BaseCommand):
    help = "Print the audit chain's head as SEQ:HASH (usable as verify_audit --anchor)."

    def handle(self, *args: Any, **options: Any) -> None:
        head = AuditHead.objects.filter(id=1).first()
        seq, digest = (head.seq, head.hash) if head is not None else (0, GENESIS)
        at = AuditEntry.objects.filter(seq=seq).values_list("at", flat=True).first()
        self.stdout.write(f"{seq}:{digest}")
        if at is not None:
            self.stderr.write(f"entry #{seq} written at {at.isoformat()}")
