"""Per-device API tokens: issued at sign-in from the app, stored hashed, expiring, revocable.

A sign-in gives the device a short-lived access token (``BCBT_ACCESS_TOKEN_LIFETIME_MINUTES``)
and a refresh token (``BCBT_TOKEN_LIFETIME_DAYS``). ``device_token_refresh`` spends the refresh
token for a new pair; a refresh token sent a second time signs the whole device out.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.authentication import token_hash
from accounts.models import DeviceToken, RefreshToken, User
from care.services import audit_event_record


@dataclass(frozen=True)
class DeviceCredentials:
    """What the app receives at sign-in and at each refresh: the only copies of both keys."""

    token: DeviceToken
    access_key: str
    refresh_key: str

    @property
    def expires_at(self) -> datetime.datetime:
        return self.token.expires_at

    @property
    def refresh_expires_at(self) -> datetime.datetime:
        assert self.token.refresh_expires_at is not None
        return self.token.refresh_expires_at


class RefreshTokenInvalid(Exception):
    """Unknown, expired, or its device was signed out: the app must sign in again."""


class RefreshTokenReused(RefreshTokenInvalid):
    """Spent before: someone else may hold a copy, so the device has been signed out."""


def _access_expiry(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(minutes=settings.BCBT_ACCESS_TOKEN_LIFETIME_MINUTES)


def _refresh_expiry(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(days=settings.BCBT_TOKEN_LIFETIME_DAYS)


def device_token_issue(
    *,
    user: User,
    device_name: str = "",
    second_factor_verified: bool = False,
    request: HttpRequest | None = None,
) -> tuple[DeviceToken, str]:
    """Create a token for one device. Returns the row and the only copy of the plain key.
    ``second_factor_verified`` says the sign-in gave a TOTP or recovery code. The app's sign-in
    endpoints use :func:`device_sign_in`, which adds the refresh token."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = DeviceToken.objects.create(
        user=user,
        name=device_name.strip()[:100],
        key_hash=token_hash(key),
        second_factor_verified=second_factor_verified,
        created_at=now,
        expires_at=_access_expiry(now),
        refresh_expires_at=_refresh_expiry(now),
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


def device_sign_in(
    *,
    user: User,
    device_name: str = "",
    second_factor_verified: bool = False,
    request: HttpRequest | None = None,
) -> DeviceCredentials:
    """Sign a device in: an access token and its first refresh token."""
    with transaction.atomic():
        token, access_key = device_token_issue(
            user=user,
            device_name=device_name,
            second_factor_verified=second_factor_verified,
            request=request,
        )
        refresh_key = _refresh_token_create(device=token, now=token.created_at)
    return DeviceCredentials(token=token, access_key=access_key, refresh_key=refresh_key)


def _refresh_token_create(*, device: DeviceToken, now: datetime.datetime) -> str:
    key = secrets.token_urlsafe(32)
    RefreshToken.objects.create(
        device=device, token_hash=token_hash(key), created_at=now, expires_at=_refresh_expiry(now)
    )
    return key


def device_token_refresh(
    *, refresh_key: str, request: HttpRequest | None = None
) -> DeviceCredentials:
    """Spend a refresh token for a new access token and a new refresh token.

    The device's old access token stops working at once (its row now holds the new key).
    Raises :class:`RefreshTokenReused` when the refresh token was spent before, after signing
    the whole device out (that commits even though the refresh fails), and
    :class:`RefreshTokenInvalid` when it is unknown, expired, or its device was signed out.
    """
    now = timezone.now()
    with transaction.atomic():
        # The lock makes two refreshes with the same token take turns: the second sees it spent.
        refresh = (
            RefreshToken.objects.select_for_update(of=("self",))
            .select_related("device__user")
            .filter(token_hash=token_hash(refresh_key))
            .first()
        )
        if refresh is None:
            raise RefreshTokenInvalid
        device = refresh.device
        reused = refresh.spent_at is not None
        if reused:
            if device.revoked_at is None:
                device.revoked_at = now
                device.save(update_fields=["revoked_at"])
                audit_event_record(
                    actor=None,
                    action="device_token.refresh_reused",
                    patient=device.user if device.user.is_patient else None,
                    target=device,
                    request=request,
                )
        elif device.revoked_at is None and refresh.expires_at > now and device.user.is_active:
            refresh.spent_at = now
            refresh.save(update_fields=["spent_at"])
            access_key = secrets.token_urlsafe(32)
            device.key_hash = token_hash(access_key)
            device.expires_at = _access_expiry(now)
            device.refresh_expires_at = _refresh_expiry(now)
            device.save(update_fields=["key_hash", "expires_at", "refresh_expires_at"])
            refresh_key_new = _refresh_token_create(device=device, now=now)
            return DeviceCredentials(
                token=device, access_key=access_key, refresh_key=refresh_key_new
            )
    if reused:
        raise RefreshTokenReused
    raise RefreshTokenInvalid


def device_tokens_active_for_user(*, user: User) -> QuerySet[DeviceToken]:
    """The devices signed in now: the access token still works, or the refresh token can get
    a new one."""
    now = timezone.now()
    return DeviceToken.objects.filter(
        Q(expires_at__gt=now) | Q(refresh_expires_at__gt=now),
        user=user,
        revoked_at__isnull=True,
    ).order_by("-created_at")
