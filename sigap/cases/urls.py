from django.urls import path

from sigap.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("pekerjaan-saya/", views.my_work, name="my_work"),
    path("laporan-menunggu/", views.awaiting_reports, name="awaiting_reports"),
    path("data/", views.deidentified_list, name="deidentified"),
    path("tugas/<int:task_pk>/selesai/", views.complete_task, name="complete_task"),
    path("rujukan/", views.referral_inbox, name="referral_inbox"),
    path("rujukan/<int:referral_pk>/", views.referral_detail, name="referral_detail"),
    path("rujukan/<int:referral_pk>/status/", views.referral_status, name="referral_status"),
    path("rujukan/<int:referral_pk>/surat.pdf", views.referral_letter, name="referral_letter"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/tugaskan/", views.assign, name="assign"),
    path("<int:pk>/tahap/", views.move_stage, name="move_stage"),
    path("<int:pk>/kontak/", views.record_contact, name="record_contact"),
    path("<int:pk>/asesmen/", views.assessment, name="assessment"),
    path("<int:pk>/rencana/", views.plan, name="plan"),
    path("<int:pk>/layanan/", views.services, name="services"),
    path("<int:pk>/rujukan/", views.referrals, name="referrals"),
    path("<int:pk>/mediasi/", views.mediation, name="mediation"),
    path("<int:pk>/polisi/tutup/", views.close_police_duty, name="close_police_duty"),
    path("<int:pk>/linimasa/", views.case_timeline, name="timeline"),
    path("<int:pk>/kronologi/<int:event_pk>/ubah/", views.amend_event, name="amend_event"),
    path("<int:pk>/dokumen/", views.documents, name="documents"),
    path("<int:pk>/catatan/", views.add_note, name="add_note"),
    path("<int:pk>/lampiran/", views.add_attachment, name="add_attachment"),
    path("<int:pk>/lampiran/<int:attachment_pk>/unduh/", views.download_attachment, name="download_attachment"),
    path("<int:pk>/penutupan/", views.closure, name="closure"),
    path("<int:pk>/laporan/", views.case_reports, name="case_reports"),
]
