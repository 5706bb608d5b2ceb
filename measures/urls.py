"""Patient pages under /questionnaires/ and staff pages under /clinician/ (outcomes, alliance).

Included once at the root so the ``measures`` namespace stays unique; the clinician paths sit
beside the clinician app's own and do not overlap them.
"""

from __future__ import annotations

from django.urls import path

from measures import clinician_views, views

app_name = "measures"

urlpatterns = [
    path("questionnaires/", views.questionnaire_list, name="list"),
    path(
        "questionnaires/responses/<int:response_id>/",
        views.questionnaire_response,
        name="response",
    ),
    path("questionnaires/<slug:code>/", views.questionnaire_answer, name="answer"),
    path(
        "clinician/patients/<int:patient_id>/outcomes/",
        clinician_views.patient_outcomes,
        name="patient-outcomes",
    ),
    path(
        "clinician/patients/<int:patient_id>/alliance/",
        clinician_views.alliance_rate,
        name="alliance-rate",
    ),
]
