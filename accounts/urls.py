from __future__ import annotations

from django.urls import path

from accounts import navigator, views

app_name = "accounts"

urlpatterns = [
    path("me/", views.patient_home, name="patient-home"),
    path("account/", views.account, name="account"),
    path("navigator/", navigator.queue, name="navigator-queue"),
]
