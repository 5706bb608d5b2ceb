from __future__ import annotations

from django.urls import path

from exports import api

urlpatterns = [
    path(
        "fhir/QuestionnaireResponse",
        api.questionnaire_response_search,
        name="fhir-questionnaireresponse-search",
    ),
    path("fhir/Observation", api.observation_search, name="fhir-observation-search"),
    path("fhir/Questionnaire/<slug:code>", api.questionnaire_read, name="fhir-questionnaire-read"),
]
