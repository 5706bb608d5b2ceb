"""``GET``/``PUT /api/v1/notifications/settings/``: a patient's notification choices in the app.

A change goes through the web page's own form (``NotificationPreferenceForm``: the choices the
service allows, text messages only with a mobile number, quiet hours) and then the same service
(``notification_preference_update``), so the service's caps are the ceiling here as there.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api_responses import ERROR_401, ERROR_403, FIELD_ERRORS_400, form_errors
from accounts.http import api_user
from accounts.idempotency import IDEMPOTENCY_422, IDEMPOTENCY_PARAMETER, idempotent_write
from accounts.models import User
from accounts.permissions import IsPatient
from notifications.forms import KIND_LABELS, NotificationPreferenceForm
from notifications.models import PATIENT_KINDS, ContactChannel, NotificationPreference
from notifications.selectors import notification_preference_for
from notifications.services import (
    notification_preference_update,
    service_for_patient,
    service_notification_policy_get,
)

FIELDS = (
    "contact_by",
    "in_app",
    "reminder_time",
    "weekly_max",
    "quiet_start",
    "quiet_end",
    "paused_until",
    *PATIENT_KINDS,
)


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "19:00"}
)
class TimeOfDayField(serializers.TimeField):
    """A time of day as people write it, HH:MM (OpenAPI's ``time`` format wants seconds and
    a zone, which a reminder time has neither of)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class StrictBooleanField(serializers.BooleanField):
    """true or false only: DRF's own also takes "yes", 1 and "on", which the schema does not
    promise, so an app that sends them has a bug it should hear about."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON whole number only (not "3", 3.0 or true)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class NotificationSettingsWriteSerializer(serializers.Serializer[Any]):
    contact_by = serializers.ChoiceField(
        choices=[choice.value for choice in ContactChannel],
        help_text="One of `contact_by_choices`: sms only when my account has a mobile number.",
    )
    in_app = StrictBooleanField(help_text="Also list everything in the app.")
    mood_reminder = StrictBooleanField(help_text=KIND_LABELS["mood_reminder"])
    module_nudge = StrictBooleanField(help_text=KIND_LABELS["module_nudge"])
    appointment_reminder = StrictBooleanField(help_text=KIND_LABELS["appointment_reminder"])
    questionnaire_due = StrictBooleanField(help_text=KIND_LABELS["questionnaire_due"])
    message_received = StrictBooleanField(help_text=KIND_LABELS["message_received"])
    reminder_time = TimeOfDayField(help_text="HH:MM, outside the quiet hours.")
    weekly_max = StrictIntegerField(
        min_value=0, help_text="At most `weekly_max_ceiling` (the service's cap)."
    )
    quiet_start = TimeOfDayField(help_text="HH:MM: nothing is sent from then ...")
    quiet_end = TimeOfDayField(help_text="... until then (HH:MM).")
    paused_until = serializers.DateField(
        allow_null=True, help_text="Send nothing up to and including this day; null for no pause."
    )


class NotificationSettingsSerializer(NotificationSettingsWriteSerializer):
    contact_by_choices = serializers.ListField(
        child=serializers.CharField(), help_text="The ways my service can contact me."
    )
    weekly_max_ceiling = serializers.IntegerField(help_text="My service's weekly cap.")


SETTINGS_EXAMPLE = {
    "contact_by": "email",
    "in_app": True,
    "mood_reminder": True,
    "module_nudge": True,
    "appointment_reminder": True,
    "questionnaire_due": True,
    "message_received": True,
    "reminder_time": "19:00",
    "weekly_max": 7,
    "quiet_start": "21:00",
    "quiet_end": "08:00",
    "paused_until": None,
}


def _form(patient: User, data: dict[str, Any] | None) -> NotificationPreferenceForm:
    preference = notification_preference_for(patient=patient)
    policy = service_notification_policy_get(service=service_for_patient(patient=patient))
    return NotificationPreferenceForm(
        data,
        initial={name: getattr(preference, name) for name in FIELDS},
        policy=policy,
        has_phone=bool(patient.phone_number),
    )


def _settings_body(patient: User, preference: NotificationPreference) -> dict[str, Any]:
    form = _form(patient, None)
    return {
        **{name: getattr(preference, name) for name in FIELDS},
        "contact_by_choices": [value for value, _label in form.fields["contact_by"].choices],  # type: ignore[attr-defined]
        "weekly_max_ceiling": form.policy.max_per_week,
    }


@extend_schema(
    methods=["GET"],
    operation_id="notification_settings_get",
    summary="My notification choices",
    responses={200: NotificationSettingsSerializer, 401: ERROR_401, 403: ERROR_403},
    tags=["notifications"],
)
@extend_schema(
    methods=["PUT"],
    operation_id="notification_settings_put",
    summary="Change my notification choices",
    description=(
        "Replaces every choice, checked as on the web page: only the ways and the number a "
        "week my service allows, text messages only with a mobile number on my account, a "
        "reminder time outside the quiet hours. Nothing is changed on a 400. Reminders I "
        "switch off that were waiting to go are withdrawn."
    ),
    parameters=[IDEMPOTENCY_PARAMETER],
    request=NotificationSettingsWriteSerializer,
    responses={
        200: NotificationSettingsSerializer,
        400: FIELD_ERRORS_400,
        401: ERROR_401,
        403: ERROR_403,
        422: IDEMPOTENCY_422,
    },
    examples=[
        OpenApiExample("Choices", value=SETTINGS_EXAMPLE, request_only=True),
        OpenApiExample(
            "Over the cap",
            value={"weekly_max": ["Select a valid choice. 9 is not one of the available choices."]},
            response_only=True,
            status_codes=["400"],
        ),
    ],
    tags=["notifications"],
)
@api_view(["GET", "PUT"])
@permission_classes([IsAuthenticated, IsPatient])
@parser_classes([JSONParser])
def notification_settings(request: Request) -> Response:
    patient = api_user(request)
    if request.method == "GET":
        preference = notification_preference_for(patient=patient)
        return Response(NotificationSettingsSerializer(_settings_body(patient, preference)).data)
    return idempotent_write(request, user=patient, write=lambda: _settings_put(request, patient))


def _settings_put(request: Request, patient: User) -> Response:
    typed = NotificationSettingsWriteSerializer(data=request.data)
    if not typed.is_valid():
        return Response(typed.errors, status=status.HTTP_400_BAD_REQUEST)
    # The web form's own checks against the service's policy, in the form's words.
    form_data = {
        name: ("" if value is None else value) for name, value in typed.validated_data.items()
    }
    form = _form(patient, form_data)
    if not form.is_valid():
        return Response(form_errors(form), status=status.HTTP_400_BAD_REQUEST)
    preference = notification_preference_update(
        patient=patient, service=service_for_patient(patient=patient), **form.cleaned_data
    )
    return Response(NotificationSettingsSerializer(_settings_body(patient, preference)).data)
