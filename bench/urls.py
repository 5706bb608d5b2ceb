"""The project's URLs plus the bare endpoint the mood benchmark compares with. Used only by the
benchmark (override_settings(ROOT_URLCONF="bench.urls")), never by the running service."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from bench.mood import bare_mood_insert

urlpatterns: list[URLPattern | URLResolver] = [
    # Under /api/ so that it is authenticated by DRF exactly like the mood API.
    path("api/bench/mood/<str:date>/", bare_mood_insert, name="bench-bare-mood"),
    path("", include("bcbt.urls")),
]
