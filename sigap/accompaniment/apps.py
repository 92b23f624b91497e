from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccompanimentConfig(AppConfig):
    name = "sigap.accompaniment"
    label = "accompaniment"
    verbose_name = _("Pendampingan korban")

    def ready(self) -> None:
        # A case transferred to another unit is read-only: every cases action refuses it.
        from sigap.accompaniment.actions import transfer_refusal
        from sigap.cases.actions import register_write_guard

        register_write_guard(transfer_refusal)

        # Retention scrubs the case's accompaniment records with the case.
        from sigap.accompaniment.models import sealed_records
        from sigap.cases.models import CASE_RECORDS_ELSEWHERE

        if sealed_records not in CASE_RECORDS_ELSEWHERE:
            CASE_RECORDS_ELSEWHERE.append(sealed_records)

        # The case worker's appointments of the day on the "Hari ini" home.
        from sigap.accompaniment import home

        home.register()

        # Appointment outcomes, with who recorded them, on the case timeline.
        from sigap.accompaniment.timeline import appointment_outcomes
        from sigap.cases.timeline import register_source

        register_source(appointment_outcomes)
