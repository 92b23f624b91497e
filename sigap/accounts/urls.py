from django.urls import path

from sigap.accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("keluar/", views.logout_view, name="logout"),
    path("2fa/daftar/", views.enroll_2fa, name="enroll_2fa"),
    path("2fa/verifikasi/", views.verify_2fa, name="verify_2fa"),
    path("setup/<str:token>/", views.setup_view, name="setup"),
    path("pengguna/", views.user_list, name="user_list"),
    path("pengguna/baru/", views.user_create, name="user_create"),
    path("pengguna/<int:pk>/aktif/", views.user_set_active, name="user_set_active"),
]
