from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "sigap.cases"
    label = "cases"
    verbose_name = _("Kasus")

    def ready(self) -> None:
        # A case worker sees the reports of the cases assigned to them (intake's one report rule).
        from sigap.cases.access import report_grant
        from sigap.intake.models import register_case_worker_grant

        register_case_worker_grant(report_grant)

        # The report page offers "Buka kasus" only where a case may be opened from it.
        from sigap.cases.access import open_case_link
        from sigap.intake.models import register_open_case_link

        register_open_case_link(open_case_link)

        # An amended report re-runs the case's rules once (police deadline, mediation gate, case type).
        from sigap.cases.actions import after_report_amended
        from sigap.intake.amend import register_amendment_hook

        register_amendment_hook(after_report_amended)

        # ``manage.py seed`` opens a case for every synthetic report it writes.
        from sigap.cases.seeding import seed_cases
        from sigap.intake.seeding import SEEDERS

        if seed_cases not in SEEDERS:
            SEEDERS.append(seed_cases)
