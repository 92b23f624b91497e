from django.urls import path

from sigap.outreach import views

app_name = "outreach"

urlpatterns = [
    path("sosialisasi/", views.activity_list, name="activity_list"),
    path("sosialisasi/pamflet/<str:code>/<str:fmt>/", views.village_pamphlet, name="village_pamphlet"),
]
