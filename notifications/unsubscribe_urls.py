"""The signed "stop these" link, outside /notifications/ because it works without signing in."""

from __future__ import annotations

from django.urls import path

from notifications import views

urlpatterns = [
    path("<str:token>/", views.unsubscribe, name="notifications-unsubscribe"),
]
