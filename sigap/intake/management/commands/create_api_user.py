"""Create (or reuse) an API user and print a new bearer token alone on the last line.

    python manage.py create_api_user relawan-a --role volunteer --desa 18.11.01.2001

An existing user of the same role gets an additional token; a different role is
refused. The user has no usable password: the token is the only way in. Only the
token's digest is stored, so it cannot be shown again. The line before it gives
the token's id, which names it in ``list_api_tokens`` and ``revoke_api_token``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.intake.api import issue_token_entry
from sigap.regions.models import Level, Region
from sigap.vault.audit import record


class Command(BaseCommand):
    help = "Create an API user with a role and print a bearer token on the last line of output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--desa", default=None, help="desa code, required for volunteers")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        role: str = options["role"]
        desa: str | None = options["desa"]
        if not username or len(username) > 150:
            raise CommandError("username must be 1-150 characters")
        if role == Role.VOLUNTEER and not desa:
            raise CommandError("--desa is required for the volunteer role")
        if desa and role != Role.VOLUNTEER:
            raise CommandError("--desa is only for the volunteer role")
        if desa and not Region.objects.filter(code=desa, level=Level.DESA).exists():
            raise CommandError(f"unknown desa code {desa!r} (load regions first: manage.py load_regions)")
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, role=role, desa_id=desa)
                user.set_unusable_password()
                user.save()
                record("accounts.api_user_created", obj=user)
                self.stdout.write(f"Created user {username} with role {role}.")
            elif user.role != role or (desa and user.desa_id != desa):
                raise CommandError(f"user {username!r} exists with another role or desa")
            else:
                self.stdout.write(f"User {username} exists; issuing an additional token.")
            entry, token = issue_token_entry(user)
            record("intake.api_token_issued", obj=user)
        self.stdout.write(f"Token id {entry.pk} (revoke with: manage.py revoke_api_token {entry.pk}):")
        self.stdout.write(token)
