from django.urls import path

from sigap.accompaniment import views

app_name = "accompaniment"

urlpatterns = [
    path("jadwal/", views.my_calendar, name="calendar"),
    path("jadwal/petugas/<int:user_pk>/", views.worker_calendar, name="worker_calendar"),
    path("jadwal/<int:pk>/", views.attended_appointment, name="appointment"),
    path("statistik/", views.statistics, name="statistics"),
    path("formulir-pengaduan.pdf", views.complaint_form_pdf, name="complaint_form"),
    path("surat/<int:letter_pk>.pdf", views.letter_pdf, name="letter_pdf"),
    path("kasus/<int:pk>/", views.case_page, name="case"),
    path("kasus/<int:pk>/jadwal/", views.case_calendar, name="case_calendar"),
    path("kasus/<int:pk>/persetujuan.pdf", views.consent_pdf, name="consent_pdf"),
    path("kasus/<int:pk>/resume/<str:recipient>.pdf", views.summary_pdf, name="summary_pdf"),
]
