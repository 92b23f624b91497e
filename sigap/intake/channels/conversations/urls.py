"""The inbox (staff, under /pengaduan/inbox/), the providers' webhooks (public) and
the staff notification setting. Included at the site root by ``sigap/urls.py``."""

from django.urls import path

from sigap.intake.channels.conversations import views
from sigap.intake.channels.sms import views as sms_views
from sigap.intake.channels.whatsapp import views as whatsapp_views

app_name = "conversations"

urlpatterns = [
    path("webhooks/whatsapp", whatsapp_views.webhook, name="whatsapp_webhook"),
    path("webhooks/sms", sms_views.webhook, name="sms_webhook"),
    path("pengaduan/inbox/", views.inbox, name="inbox"),
    path("pengaduan/inbox/<int:pk>/", views.conversation_detail, name="detail"),
    path("pengaduan/inbox/<int:pk>/balas/", views.reply, name="reply"),
    path("pengaduan/inbox/<int:pk>/ambil/", views.take, name="take"),
    path("pengaduan/inbox/<int:pk>/serahkan/", views.assign, name="assign"),
    path("pengaduan/inbox/<int:pk>/jangan-hubungi/", views.never_contact, name="never_contact"),
    path("pengaduan/inbox/<int:pk>/selesai/", views.close, name="close"),
    path("pengaduan/inbox/<int:pk>/buat-laporan/", views.start_report, name="start_report"),
    path("pengaduan/inbox/<int:pk>/pesan/<int:message_pk>/kirim-ulang/", views.resend, name="resend"),
    path("pengaduan/inbox/<int:pk>/pesan/<int:message_pk>/media/", views.media, name="media"),
    path("notifikasi/whatsapp/", views.staff_phone, name="staff_phone"),
]
