"""List integration API tokens without their secrets.

    python manage.py list_api_tokens [--user relawan-a] [--active]

One line per token: id, user, role (and desa), when it was created, and when it
was revoked or ``active``. The secret is stored only as a digest and is never
shown; the id names a token for ``revoke_api_token``. When a token was last used
is not recorded.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sigap.accounts.models import User
from sigap.intake.models import ApiToken


def _when(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


class Command(BaseCommand):
    help = "List API tokens (id, user, role, created, revoked) without secrets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default=None, help="only this username's tokens")
        parser.add_argument("--active", action="store_true", help="only tokens not revoked")

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("pk")
        if options["user"]:
            user = User.objects.filter(username=options["user"].strip()).first()
            if user is None:
                raise CommandError("no such user")
            tokens = tokens.filter(user=user)
        if options["active"]:
            tokens = tokens.filter(revoked_at__isnull=True)
        rows = [("id", "user", "role", "created", "revoked")]
        for token in tokens:
            user = token.user
            role = f"{user.role} {user.desa_id}" if user.desa_id else str(user.role)
            if not user.is_active:
                role += " (user deactivated)"
            revoked = _when(token.revoked_at) if token.revoked_at else "active"
            rows.append((str(token.pk), user.username, role, _when(token.created_at), revoked))
        if len(rows) == 1:
            self.stdout.write("No API tokens.")
            return
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
