"""Module API routes under /api/v1/. Path values are matched loosely and checked in the view, so
that a malformed one gets the API's JSON 404 rather than Django's HTML "page not found"."""

from __future__ import annotations

from django.urls import path, re_path

from modules import api, api_patient

urlpatterns = [
    path("modules/", api.my_modules, name="api-modules"),
    re_path(r"^modules/(?P<slug>[^/]+)/$", api_patient.module_detail, name="api-module"),
    re_path(
        r"^modules/(?P<slug>[^/]+)/pages/(?P<number>[^/]+)/done/$",
        api_patient.module_page_done,
        name="api-module-page-done",
    ),
    re_path(
        r"^modules/(?P<slug>[^/]+)/exercises/(?P<key>[^/]+)/answers/$",
        api_patient.exercise_answers,
        name="api-exercise-answers",
    ),
]
