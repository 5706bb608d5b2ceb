"""The console's staff pages, included into the ``console`` namespace."""

from __future__ import annotations

from django.urls import path

from console.staff import views

urlpatterns = [
    path("service/staff/", views.staff_list, name="staff"),
    path("service/staff/invite/", views.staff_invite_view, name="staff-invite"),
    path(
        "service/staff/<int:staff_id>/deactivate/",
        views.staff_deactivate_view,
        name="staff-deactivate",
    ),
    path(
        "service/staff/<int:staff_id>/reactivate/",
        views.staff_reactivate_view,
        name="staff-reactivate",
    ),
    path(
        "service/staff/<int:staff_id>/invite-again/",
        views.staff_invite_resend_view,
        name="staff-invite-resend",
    ),
    path("service/staff/duty-queue/", views.duty_queue_add_view, name="duty-queue-add"),
    path(
        "service/staff/duty-queue/<int:staff_id>/remove/",
        views.duty_queue_remove_view,
        name="duty-queue-remove",
    ),
]
