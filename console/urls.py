from __future__ import annotations

from django.urls import path

from console import views
from console.reports.urls import urlpatterns as reports_urlpatterns

app_name = "console"

# Each section of the console adds its own include here.
urlpatterns = [
    path("service/", views.home, name="home"),
    path("service/switch/", views.service_pick, name="service-pick"),
    *reports_urlpatterns,
]
