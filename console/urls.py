from __future__ import annotations

from django.urls import include, path

from console import programme, sessions, views
from console.reports.urls import urlpatterns as reports_urlpatterns

app_name = "console"

# Each section of the console adds its own include here.
urlpatterns = [
    path("service/", views.home, name="home"),
    path("service/switch/", views.service_pick, name="service-pick"),
    path("", include("console.patients.urls")),
    path("", include("console.staff.urls")),
    path("service/programme/", programme.programme, name="programme"),
    path("service/programme/<int:entry_id>/move/", programme.move, name="programme-move"),
    path("service/programme/modules/<slug:slug>/", programme.entry, name="programme-entry"),
    path(
        "service/programme/modules/<slug:slug>/retire/",
        programme.retire,
        name="programme-retire",
    ),
    path("service/sessions/", sessions.sessions, name="sessions"),
    path("service/sessions/plan/", sessions.plan_save, name="sessions-plan"),
    path("service/sessions/measures/", sessions.measures_save, name="sessions-measures"),
    path("service/sessions/caps/", sessions.caps_save, name="sessions-caps"),
    path(
        "service/programme/modules/<slug:slug>/preview/",
        programme.preview,
        name="programme-preview",
    ),
    *reports_urlpatterns,
]
