"""Mood API routes under /api/v1/.

Path values are matched loosely and checked in the view, so that a malformed date or id gets
the API's JSON answer (400 or 404) rather than Django's HTML "page not found".
"""

from __future__ import annotations

from django.urls import path, re_path

from moodlog import api, api_staff

app_name = "moodlog-api"

urlpatterns = [
    path("mood/", api.mood_collection, name="mood-collection"),
    re_path(r"^mood/(?P<date>[^/]+)/$", api.mood_detail, name="mood-detail"),
    path("patients/", api_staff.patients_list, name="patient-list"),
    re_path(r"^patients/(?P<id>[^/]+)/mood/$", api_staff.patient_mood, name="patient-mood"),
]
