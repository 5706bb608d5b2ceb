from __future__ import annotations

from django.urls import path

from moodlog import views

app_name = "moodlog"

urlpatterns = [
    path("", views.page, name="page"),
    path("remove/", views.remove, name="remove"),
]
