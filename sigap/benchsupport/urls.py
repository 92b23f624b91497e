from django.urls import path

from sigap.benchsupport import views

urlpatterns = [path("ceiling", views.ceiling, name="bench_ceiling")]
