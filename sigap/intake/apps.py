from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "sigap.intake"
    label = "intake"
    verbose_name = "Pengaduan"
