from django.urls import path

from sigap.accounts import manage_views, views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("keluar/", views.logout_view, name="logout"),
    path("keluar/cepat/", views.quick_exit_view, name="quick_exit"),
    path("2fa/daftar/", views.enroll_2fa, name="enroll_2fa"),
    path("2fa/verifikasi/", views.verify_2fa, name="verify_2fa"),
    path("setup/<str:token>/", views.setup_view, name="setup"),
    path("pengguna/", views.user_list, name="user_list"),
    path("pengguna/baru/", views.user_create, name="user_create"),
    path("pengguna/<int:pk>/aktif/", views.user_set_active, name="user_set_active"),
    path("pengguna/<int:pk>/", manage_views.user_edit, name="user_edit"),
    path("pengguna/<int:pk>/nonaktifkan/", manage_views.user_deactivate_confirm, name="user_deactivate"),
    path("pengguna/<int:pk>/tautan-sandi/", manage_views.user_password_link, name="user_password_link"),
    path("pengguna/<int:pk>/reset-2fa/", manage_views.user_reset_two_factor, name="user_reset_2fa"),
    path("saya/", manage_views.account, name="account"),
    path("saya/kata-sandi/", manage_views.password_change, name="password_change"),
    path("saya/kode-pemulihan/", manage_views.recovery_codes, name="recovery_codes"),
    path("2fa/pemulihan/", manage_views.recovery_sign_in, name="recovery_sign_in"),
    path("atur-ulang/<str:uidb64>/<str:token>/", manage_views.password_reset, name="password_reset"),
]
