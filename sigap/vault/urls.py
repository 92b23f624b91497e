from django.urls import path

from sigap.vault import views

app_name = "vault"

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
]
