from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "sigap.cases"
    label = "cases"
    verbose_name = _("Kasus")

    def ready(self) -> None:
        # ``manage.py seed`` opens a case for every synthetic report it writes.
        from sigap.cases.seeding import seed_cases
        from sigap.core.seeding import SEEDERS

        if seed_cases not in SEEDERS:
            SEEDERS.append(seed_cases)
