"""The error answers every patient endpoint shares, as they appear in the OpenAPI schema.

Every endpoint: anonymous 401, another person's object 404, a role the endpoint is not for 403
(PRODUCT.md, "REST API"). Each body is ``{"detail"}``, a message that can be shown as it is,
sometimes with a ``code``; a 400 has a list of messages per field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ApiErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="A message you can show to the person as it is.")
    code = serializers.CharField(required=False)


ERROR_401 = OpenApiResponse(
    ApiErrorSerializer,
    description="No token, or the token has expired or was signed out: refresh or sign in.",
    examples=[
        OpenApiExample(
            "Signed out",
            value={"detail": "This sign-in has expired or was signed out. Please sign in again."},
            status_codes=["401"],
        )
    ],
)
ERROR_403 = OpenApiResponse(
    ApiErrorSerializer, description="For patients only: this account is not a patient's."
)
ERROR_404 = OpenApiResponse(ApiErrorSerializer, description="There is nothing here for you.")
ERROR_409 = OpenApiResponse(
    ApiErrorSerializer,
    description="Not possible at the moment (the reason is in `detail`); nothing was changed.",
)
ERROR_413 = OpenApiResponse(ApiErrorSerializer, description="The request body is too large.")
FIELD_ERRORS_400 = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "Nothing was changed. A list of messages for each field that is wrong (or `detail` "
        "when the body is not JSON); each message can be shown to the person as it is."
    ),
)


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """A web form's errors as the API's 400 body: the same words, a list per field (errors
    about the whole form under ``non_field_errors``, as DRF names them)."""
    return {
        ("non_field_errors" if field == "__all__" else field): [
            error["message"] for error in errors
        ]
        for field, errors in form.errors.get_json_data().items()
    }
