"""Patient pages under /modules/, staff pages under /clinician/ (included at the root so the
staff paths can sit beside the caseload without clashing with it)."""

from __future__ import annotations

from django.urls import path

from modules import clinician_views, views

app_name = "modules"

urlpatterns = [
    path("modules/", views.programme, name="programme"),
    path("modules/<slug:slug>/", views.module_overview, name="module"),
    path("modules/<slug:slug>/step/<int:step>/", views.module_step, name="step"),
    path("modules/<slug:slug>/finished/", views.module_finished, name="finished"),
    path(
        "modules/<slug:slug>/exercises/<slug:key>/discuss/",
        views.exercise_discuss,
        name="discuss",
    ),
    path("clinician/modules/", clinician_views.library, name="library"),
    path("clinician/modules/<slug:slug>/preview/", clinician_views.preview, name="preview"),
    path(
        "clinician/patients/<int:patient_id>/programme/",
        clinician_views.patient_programme,
        name="patient-programme",
    ),
    path(
        "clinician/patients/<int:patient_id>/programme/add/",
        clinician_views.programme_add,
        name="programme-add",
    ),
    path(
        "clinician/patients/<int:patient_id>/programme/move/",
        clinician_views.programme_move,
        name="programme-move",
    ),
    path(
        "clinician/patients/<int:patient_id>/programme/aim/",
        clinician_views.programme_aim,
        name="programme-aim",
    ),
    path(
        "clinician/patients/<int:patient_id>/programme/waive/",
        clinician_views.programme_waive,
        name="programme-waive",
    ),
    path(
        "clinician/patients/<int:patient_id>/programme/changes/<int:change_id>/undo/",
        clinician_views.change_undo,
        name="change-undo",
    ),
    path(
        "clinician/patients/<int:patient_id>/programme/modules/<int:assignment_id>/",
        clinician_views.assignment_answers,
        name="assignment-answers",
    ),
]
