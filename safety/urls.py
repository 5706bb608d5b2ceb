"""Risk-flag pages for staff, under /clinician/flags/ (the paths they had in measures)."""

from __future__ import annotations

from django.urls import path

from safety import views

app_name = "safety"

urlpatterns = [
    path("clinician/flags/", views.flag_list, name="flags"),
    path("clinician/flags/<int:flag_id>/", views.flag_detail, name="flag-detail"),
    path("help/now/", views.crisis_help, name="crisis-help"),
]
