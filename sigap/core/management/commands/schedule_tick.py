from typing import Any

from django.core.management.base import BaseCommand

from sigap.core.schedule import tick


class Command(BaseCommand):
    help = "Enqueue the periodic jobs that are due (for cron or a systemd timer)."

    def handle(self, *args: Any, **options: Any) -> None:
        names = tick()
        self.stdout.write(f"Enqueued {len(names)} job(s){': ' + ', '.join(names) if names else ''}")
