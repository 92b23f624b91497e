from django.urls import path

from sigap.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("unduh.<str:fmt>", views.dashboard_export, name="dashboard_export"),
    path("simfoni/", views.simfoni_view, name="simfoni"),
    path("simfoni/unduh.<str:fmt>", views.simfoni_export, name="simfoni_export"),
    path("laporan-bulanan/", views.monthly_list, name="monthly_list"),
    path("laporan-bulanan/<int:pk>.pdf", views.monthly_download, name="monthly_download"),
    path("publik/", views.public_numbers, name="public_numbers"),
]
