"""Device sign-in for the mobile app: a token per device, and signing a device out.

Sign-in goes through ``django.contrib.auth.authenticate`` with the Django request, so that
django-axes counts failures and locks out by username and IP exactly as on the web form; its
lockout answer for /api/ paths is a 429 JSON body (accounts.lockout).

Wrong credentials get **401** ``{"detail", "code": "invalid_credentials"}`` (the request's
credentials are not valid, RFC 9110); a missing or malformed field gets 400 with a message per
field. The ``code`` tells an app a wrong password from an expired token (which has no code).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import DeviceTokenAuthentication
from accounts.models import DeviceToken, User
from accounts.second_factor import (
    second_factor_failure_record,
    second_factor_paused,
    second_factor_required,
    second_factor_set_up,
    second_factor_verify,
)
from accounts.tokens import (
    DeviceCredentials,
    RefreshTokenInvalid,
    RefreshTokenReused,
    device_sign_in,
    device_token_refresh,
    device_token_revoke,
)

INVALID_CREDENTIALS_MESSAGE = (
    "The username or password is not right. Check them and try again. After several wrong "
    "tries, sign-in pauses for a short while to keep the account safe."
)
MFA_SETUP_REQUIRED_MESSAGE = (
    "Staff need two-step verification to use the app. Sign in on the website first and set "
    "up an authenticator app, then sign in here with its code."
)
OTP_REQUIRED_MESSAGE = (
    "Enter the 6-digit code from your authenticator app (or one of your recovery codes) "
    "in the otp field."
)
OTP_PAUSED_MESSAGE = (
    "Too many wrong codes for this account. Codes are paused for 15 minutes; then try again."
)
OTP_INVALID_MESSAGE = (
    "That code is not right or has been used already. Enter the newest code from your "
    "authenticator app, or an unused recovery code."
)


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150, trim_whitespace=True)
    password = serializers.CharField(max_length=1024, trim_whitespace=False)
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
            "The code from the person's authenticator app, or one of their recovery codes. "
            "Needed by staff (PWPs, navigators, service admins) and by anyone who has set up "
            "two-step verification."
        ),
    )


REFRESH_INVALID_MESSAGE = "This sign-in has expired or was signed out. Please sign in again."
REFRESH_REUSED_MESSAGE = (
    "This sign-in was used from somewhere else, so this device has been signed out to keep the "
    "account safe. Please sign in again."
)


class TokenResponseSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(
        help_text="The access token. Send as `Authorization: Token <token>`."
    )
    expires_at = serializers.DateTimeField(
        help_text="When the access token stops working; refresh it before then."
    )
    refresh_token = serializers.CharField(
        help_text=(
            "Send once to POST /api/v1/auth/refresh/ for a new pair. Keep it secret: sending a "
            "refresh token a second time signs the whole device out."
        )
    )
    refresh_expires_at = serializers.DateTimeField(
        help_text="When the refresh token stops working; after that, sign in again."
    )


def credentials_response(credentials: DeviceCredentials) -> Response:
    """The answer to every successful sign-in or refresh, in the same shape."""
    body = {
        "token": credentials.access_key,
        "expires_at": credentials.expires_at,
        "refresh_token": credentials.refresh_key,
        "refresh_expires_at": credentials.refresh_expires_at,
    }
    return Response(TokenResponseSerializer(body).data, status=status.HTTP_200_OK)


TOKEN_EXAMPLE = {
    "token": "kJ2x...",
    "expires_at": "2026-03-02T20:04:11Z",
    "refresh_token": "Qm9v...",
    "refresh_expires_at": "2026-04-01T19:04:11Z",
}


class AuthErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="A message you can show to the person as it is.")
    code = serializers.CharField(required=False)
    retry_after_minutes = serializers.IntegerField(required=False)


class TokenFieldErrorSerializer(serializers.Serializer[Any]):
    username = serializers.ListField(child=serializers.CharField(), required=False)
    password = serializers.ListField(child=serializers.CharField(), required=False)
    device_name = serializers.ListField(child=serializers.CharField(), required=False)
    otp = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False, help_text="When the body is not JSON.")


# The answers every way of signing a device in shares (this view, the refresh and the emailed
# code of ``code_api.py``).
SIGNED_IN_200 = OpenApiResponse(
    TokenResponseSerializer, examples=[OpenApiExample("Signed in", value=TOKEN_EXAMPLE)]
)
MFA_SETUP_REQUIRED_403 = OpenApiResponse(
    AuthErrorSerializer,
    description=(
        "A member of staff without two-step verification set up "
        "(`code`: `mfa_setup_required`): set it up on the website first."
    ),
)
SIGN_IN_PAUSED_429 = OpenApiResponse(
    AuthErrorSerializer,
    description="Too many wrong tries: sign-in is paused for a while.",
)


@extend_schema(
    operation_id="auth_token",
    summary="Sign in a device",
    description=(
        "Exchanges a username and password for a device token. Staff, and anyone who has "
        "set up two-step verification, also send `otp`: the code from their authenticator "
        "app or a recovery code. Wrong credentials or a wrong code get 401; "
        "too many wrong tries from one place lock the account there for a while (429), "
        "exactly as on the web sign-in form."
    ),
    auth=[],
    request=TokenRequestSerializer,
    responses={
        200: SIGNED_IN_200,
        400: OpenApiResponse(
            TokenFieldErrorSerializer,
            description="A field is missing or too long; a message per field.",
            examples=[
                OpenApiExample(
                    "No password",
                    value={"password": ["This field is required."]},
                    status_codes=["400"],
                )
            ],
        ),
        401: OpenApiResponse(
            AuthErrorSerializer,
            description=(
                "The username or password is not right (`invalid_credentials`), the "
                "two-step code is missing (`otp_required`) or not right (`otp_invalid`)."
            ),
            examples=[
                OpenApiExample(
                    "Wrong password",
                    value={"detail": INVALID_CREDENTIALS_MESSAGE, "code": "invalid_credentials"},
                    status_codes=["401"],
                )
            ],
        ),
        403: MFA_SETUP_REQUIRED_403,
        429: SIGN_IN_PAUSED_429,
    },
    examples=[
        OpenApiExample(
            "Sign in",
            value={"username": "patient", "password": "...", "device_name": "Pixel 8"},
            request_only=True,
        )
    ],
    tags=["auth"],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@parser_classes([JSONParser])
def token_obtain(request: Request) -> Response:
    # django-axes reads the raw body to find the username the attempt was for; Django only
    # allows that before the stream is consumed, so read it once now (DRF then reuses it).
    _ = request._request.body
    serializer = TokenRequestSerializer(data=request.data)
    if not serializer.is_valid():
        return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
    data = serializer.validated_data
    # The Django request, not DRF's wrapper: axes marks a lockout on it for its middleware.
    user = authenticate(
        request=request._request, username=data["username"], password=data["password"]
    )
    if not isinstance(user, User) or not user.is_active:
        return Response(
            {"detail": INVALID_CREDENTIALS_MESSAGE, "code": "invalid_credentials"},
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": DeviceTokenAuthentication.keyword},
        )
    refusal = second_factor_refusal(request, user, data["username"], data.get("otp", ""))
    if refusal is not None:
        return refusal
    credentials = device_sign_in(
        user=user,
        device_name=data.get("device_name", ""),
        # Past the check, anyone with an authenticator app has given a good code.
        second_factor_verified=second_factor_set_up(user),
        request=request._request,
    )
    return credentials_response(credentials)


def second_factor_refusal(request: Request, user: User, username: str, otp: str) -> Response | None:
    """Why a person whose password was right still gets no token, or None to go ahead.

    Anyone with an authenticator app gives its code, as on the web form; staff without one
    are told to set it up on the website, where allauth shows the QR code and recovery codes.
    """
    if not second_factor_set_up(user):
        if second_factor_required(user):
            return _auth_error(
                MFA_SETUP_REQUIRED_MESSAGE, "mfa_setup_required", status.HTTP_403_FORBIDDEN
            )
        return None
    if not otp.strip():
        return _auth_error(OTP_REQUIRED_MESSAGE, "otp_required", status.HTTP_401_UNAUTHORIZED)
    if second_factor_paused(user):
        return _auth_error(OTP_PAUSED_MESSAGE, "otp_locked", status.HTTP_429_TOO_MANY_REQUESTS)
    if not second_factor_verify(user=user, code=otp):
        second_factor_failure_record(user)
        # A wrong code is a failed sign-in for django-axes, so guessing codes with a known
        # password meets the same lockout as guessing passwords.
        user_login_failed.send(
            sender=__name__,
            credentials={"username": username},
            request=request._request,
        )
        return _auth_error(OTP_INVALID_MESSAGE, "otp_invalid", status.HTTP_401_UNAUTHORIZED)
    return None


def _auth_error(detail: str, code: str, status_code: int) -> Response:
    headers = {"WWW-Authenticate": DeviceTokenAuthentication.keyword}
    return Response({"detail": detail, "code": code}, status=status_code, headers=headers)


@extend_schema(
    operation_id="auth_logout",
    summary="Sign this device out",
    description="Revokes the token this request was sent with. It cannot be used again.",
    request=None,
    responses={
        204: OpenApiResponse(description="Signed out."),
        401: OpenApiResponse(AuthErrorSerializer, description="No valid token was sent."),
    },
    tags=["auth"],
)
@api_view(["POST"])
@authentication_classes([DeviceTokenAuthentication])
@permission_classes([IsAuthenticated])
def token_logout(request: Request) -> Response:
    token = request.auth
    # Only DeviceTokenAuthentication can let a request this far, so this is the token used.
    assert isinstance(token, DeviceToken)
    user = request.user
    assert isinstance(user, User)
    device_token_revoke(by=user, token=token, request=request._request)
    return Response(status=status.HTTP_204_NO_CONTENT)


class RefreshRequestSerializer(serializers.Serializer[Any]):
    refresh_token = serializers.CharField(max_length=200, trim_whitespace=True)


class RefreshFieldErrorSerializer(serializers.Serializer[Any]):
    refresh_token = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False, help_text="When the body is not JSON.")


@extend_schema(
    operation_id="auth_refresh",
    summary="Get a new access token",
    description=(
        "Spends the refresh token for a new access token and a new refresh token, in the same "
        "shape as the sign-in answer. The old access token and the old refresh token stop "
        "working. Sending a refresh token that was already spent signs the whole device out "
        "(`code`: `refresh_token_reused`); an unknown or expired one gets 401 "
        "(`refresh_token_invalid`). Either way the app signs in again."
    ),
    auth=[],
    request=RefreshRequestSerializer,
    responses={
        200: OpenApiResponse(
            TokenResponseSerializer, examples=[OpenApiExample("New pair", value=TOKEN_EXAMPLE)]
        ),
        400: OpenApiResponse(RefreshFieldErrorSerializer, description="No refresh_token sent."),
        401: OpenApiResponse(
            AuthErrorSerializer,
            description="Sign in again: the refresh token is unknown, expired or was reused.",
            examples=[
                OpenApiExample(
                    "Reused",
                    value={"detail": REFRESH_REUSED_MESSAGE, "code": "refresh_token_reused"},
                    status_codes=["401"],
                )
            ],
        ),
    },
    examples=[
        OpenApiExample("Refresh", value={"refresh_token": "Qm9v..."}, request_only=True),
    ],
    tags=["auth"],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@parser_classes([JSONParser])
def token_refresh(request: Request) -> Response:
    serializer = RefreshRequestSerializer(data=request.data)
    if not serializer.is_valid():
        return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
    try:
        credentials = device_token_refresh(
            refresh_key=serializer.validated_data["refresh_token"], request=request._request
        )
    except RefreshTokenReused:
        return _auth_error(
            REFRESH_REUSED_MESSAGE, "refresh_token_reused", status.HTTP_401_UNAUTHORIZED
        )
    except RefreshTokenInvalid:
        return _auth_error(
            REFRESH_INVALID_MESSAGE, "refresh_token_invalid", status.HTTP_401_UNAUTHORIZED
        )
    return credentials_response(credentials)
