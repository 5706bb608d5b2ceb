from __future__ import annotations

from django.urls import path

from patients import views

app_name = "patients"

# Mounted at the site root: the patient's own pages have short paths they can remember.
urlpatterns = [
    path("me/", views.home, name="home"),
    path("messages/", views.messages, name="messages"),
    path("next-session/", views.next_session, name="next-session"),
]
