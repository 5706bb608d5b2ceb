from __future__ import annotations

from django.urls import path

from accounts import devices, navigator, sign_in, support, views

app_name = "accounts"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/devices/", devices.devices, name="devices"),
    path(
        "account/devices/sessions/<int:session_id>/sign-out/",
        devices.session_sign_out,
        name="session-sign-out",
    ),
    path(
        "account/devices/tokens/<int:token_id>/sign-out/",
        devices.token_sign_out,
        name="token-sign-out",
    ),
    path(
        "account/devices/sign-out-others/",
        devices.sign_out_everywhere_else,
        name="sign-out-others",
    ),
    # Under /accounts/ beside allauth's pages: needs no sign-in (it is how people sign in).
    path("accounts/sign-in-link/<str:token>/", sign_in.sign_in_link, name="sign-in-link"),
    path("support/", support.support_request, name="support-request"),
    path("support/sent/", support.support_request_sent, name="support-request-sent"),
    path("navigator/", navigator.queue, name="navigator-queue"),
    path("navigator/items/", navigator.support_request_act, name="navigator-item-act"),
    path(
        "navigator/patients/<int:patient_id>/",
        navigator.patient_detail,
        name="navigator-patient",
    ),
    path(
        "navigator/patients/<int:patient_id>/sign-in-link/",
        navigator.patient_send_sign_in_link,
        name="navigator-send-link",
    ),
    path(
        "navigator/patients/<int:patient_id>/unlock/",
        navigator.patient_unlock_view,
        name="navigator-unlock",
    ),
    path(
        "navigator/patients/<int:patient_id>/password-reset/",
        navigator.patient_password_reset,
        name="navigator-password-reset",
    ),
    path(
        "navigator/patients/<int:patient_id>/note-for-pwp/",
        navigator.patient_note_for_pwp,
        name="navigator-note-for-pwp",
    ),
]
