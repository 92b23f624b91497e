from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "sigap.network"
    label = "network"
    verbose_name = _("Jaringan desa dan mitra")
