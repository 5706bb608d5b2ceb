from __future__ import annotations

from django.urls import path

from measures import api

urlpatterns = [
    path("questionnaires/", api.questionnaires_due, name="questionnaires-due"),
    path(
        "questionnaires/<slug:code>/responses/",
        api.questionnaire_responses,
        name="questionnaire-responses",
    ),
]
