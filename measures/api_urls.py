from __future__ import annotations

from django.urls import path, re_path

from measures import api

urlpatterns = [
    path("questionnaires/", api.questionnaires_due, name="questionnaires-due"),
    # Any code reaches the view, which answers an unknown one with the API's JSON 404.
    re_path(
        r"^questionnaires/(?P<code>[^/]+)/responses/$",
        api.questionnaire_responses,
        name="questionnaire-responses",
    ),
]
