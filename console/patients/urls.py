"""The console's patient pages, included into the ``console`` namespace."""

from __future__ import annotations

from django.urls import path

from console.patients import views

urlpatterns = [
    path("service/patients/", views.patient_list, name="patients"),
    path("service/patients/new/", views.patient_new, name="patient-new"),
    path("service/patients/<int:patient_id>/", views.patient_detail, name="patient"),
    path(
        "service/patients/<int:patient_id>/reassign/",
        views.patient_reassign,
        name="patient-reassign",
    ),
    path(
        "service/patients/<int:patient_id>/contact/",
        views.patient_contact,
        name="patient-contact",
    ),
    path(
        "service/patients/<int:patient_id>/welcome/",
        views.patient_welcome,
        name="patient-welcome",
    ),
    path("service/patients/<int:patient_id>/end/", views.patient_end, name="patient-end"),
]
