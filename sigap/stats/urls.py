from django.urls import path

from sigap.stats import views

app_name = "stats"

urlpatterns = [
    path("publik/", views.public_numbers, name="public_numbers"),
]
