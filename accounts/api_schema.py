"""Tells drf-spectacular how the device-token authentication appears in the OpenAPI schema.

It is imported when the accounts app is ready, so it is registered before any schema is built.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.DeviceTokenAuthentication"
    name = "DeviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Send 'Authorization: Token <token>' with a token from "
            "POST /api/v1/auth/token/.",
        }


class SecondFactorSessionScheme(SessionScheme):
    """The browser session, as drf-spectacular describes DRF's own session authentication:
    ours is that class with the staff second-factor check added."""

    target_class = "accounts.authentication.SecondFactorSessionAuthentication"
