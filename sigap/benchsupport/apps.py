from django.apps import AppConfig


class BenchSupportConfig(AppConfig):
    """Installed only when SIGAP_BENCH is on: the benchmark's reference endpoints."""

    name = "sigap.benchsupport"
    label = "benchsupport"
    verbose_name = "Benchmark support"
