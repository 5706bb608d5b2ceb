from __future__ import annotations

from django.urls import path

from modules import api, api_patient

urlpatterns = [
    path("modules/", api.my_modules, name="api-modules"),
    path("modules/<slug:slug>/", api_patient.module_detail, name="api-module"),
    path(
        "modules/<slug:slug>/pages/<int:number>/done/",
        api_patient.module_page_done,
        name="api-module-page-done",
    ),
    path(
        "modules/<slug:slug>/exercises/<slug:key>/answers/",
        api_patient.exercise_answers,
        name="api-exercise-answers",
    ),
]
