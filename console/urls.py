from __future__ import annotations

from django.urls import include, path

from console import views

app_name = "console"

# Each section of the console adds its own include here.
urlpatterns = [
    path("service/", views.home, name="home"),
    path("service/switch/", views.service_pick, name="service-pick"),
    path("", include("console.patients.urls")),
    path("", include("console.staff.urls")),
]
