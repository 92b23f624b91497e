"""Revoke integration API tokens: one or more by id, or every token of one user.

    python manage.py revoke_api_token 12
    python manage.py revoke_api_token --user relawan-a

A token's id is printed by ``create_api_user`` and listed by ``list_api_tokens``;
the secret itself is stored only as a digest and never shown. The next call with
a revoked token is answered 401. Each revocation is one audit entry
(``intake.api_token_revoked`` on the token); a token already revoked is left as
it is. An unknown id or user is refused and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sigap.accounts.models import User
from sigap.intake.api import revoke_tokens
from sigap.intake.models import ApiToken
from sigap.lib.params import parse_id


class Command(BaseCommand):
    help = "Revoke API tokens by id (see list_api_tokens), or every token of a user with --user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", help="token ids, as create_api_user and list_api_tokens print them")
        parser.add_argument("--user", default=None, help="revoke every token of this username")

    def handle(self, *args: Any, **options: Any) -> None:
        raw_ids: list[str] = options["ids"]
        username: str | None = options["user"]
        if bool(raw_ids) == bool(username):
            raise CommandError("give token ids or --user <username>, not both")
        if username:
            user = User.objects.filter(username=username.strip()).first()
            if user is None:
                raise CommandError("no such user; nothing revoked")
            tokens = list(ApiToken.objects.filter(user=user).select_related("user").order_by("pk"))
            if not tokens:
                self.stdout.write(f"User {user.username} has no API token; nothing revoked.")
                return
        else:
            ids = [parse_id(value) for value in raw_ids]
            if None in ids:
                raise CommandError("a token id is a positive whole number; nothing revoked")
            found = {t.pk: t for t in ApiToken.objects.filter(pk__in=ids).select_related("user")}
            unknown = [str(pk) for pk in dict.fromkeys(ids) if pk not in found]
            if unknown:
                raise CommandError(f"no API token with id {', '.join(unknown)}; nothing revoked")
            tokens = [found[pk] for pk in dict.fromkeys(ids) if pk is not None]
        already = {t.pk: t.revoked_at for t in tokens if t.revoked_at is not None}
        revoked = {t.pk for t in revoke_tokens(tokens)}
        for token in tokens:
            if token.pk in revoked:
                self.stdout.write(f"Revoked token {token.pk} of user {token.user.username}.")
            else:
                when = already.get(token.pk) or token.revoked_at
                stamp = f" on {timezone.localtime(when):%Y-%m-%d %H:%M}" if when else ""
                self.stdout.write(f"Token {token.pk} of user {token.user.username} was already revoked{stamp}.")
