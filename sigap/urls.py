from django.conf import settings
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView
from django.views.i18n import set_language

from sigap.api import api
from sigap.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on their own; answer with the icon, not a 404 in the log.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("akun/", include("sigap.accounts.urls")),
    path("notifikasi/", include("sigap.core.notifications")),
    path("audit/", include("sigap.vault.urls")),
    # WhatsApp/SMS webhooks and the inbox at pengaduan/inbox/ (sigap/intake/channels).
    path("", include("sigap.intake.channels.conversations.urls")),
    # Staff pages at pengaduan/, the public "lapor" and "lacak" at the root (sigap/intake/urls.py).
    path("", include("sigap.intake.urls")),
    path("ops/", include("sigap.ops.urls")),
    path("jaringan/", include("sigap.network.urls")),
    path("statistik/", include("sigap.stats.urls")),
    path("kasus/", include("sigap.cases.urls")),
    path("piket/", include("sigap.alerts.urls")),
    path("pendampingan/", include("sigap.accompaniment.urls")),
    path("", include("sigap.outreach.urls")),
    path("", include("sigap.core.urls")),
]

# Under /api/v1/ an error raised outside any view (a middleware's refusal, a disallowed Host)
# is answered in the API's JSON shape; elsewhere by Django's default pages (sigap/api.py).
handler400 = "sigap.api.bad_request"
handler403 = "sigap.api.permission_denied"
handler404 = "sigap.api.page_not_found"
handler500 = "sigap.api.server_error"

if settings.SIGAP_BENCH:
    urlpatterns.insert(0, path("bench/", include("sigap.benchsupport.urls")))
