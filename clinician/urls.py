from __future__ import annotations

from django.urls import path

from clinician import views

app_name = "clinician"

# PWP pages live under /clinician/; the patient's own pages are in the patients app.
urlpatterns = [
    path("clinician/", views.caseload, name="caseload"),
    path("clinician/guides/", views.session_guides, name="session-guides"),
    path("clinician/patients/<int:patient_id>/", views.brief, name="brief"),
    path(
        "clinician/patients/<int:patient_id>/reviewed/", views.brief_reviewed, name="brief-reviewed"
    ),
    path(
        "clinician/patients/<int:patient_id>/sessions/<int:number>/record/",
        views.session_record,
        name="session-record",
    ),
    path(
        "clinician/patients/<int:patient_id>/exercises/<int:response_id>/feedback/",
        views.exercise_feedback,
        name="exercise-feedback",
    ),
    path(
        "clinician/patients/<int:patient_id>/suggestions/",
        views.suggestion_respond,
        name="suggestion-respond",
    ),
    path(
        "clinician/patients/<int:patient_id>/end/",
        views.episode_end_view,
        name="episode-end",
    ),
    path(
        "clinician/patients/<int:patient_id>/messages/",
        views.messages_with_patient,
        name="messages",
    ),
]
