from __future__ import annotations

from django.urls import URLPattern, path

from bench.floor import views

urlpatterns: list[URLPattern] = [
    path("api/v1/mood/", views.mood_range, name="mood-range"),
    path("api/v1/mood/<str:date>/", views.mood_put, name="mood-put"),
]
