"""URLs for the vault's view tests: the sample page plus the project pages base.html links to."""

from django.urls import include, path
from django.views.i18n import set_language

from sigap.vault.tests.sample_app import views

urlpatterns = [
    path("sampel/<int:pk>/", views.identity_detail, name="sample_identity"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("akun/", include("sigap.accounts.urls")),
    path("notifikasi/", include("sigap.core.notifications")),
    path("audit/", include("sigap.vault.urls")),
    path("", include("sigap.core.urls")),
]
