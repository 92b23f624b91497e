from django.urls import path

from sigap.ops import views

app_name = "ops"

urlpatterns = [
    path("", views.status, name="status"),
    path("cadangkan/", views.backup_now, name="backup_now"),
]
