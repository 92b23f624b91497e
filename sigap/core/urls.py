from django.urls import path

from sigap.core import views

app_name = "core"

urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("staf/", views.staff_home, name="staff_home"),
]
