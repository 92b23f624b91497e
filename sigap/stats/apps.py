from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "sigap.stats"
    label = "stats"
    verbose_name = "Statistik"
