from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "sigap.alerts"
    label = "alerts"
    verbose_name = _("Peringatan dan jadwal piket")

    def ready(self) -> None:
        # Listen to intake's after-commit signals (intake never imports this app)
        # and add the "Hari ini" sections to the staff home (sigap.core.home).
        # Let the person on duty open and take what the alerts sent them (sigap.alerts.duty).
        # and show failed call-back attempts on the report page.
        from sigap.alerts import duty, home, receivers, views
        from sigap.intake.models import register_report_page_context

        receivers.connect()
        home.register()
        duty.register()
        register_report_page_context(views.report_page_context)
