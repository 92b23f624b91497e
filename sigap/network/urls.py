from django.urls import path

from sigap.network import import_views, views

app_name = "network"

DESA = "<str:code>"

urlpatterns = [
    path("impor/", import_views.import_upload, name="import_upload"),
    path("impor/templat/<str:kind>.<str:fmt>", import_views.import_template, name="import_template"),
    path("impor/<int:pk>/", import_views.import_preview, name="import_preview"),
    path("impor/<int:pk>/jalankan/", import_views.import_run, name="import_run"),
    path("impor/<int:pk>/laporan/", import_views.import_report, name="import_report"),
    path("desa/", views.village_list, name="village_list"),
    path("desa-saya/", views.my_village, name="my_village"),
    path(f"desa/{DESA}/", views.village_detail, name="village_detail"),
    path(f"desa/{DESA}/anggota/baru/", views.member_add, name="member_add"),
    path(f"desa/{DESA}/patbm/", views.patbm_edit, name="patbm_edit"),
    path("anggota/<int:pk>/ubah/", views.member_edit, name="member_edit"),
    path("anggota/<int:pk>/keluar/", views.member_leave, name="member_leave"),
    path("anggota/<int:pk>/undang/", views.member_invite, name="member_invite"),
    path("undangan/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("mitra/", views.partner_list, name="partner_list"),
    path("mitra/baru/", views.partner_edit, name="partner_new"),
    path("mitra/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("mitra/<int:pk>/ubah/", views.partner_edit, name="partner_edit"),
    path("mitra/<int:pk>/pengguna/", views.partner_member_add, name="partner_member_add"),
    path("mitra/<int:pk>/pengguna/<int:link_pk>/lepas/", views.partner_member_remove, name="partner_member_remove"),
]
