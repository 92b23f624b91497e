"""Intake screens. Staff pages live under /pengaduan/; the public ones at /lapor and /lacak.

``sigap/urls.py`` includes this module at the site root so both share the
``intake`` namespace (``intake:report_list``, ``intake:public_report``).
"""

from django.urls import include, path

from sigap.intake.views import amend, contacts, public, reports, volunteer

app_name = "intake"

staff_urlpatterns = [
    path("kontak/", contacts.contact_list, name="contact_list"),
    path("kontak/baru/", contacts.contact_new, name="contact_new"),
    path("kontak/cek-nomor/", contacts.caller_check, name="caller_check"),
    path("laporan/", reports.report_list, name="report_list"),
    path("laporan/baru/", reports.report_new, name="report_new"),
    path("laporan/<int:pk>/", reports.report_detail, name="report_detail"),
    path("laporan/<int:pk>/risiko/", reports.report_override_risk, name="report_override_risk"),
    path("laporan/<int:pk>/ubah/", amend.report_amend, name="report_amend"),
    path("laporan/<int:pk>/ampk/konfirmasi/", reports.report_confirm_ampk, name="report_confirm_ampk"),
    path("laporan/<int:pk>/catatan/", reports.report_note, name="report_note"),
    path("laporan/<int:pk>/kewenangan/", reports.report_authority, name="report_authority"),
    path("laporan/<int:pk>/tautkan/", reports.report_link, name="report_link"),
    path("desa-saya/", volunteer.volunteer_home, name="volunteer_home"),
    path("desa-saya/lapor/", volunteer.volunteer_report_new, name="volunteer_report_new"),
]

urlpatterns = [
    path("pengaduan/", include(staff_urlpatterns)),
    path("lapor", public.public_report, name="public_report"),
    path("lacak", public.track_view, name="track"),
]
