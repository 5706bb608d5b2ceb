from __future__ import annotations

from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("account/my-data/", views.own_copy, name="own-copy"),
    path(
        "service/patients/<int:patient_id>/data/",
        views.patient_copy_for_service_admin,
        name="patient-copy",
    ),
]
