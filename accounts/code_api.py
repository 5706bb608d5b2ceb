"""Sign-in to the app by emailed code: ``POST /api/v1/auth/code/`` asks for a code and
``POST /api/v1/auth/code/confirm/`` exchanges it for the same answer as the password sign-in.

The request answers 202 whether or not the address is an account's, so nobody can learn who
has an account; the code goes only to an account's own address, within the hourly caps of
every sign-in email. A wrong code is a failed sign-in for django-axes, so the lockout by
account and address applies here as on the web form. Staff also send ``otp``: no member of
staff gets a token without their second factor.
"""

from __future__ import annotations

import logging
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseBase
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api import (
    MFA_SETUP_REQUIRED_403,
    SIGN_IN_PAUSED_429,
    SIGNED_IN_200,
    AuthErrorSerializer,
    credentials_response,
    second_factor_refusal,
)
from accounts.app_sign_in import app_sign_in_code_check, app_sign_in_code_send
from accounts.lockout import lockout_response
from accounts.second_factor import second_factor_set_up
from accounts.sign_in_mail import SignInEmailNotSent, sign_in_email_failure_record
from accounts.tokens import device_sign_in

logger = logging.getLogger(__name__)

CODE_SENT_MESSAGE = (
    "If this email address belongs to a bcbt account, we have sent a sign-in code to it. "
    "It works once, for 15 minutes. Check your junk folder if it has not come in a few minutes."
)
CODE_INVALID_MESSAGE = (
    "That code is not right, has expired or has been used already. Check the newest email from "
    "us, or ask for a new code. After several wrong tries, sign-in pauses for a short while."
)
EMAIL_FAILED_MESSAGE = (
    "We could not send the email just now. Please try again in a few minutes; if it keeps "
    "happening, contact your service."
)


class CodeRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)


class CodeConfirmSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    code = serializers.CharField(max_length=32, trim_whitespace=True)
    device_name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Shown to the person in their list of signed-in devices, e.g. 'Pixel 8'.",
    )
    otp = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text=(
            "The code from the person's authenticator app, or a recovery code: needed by staff "
            "and by anyone who has set up two-step verification."
        ),
    )


class CodeSentSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class CodeFieldErrorSerializer(serializers.Serializer[Any]):
    email = serializers.ListField(child=serializers.CharField(), required=False)
    code = serializers.ListField(child=serializers.CharField(), required=False)
    device_name = serializers.ListField(child=serializers.CharField(), required=False)
    otp = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False, help_text="When the body is not JSON.")


def _credentials(email: str) -> dict[str, str]:
    # django-axes counts tries per account and address; an email counts against its account.
    return {"username": email}


@extend_schema(
    operation_id="auth_code_request",
    summary="Email me a sign-in code",
    description=(
        "Sends a sign-in code to the address if it belongs to an account, and answers 202 "
        "either way. The code works once, for 15 minutes; exchange it at "
        "POST /api/v1/auth/code/confirm/."
    ),
    auth=[],
    request=CodeRequestSerializer,
    responses={
        202: OpenApiResponse(
            CodeSentSerializer,
            examples=[OpenApiExample("Sent", value={"detail": CODE_SENT_MESSAGE})],
        ),
        400: OpenApiResponse(CodeFieldErrorSerializer, description="Not an email address."),
        429: SIGN_IN_PAUSED_429,
        503: OpenApiResponse(
            AuthErrorSerializer, description="The email provider refused; try again later."
        ),
    },
    examples=[OpenApiExample("Ask", value={"email": "sam@example.org"}, request_only=True)],
    tags=["auth"],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@parser_classes([JSONParser])
def code_request(request: Request) -> HttpResponseBase:
    serializer = CodeRequestSerializer(data=request.data)
    if not serializer.is_valid():
        return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
    email = serializer.validated_data["email"]
    if not AxesProxyHandler.is_allowed(request._request, _credentials(email)):
        return lockout_response(request._request, credentials=_credentials(email))
    try:
        app_sign_in_code_send(email=email, request=request._request)
    except SignInEmailNotSent as failure:
        logger.warning("App sign-in code not sent: %s", failure.error_name)
        sign_in_email_failure_record(failure=failure)
        return Response(
            {"detail": EMAIL_FAILED_MESSAGE, "code": "email_not_sent"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return Response({"detail": CODE_SENT_MESSAGE}, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    operation_id="auth_code_confirm",
    summary="Sign in a device with an emailed code",
    description=(
        "Exchanges the emailed code for a device token, answering exactly as "
        "POST /api/v1/auth/token/ does. A wrong, expired or spent code gets 401 "
        "(`code_invalid`) and counts as a failed sign-in; staff also send `otp`."
    ),
    auth=[],
    request=CodeConfirmSerializer,
    responses={
        200: SIGNED_IN_200,
        400: OpenApiResponse(CodeFieldErrorSerializer, description="A field is missing."),
        401: OpenApiResponse(
            AuthErrorSerializer,
            description=(
                "The code is not right, expired or spent (`code_invalid`), or the two-step "
                "code is missing (`otp_required`) or not right (`otp_invalid`)."
            ),
            examples=[
                OpenApiExample(
                    "Wrong code",
                    value={"detail": CODE_INVALID_MESSAGE, "code": "code_invalid"},
                    status_codes=["401"],
                )
            ],
        ),
        403: MFA_SETUP_REQUIRED_403,
        429: SIGN_IN_PAUSED_429,
    },
    examples=[
        OpenApiExample(
            "Confirm",
            value={"email": "sam@example.org", "code": "ABC123", "device_name": "Pixel 8"},
            request_only=True,
        )
    ],
    tags=["auth"],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@parser_classes([JSONParser])
def code_confirm(request: Request) -> HttpResponseBase:
    serializer = CodeConfirmSerializer(data=request.data)
    if not serializer.is_valid():
        return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
    data = serializer.validated_data
    email = data["email"]
    if not AxesProxyHandler.is_allowed(request._request, _credentials(email)):
        return lockout_response(request._request, credentials=_credentials(email))
    user = app_sign_in_code_check(email=email, code=data["code"])
    if user is None:
        user_login_failed.send(
            sender=__name__, credentials=_credentials(email), request=request._request
        )
        return Response(
            {"detail": CODE_INVALID_MESSAGE, "code": "code_invalid"},
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Token"},
        )
    refusal = second_factor_refusal(request, user, email, data.get("otp", ""))
    if refusal is not None:
        return refusal
    credentials = device_sign_in(
        user=user,
        device_name=data.get("device_name", ""),
        second_factor_verified=second_factor_set_up(user),
        request=request._request,
    )
    return credentials_response(credentials)
