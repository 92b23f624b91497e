from django.urls import path

from sigap.outreach import views

app_name = "outreach"

urlpatterns = [
    path("sosialisasi/", views.activity_list, name="activity_list"),
    path("sosialisasi/kegiatan/baru/", views.activity_new, name="activity_new"),
    path("sosialisasi/kegiatan/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("sosialisasi/kegiatan/<int:pk>/ubah/", views.activity_edit, name="activity_edit"),
    path("sosialisasi/kegiatan/<int:pk>/foto/", views.photo_upload, name="photo_upload"),
    path("sosialisasi/kegiatan/<int:pk>/foto/<int:photo_pk>/", views.photo_download, name="photo_download"),
    path("sosialisasi/pamflet/", views.pamphlet_home, name="pamphlet_home"),
    path("sosialisasi/pamflet/kampanye/<int:campaign_pk>/buat/", views.batch_request, name="batch_request"),
    path("sosialisasi/pamflet/batch/<int:pk>/<str:part>/", views.batch_download, name="batch_download"),
    path("sosialisasi/pamflet/<str:code>/<str:fmt>/", views.village_pamphlet, name="village_pamphlet"),
    path("sosialisasi/cakupan/", views.coverage_view, name="coverage"),
    path("sosialisasi/cakupan/unduh.<str:fmt>", views.coverage_export, name="coverage_export"),
    path("sosialisasi/siaran-pers/", views.press_list, name="press_list"),
    path("sosialisasi/siaran-pers/<int:pk>/", views.press_detail, name="press_detail"),
    path("sosialisasi/siaran-pers/<int:pk>/setujui/", views.press_approve, name="press_approve"),
    path("sosialisasi/siaran-pers/<int:pk>/tarik/", views.press_withdraw, name="press_withdraw"),
    path("pers/", views.media_kit, name="media_kit"),
    path("pers/siaran/<int:pk>/", views.media_release, name="media_release"),
    path("pers/pamflet/<str:fmt>/", views.media_pamphlet, name="media_pamphlet"),
]
