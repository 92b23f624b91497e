from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "sigap.ops"
    label = "ops"
    verbose_name = "Operasional"
