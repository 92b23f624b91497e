from django.urls import path

from sigap.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.roster_view, name="roster"),
    path("hapus/<int:pk>/", views.roster_delete, name="roster_delete"),
    path("rencana/", views.roster_repeat, name="roster_repeat"),
    path("serah-terima/", views.handover_view, name="handover"),
    path("serah-terima/<int:pk>/konfirmasi/", views.handover_acknowledge, name="handover_acknowledge"),
    path("telepon-balik/<int:pk>/selesai/", views.callback_done, name="callback_done"),
    path("peringatan/<int:report_pk>/", views.report_alert, name="report_alert"),
    path("peringatan/<int:report_pk>/kontak-pertama/", views.report_first_contact, name="report_first_contact"),
    path("peringatan/<int:report_pk>/percobaan/", views.report_contact_attempt, name="report_contact_attempt"),
    path("peringatan/<int:report_pk>/tangani/", views.report_alert_acknowledge, name="report_alert_acknowledge"),
    path("percakapan/<int:conversation_pk>/", views.conversation_alert, name="conversation_alert"),
    path("percakapan/<int:conversation_pk>/tangani/", views.conversation_alert_acknowledge,
         name="conversation_alert_acknowledge"),
]
