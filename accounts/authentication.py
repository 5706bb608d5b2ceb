"""API authentication: per-device tokens (``Authorization: Token <key>``) and the browser
session, each refusing staff who did not pass their second factor.

The check lives here, where DRF authenticates, because DRF reads the token inside the view,
after every middleware has run: a middleware sees an anonymous user for a token request.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import DeviceToken, User
from accounts.second_factor import (
    STAFF_ROLES,
    second_factor_required,
    session_passed_second_factor,
)

SECOND_FACTOR_MISSING = {
    "detail": (
        "Staff need two-step verification for this. Sign in again with the code from your "
        "authenticator app."
    ),
    "code": "mfa_required",
}


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# How long a token's last use may be out of date: writing it on every request would make
# every read a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)

# The token and its user in one statement through the unique index on key_hash, which also
# notes the token's last use when that is stale and the token will be accepted: a phone rates
# once a day, so almost every real request needs that note, and a second statement for it cost
# as much as the write itself. Written out once here: building the query through the ORM on
# every request cost more CPU than the mood write it authenticates (see make bench). No cache,
# so a revoked or expired token, or a deactivated user, is refused on the very next request.
_TOKEN_FIELDS = ["id", "user_id", "last_used_at", "second_factor_verified"]
_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_TOKEN_TABLE = DeviceToken._meta.db_table
_USER_TABLE = User._meta.db_table
_TOKEN_COLUMNS = [
    (f"t_{field.column}", f"{_TOKEN_TABLE}.{field.column}")
    for name in _TOKEN_FIELDS
    for field in DeviceToken._meta.concrete_fields
    if field.attname == name
]
_USER_COLUMNS = [
    (f"u_{field.column}", f"{_USER_TABLE}.{field.column}") for field in User._meta.concrete_fields
]
_SELECTED = ", ".join(f"{column} AS {alias}" for alias, column in _TOKEN_COLUMNS + _USER_COLUMNS)
_STAFF_ROLES = ", ".join(f"'{role}'" for role in sorted(STAFF_ROLES))
# Table and column names come from our own models; every value is a parameter.
_TOKEN_SQL = (
    "WITH found AS ("  # noqa: S608
    f"SELECT {_SELECTED}"
    f" FROM {_TOKEN_TABLE} JOIN {_USER_TABLE} ON {_USER_TABLE}.id = {_TOKEN_TABLE}.user_id"
    f" WHERE {_TOKEN_TABLE}.key_hash = %(key_hash)s AND {_TOKEN_TABLE}.revoked_at IS NULL"
    f" AND {_TOKEN_TABLE}.expires_at > %(now)s"
    "), touched AS ("
    f"UPDATE {_TOKEN_TABLE} SET last_used_at = %(now)s FROM found"
    f" WHERE {_TOKEN_TABLE}.id = found.t_id AND found.u_is_active"
    " AND (found.t_last_used_at IS NULL OR found.t_last_used_at < %(stale_before)s)"
    f" AND (NOT %(mfa)s OR found.u_role NOT IN ({_STAFF_ROLES}) OR found.t_second_factor_verified)"
    f" RETURNING {_TOKEN_TABLE}.id"
    f") SELECT {', '.join(alias for alias, _ in _TOKEN_COLUMNS + _USER_COLUMNS)} FROM found"
)


def device_token_find(key: str, *, now: datetime.datetime) -> DeviceToken | None:
    """The active token for ``key`` with its user loaded, or None. On PostgreSQL the same
    statement notes the token's last use (see above)."""
    if connection.vendor != "postgresql":
        # SQLite (make run) hands back naive datetimes from raw SQL; the ORM converts them.
        token = (
            DeviceToken.objects.select_related("user")
            .filter(key_hash=token_hash(key), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if token is not None and token.user.is_active and _last_use_stale(token, now):
            DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token
    with connection.cursor() as cursor:
        cursor.execute(
            _TOKEN_SQL,
            {
                "key_hash": token_hash(key),
                "now": now,
                "stale_before": now - LAST_USED_RESOLUTION,
                "mfa": bool(settings.BCBT_REQUIRE_STAFF_MFA),
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(_TOKEN_FIELDS)
    token = DeviceToken.from_db(connection.alias, _TOKEN_FIELDS, row[:split])
    token.user = User.from_db(connection.alias, _USER_FIELDS, row[split:])
    return token


def _last_use_stale(token: DeviceToken, now: datetime.datetime) -> bool:
    return token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION


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
