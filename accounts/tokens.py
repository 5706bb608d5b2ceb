"""Per-device API tokens: issued at sign-in from the app, stored hashed, expiring, revocable."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.authentication import token_hash
from accounts.models import DeviceToken, User
from care.services import audit_event_record


def device_token_issue(
    *,
    user: User,
    device_name: str = "",
    second_factor_verified: bool = False,
    request: HttpRequest | None = None,
) -> tuple[DeviceToken, str]:
    """Create a token for one device. Returns the row and the only copy of the plain key.
    ``second_factor_verified`` says the sign-in gave a TOTP or recovery code."""
    key = secrets.token_urlsafe(32)
    token = DeviceToken.objects.create(
        user=user,
        name=device_name.strip()[:100],
        key_hash=token_hash(key),
        second_factor_verified=second_factor_verified,
        expires_at=timezone.now() + datetime.timedelta(days=settings.BCBT_TOKEN_LIFETIME_DAYS),
    )
    audit_event_record(
        actor=user,
        action="device_token.issue",
        patient=user if user.is_patient else None,
        target=token,
        request=request,
    )
    return token, key


def device_token_revoke(
    *, by: User, token: DeviceToken, request: HttpRequest | None = None
) -> DeviceToken:
    """Sign a device out. Revoking an already revoked token changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_event_record(
            actor=by,
            action="device_token.revoke",
            patient=token.user if token.user.is_patient else None,
            target=token,
            request=request,
        )
    return token


def device_tokens_active_for_user(*, user: User) -> QuerySet[DeviceToken]:
    return DeviceToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")
