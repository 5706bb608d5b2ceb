from __future__ import annotations

from django.urls import path

from modules import api

urlpatterns = [
    path("modules/", api.my_modules, name="api-modules"),
]
