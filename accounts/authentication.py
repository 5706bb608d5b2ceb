"""API authentication: per-device tokens (``Authorization: Token <key>``) and the browser
session, each refusing staff who did not pass their second factor.

The check lives here, where DRF authenticates, because DRF reads the token inside the view,
after every middleware has run: a middleware sees an anonymous user for a token request.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import connection
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import DeviceToken, User
from accounts.second_factor import second_factor_required, session_passed_second_factor

SECOND_FACTOR_MISSING = {
    "detail": (
        "Staff need two-step verification for this. Sign in again with the code from your "
        "authenticator app."
    ),
    "code": "mfa_required",
}


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# The token and its user in one statement through the unique index on key_hash, written out
# once here: building the same query through the ORM on every request cost more CPU than the
# mood write it authenticates (see make bench). No cache, so a revoked or expired token, or a
# deactivated user, is refused on the very next request.
_TOKEN_FIELDS = ["id", "user_id", "last_used_at", "second_factor_verified"]
_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_TOKEN_TABLE = DeviceToken._meta.db_table
_USER_TABLE = User._meta.db_table
_COLUMNS = [
    f"{_TOKEN_TABLE}.{field.column}"
    for name in _TOKEN_FIELDS
    for field in DeviceToken._meta.concrete_fields
    if field.attname == name
] + [f"{_USER_TABLE}.{field.column}" for field in User._meta.concrete_fields]
# Table and column names come from our own models; every value is a parameter.
_TOKEN_SQL = (
    f"SELECT {', '.join(_COLUMNS)} FROM {_TOKEN_TABLE}"  # noqa: S608
    f" JOIN {_USER_TABLE} ON {_USER_TABLE}.id = {_TOKEN_TABLE}.user_id"
    f" WHERE {_TOKEN_TABLE}.key_hash = %s AND {_TOKEN_TABLE}.revoked_at IS NULL"
    f" AND {_TOKEN_TABLE}.expires_at > %s"
)


def device_token_find(key: str, *, now: datetime.datetime) -> DeviceToken | None:
    """The active token for ``key`` with its user loaded, or None."""
    if connection.vendor != "postgresql":
        # SQLite (make run) hands back naive datetimes from raw SQL; the ORM converts them.
        return (
            DeviceToken.objects.select_related("user")
            .filter(key_hash=token_hash(key), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL, [token_hash(key), now])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(_TOKEN_FIELDS)
    token = DeviceToken.from_db(connection.alias, _TOKEN_FIELDS, row[:split])
    token.user = User.from_db(connection.alias, _USER_FIELDS, row[split:])
    return token


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, DeviceToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as 'Authorization: Token <token>'."
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("The token is not valid.") from error
        now = timezone.now()
        token = device_token_find(key, now=now)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                "This sign-in has expired or was signed out. Please sign in again."
            )
        # A staff token issued without the second factor (before it was required, or while it
        # was switched off) does not open the API: the app must sign in again with a code.
        if second_factor_required(token.user) and not token.second_factor_verified:
            raise exceptions.AuthenticationFailed(SECOND_FACTOR_MISSING)
        # Touch last use at most once a minute so that reads do not all become writes.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class SecondFactorSessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (with its CSRF check), refusing a staff session that has
    not passed the second factor with 403 ``mfa_required``."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if second_factor_required(user) and not session_passed_second_factor(
            request._request, user
        ):
            raise exceptions.PermissionDenied(SECOND_FACTOR_MISSING)
        return user, None
