from typing import Any

from django.core.management.base import BaseCommand

from sigap.accounts.actions import issue_setup_token


class Command(BaseCommand):
    help = "Print a one-time first-run setup link while no account exists."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        token = issue_setup_token()
        if token is None:
            self.stderr.write("Accounts already exist; setup is closed.")
            return
        self.stdout.write(f"{options['base_url'].rstrip('/')}/akun/setup/{token}/")
