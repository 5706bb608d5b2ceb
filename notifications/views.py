from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role, User
from notifications.forms import NotificationPreferenceForm
from notifications.messages import KIND_PLURALS
from notifications.models import PATIENT_KINDS, PushSubscription
from notifications.preferences import push_configured
from notifications.push import push_subscription_delete
from notifications.selectors import (
    inbox_for,
    notification_preference_for,
    push_subscription_get_for_patient,
    push_subscriptions_for,
    unread_count,
)
from notifications.services import (
    notification_kind_stop,
    notification_preference_update,
    notifications_mark_read,
    service_for_patient,
    service_notification_policy_get,
)
from notifications.unsubscribe import InvalidStopLink, unsubscribe_token_read


@require_http_methods(["GET", "POST"])
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        notifications_mark_read(user=user)
        messages.success(request, "All your notifications are marked as read.")
        return redirect("notifications:inbox")
    return render(
        request,
        "notifications/inbox.html",
        {"notifications": list(inbox_for(user=user)), "unread": unread_count(user=user)},
    )


@role_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    patient = request.user
    service = service_for_patient(patient=patient)
    policy = service_notification_policy_get(service=service)
    preference = notification_preference_for(patient=patient)
    initial = {
        name: getattr(preference, name)
        for name in (
            "contact_by",
            "in_app",
            "reminder_time",
            "weekly_max",
            "quiet_start",
            "quiet_end",
            "paused_until",
            *PATIENT_KINDS,
        )
    }
    form = NotificationPreferenceForm(
        request.POST or None,
        initial=initial,
        policy=policy,
        has_phone=bool(patient.phone_number),
    )
    if request.method == "POST" and form.is_valid():
        try:
            notification_preference_update(patient=patient, service=service, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, "Your notification choices are saved.")
            return redirect("notifications:settings")
    push_offered = push_configured()
    return render(
        request,
        "notifications/settings.html",
        {
            "form": form,
            "policy": policy,
            "preference": preference,
            "push_offered": push_offered,
            "vapid_public_key": settings.BCBT_VAPID_PUBLIC_KEY,
            "push_subscriptions": (
                list(push_subscriptions_for(patient=patient)) if push_offered else []
            ),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.PATIENT)
@require_POST
def push_stop(request: AuthenticatedHttpRequest, subscription_id: int) -> HttpResponse:
    """Stop push notifications on one phone, from the settings page (works without JavaScript)."""
    patient = request.user
    try:
        subscription = push_subscription_get_for_patient(
            patient=patient, subscription_id=subscription_id
        )
    except PushSubscription.DoesNotExist as error:
        raise Http404 from error
    push_subscription_delete(patient=patient, subscription=subscription)
    messages.success(request, f"Notifications are off on {subscription.device or 'that phone'}.")
    return redirect("notifications:settings")


# The link in an email works without signing in and without a CSRF token: mail programs
# "one-click unsubscribe" by POSTing to it (RFC 8058), and the signed token is the credential.
# All it can ever do is switch one kind of notification off for the one patient it names.
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        stop = unsubscribe_token_read(token)
    except InvalidStopLink:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    patient = User.objects.filter(pk=stop.patient_id, role=Role.PATIENT).first()
    if patient is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    what = KIND_PLURALS[stop.kind]
    if request.method == "POST":
        notification_kind_stop(patient=patient, kind=stop.kind)
        return render(request, "notifications/unsubscribe_done.html", {"what": what})
    return render(request, "notifications/unsubscribe_confirm.html", {"what": what})
