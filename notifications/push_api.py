"""``/api/v1/push/subscriptions/``: a patient's phones that take push notifications.

The browser (or installed app) subscribes with the service's VAPID public key and posts what
``PushSubscription.toJSON()`` gives; bcbt keeps it per device. Session (the settings page's
script) or token (an app) authentication; patients only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import api_user
from accounts.models import DeviceToken
from accounts.permissions import IsPatient
from accounts.useragent import device_summary
from notifications.models import PushSubscription
from notifications.preferences import push_configured
from notifications.push import push_subscription_delete, push_subscription_save
from notifications.selectors import push_subscription_get_for_patient, push_subscriptions_for

NOT_OFFERED = "This service does not send push notifications. Choose email or text messages."


class PushKeysSerializer(serializers.Serializer[Any]):
    p256dh = serializers.CharField(
        max_length=200, help_text="The browser's P-256 public key, base64url (65 bytes)."
    )
    auth = serializers.CharField(
        max_length=100, help_text="The browser's push secret, base64url (16 bytes)."
    )


class PushSubscriptionInSerializer(serializers.Serializer[Any]):
    endpoint = serializers.URLField(max_length=1000, help_text="The push service's address.")
    keys = PushKeysSerializer()
    expirationTime = serializers.IntegerField(
        required=False, allow_null=True, help_text="Ignored; sent by browsers."
    )


class PushSubscriptionSerializer(serializers.ModelSerializer[PushSubscription]):
    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "device", "created_at", "last_sent_at"]


class PushErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="A message you can show to the person as it is.")


class PushValidationErrorSerializer(serializers.Serializer[Any]):
    endpoint = serializers.ListField(child=serializers.CharField(), required=False)
    keys = serializers.DictField(required=False)


_DENIED = {
    401: OpenApiResponse(PushErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(PushErrorSerializer, description="Only patients receive push."),
}


@extend_schema(
    methods=["GET"],
    responses={200: PushSubscriptionSerializer(many=True), **_DENIED},
    summary="My phones and browsers that take push notifications",
)
@extend_schema(
    methods=["POST"],
    request=PushSubscriptionInSerializer,
    responses={
        201: OpenApiResponse(PushSubscriptionSerializer, description="Stored."),
        200: OpenApiResponse(
            PushSubscriptionSerializer,
            description="This browser was already stored (sent again it is updated, so a "
            "retry stores it once).",
        ),
        400: OpenApiResponse(PushValidationErrorSerializer, description="Not a subscription."),
        409: OpenApiResponse(PushErrorSerializer, description="Push is not switched on here."),
        **_DENIED,
    },
    examples=[
        OpenApiExample(
            "A browser's subscription",
            value={
                "endpoint": "https://fcm.googleapis.com/fcm/send/abc123",
                "keys": {"p256dh": "BNc...65 bytes base64url", "auth": "tBH...16 bytes"},
            },
            request_only=True,
        )
    ],
    summary="Take push notifications on this phone or browser",
    description="Post what the browser's PushSubscription.toJSON() gives, after subscribing with "
    "the service's VAPID public key. Push messages carry no clinical content.",
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated, IsPatient])
def push_subscriptions(request: Request) -> Response:
    patient = api_user(request)
    if request.method == "GET":
        rows = push_subscriptions_for(patient=patient)
        return Response(PushSubscriptionSerializer(rows, many=True).data)
    if not push_configured():
        return Response({"detail": NOT_OFFERED}, status=status.HTTP_409_CONFLICT)
    incoming = PushSubscriptionInSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    data = incoming.validated_data
    user_agent = request.headers.get("User-Agent", "")
    try:
        subscription, created = push_subscription_save(
            patient=patient,
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            device_token=request.auth if isinstance(request.auth, DeviceToken) else None,
            device=device_summary(user_agent) if user_agent else "",
        )
    except ValidationError as error:
        problems = error.message_dict
        keys = {name: problems[name] for name in ("p256dh", "auth") if name in problems}
        body: dict[str, Any] = {"endpoint": problems["endpoint"]} if "endpoint" in problems else {}
        if keys:
            body["keys"] = keys
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return Response(
        PushSubscriptionSerializer(subscription).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


@extend_schema(
    methods=["DELETE"],
    responses={
        204: OpenApiResponse(description="This phone no longer takes push notifications."),
        404: OpenApiResponse(PushErrorSerializer, description="Not one of my subscriptions."),
        **_DENIED,
    },
    summary="Stop push notifications on one phone or browser",
)
@api_view(["DELETE"])
@permission_classes([IsAuthenticated, IsPatient])
def push_subscription_detail(request: Request, subscription_id: int) -> Response:
    patient = api_user(request)
    try:
        subscription = push_subscription_get_for_patient(
            patient=patient, subscription_id=subscription_id
        )
    except PushSubscription.DoesNotExist as error:
        raise Http404 from error
    push_subscription_delete(patient=patient, subscription=subscription)
    return Response(status=status.HTTP_204_NO_CONTENT)
