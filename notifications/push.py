"""Web Push: the patient's phones (or browsers) that take push notifications, and sending one.

A push carries no clinical content: every message has the same title and body ("You have a
reminder from bcbt") and the address to open, so nothing on a lock screen says what it is
about. The payload is encrypted to the browser's keys (``aes128gcm``) and signed with the
service's VAPID key, both by pywebpush.

A phone the push service no longer knows (404 or 410: the app was removed, the browser
unsubscribed) is removed. When no phone took the message, it goes by the patient's other
channel (email, else a text message, else only the list in the app), the outbox row records
that channel, and the patient's preference records when push was lost, which the navigator's
queue shows as "not receiving push".
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pywebpush import WebPushException, webpush

from accounts.models import DeviceToken, User
from care.services import audit_event_record
from notifications.messages import OutgoingMessage
from notifications.models import (
    Notification,
    NotificationChannel,
    NotificationPreference,
    PushSubscription,
)
from notifications.preferences import patient_settings_by_id, sms_available

PUSH_TITLE = "bcbt"
PUSH_BODY = "You have a reminder from bcbt."
# A phone that is off or offline gets the message when it is back within a day; after that a
# reminder is stale anyway.
PUSH_TIME_TO_LIVE_SECONDS = 24 * 60 * 60
GONE_STATUSES = (404, 410)
# A push service refuses these for good: the request itself is wrong (bad keys, too big, our
# VAPID key not the one the browser subscribed with).
REFUSED_STATUSES = (400, 401, 403, 413)


class PushRefused(Exception):
    """The push service refused the message for good (not 404/410: the request is wrong)."""


def push_payload(*, message: OutgoingMessage) -> dict[str, str]:
    """What the service worker shows: generic words and where to go, never what it is about."""
    return {"title": PUSH_TITLE, "body": PUSH_BODY, "url": message.link_url}


# --- Subscriptions -----------------------------------------------------------------------------


def _decoded_length(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError):
        return -1


def push_subscription_problems(*, endpoint: str, p256dh: str, auth: str) -> dict[str, str]:
    """What is wrong with a subscription a browser sent, by field."""
    problems = {}
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    allowed = any(
        host == suffix or host.endswith("." + suffix) for suffix in settings.BCBT_PUSH_SERVICE_HOSTS
    )
    # Only the known push services: bcbt's workers post to this address, so it must never be
    # an address inside the service's own network.
    if parts.scheme != "https" and host not in ("127.0.0.1", "localhost"):
        problems["endpoint"] = "The push address must start with https://."
    elif not allowed:
        problems["endpoint"] = "This push service is not one bcbt sends to."
    # A P-256 public key, uncompressed (65 bytes), and a 16-byte secret, both base64url.
    if _decoded_length(p256dh) != 65:
        problems["p256dh"] = "This is not a browser's push key (p256dh)."
    if _decoded_length(auth) != 16:
        problems["auth"] = "This is not a browser's push secret (auth)."
    return problems


@transaction.atomic
def push_subscription_save(
    *,
    patient: User,
    endpoint: str,
    p256dh: str,
    auth: str,
    device_token: DeviceToken | None = None,
    device: str = "",
) -> tuple[PushSubscription, bool]:
    """Store (or refresh) the subscription of one browser; returns (row, created).

    A browser has one endpoint: sent again, the row is updated, and if another patient had
    signed in on that browser before, the phone is now this patient's. Raises ValidationError
    for an address or keys that are not a browser's."""
    problems = push_subscription_problems(endpoint=endpoint, p256dh=p256dh, auth=auth)
    if problems:
        raise ValidationError(problems)
    defaults: dict[str, object] = {
        "patient": patient,
        "p256dh": p256dh,
        "auth": auth,
        "device_token": device_token,
    }
    if device:
        # A retry without a user agent keeps the description the first request gave.
        defaults["device"] = device[:100]
    subscription, created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults=defaults
    )
    NotificationPreference.objects.filter(patient=patient, push_lost_at__isnull=False).update(
        push_lost_at=None
    )
    audit_event_record(
        actor=patient,
        action="push.subscribe",
        patient=patient,
        target=subscription,
        detail={"created": created},
    )
    return subscription, created


def push_subscription_delete(*, patient: User, subscription: PushSubscription) -> None:
    """The patient turned push off on that phone (the caller has checked it is theirs)."""
    audit_event_record(
        actor=patient,
        action="push.unsubscribe",
        patient=patient,
        target=subscription,
    )
    subscription.delete()


# --- Sending -----------------------------------------------------------------------------------


def _push_one(subscription: PushSubscription, data: str) -> int | None:
    """Send to one browser; returns the status when the push service no longer knows it."""
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=data,
            vapid_private_key=settings.BCBT_VAPID_PRIVATE_KEY,
            # A new dict each time: pywebpush writes the audience and expiry into it.
            vapid_claims={"sub": settings.BCBT_VAPID_SUBJECT},
            timeout=settings.BCBT_PUSH_TIMEOUT,
            ttl=PUSH_TIME_TO_LIVE_SECONDS,
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in GONE_STATUSES:
            return status
        if status in REFUSED_STATUSES:
            raise PushRefused(f"The push service refused the message ({status}).") from error
        raise
    return None


def fallback_channel(*, patient_id: int) -> str:
    """The patient's other way to be reached when no phone takes push: email if they have one
    and the service sends email, else a text message, else only the list in the app."""
    found = patient_settings_by_id([patient_id]).get(patient_id)
    if found is None:
        return NotificationChannel.IN_APP
    if found.email_allowed and found.has_email:
        return NotificationChannel.EMAIL
    if found.sms_allowed and found.has_phone and sms_available():
        return NotificationChannel.SMS
    return NotificationChannel.IN_APP


def _gone_record(
    *, notification: Notification, gone: list[tuple[PushSubscription, int]], fallback: str
) -> None:
    now = timezone.now()
    patient = notification.recipient
    for subscription, status in gone:
        audit_event_record(
            actor=None,
            action="push.subscription_gone",
            patient=patient,
            target=subscription,
            detail={"status": status, "notification": notification.pk, "fallback": fallback},
        )
    PushSubscription.objects.filter(pk__in=[subscription.pk for subscription, _ in gone]).delete()
    if not PushSubscription.objects.filter(patient=patient).exists():
        NotificationPreference.objects.filter(patient=patient).update(push_lost_at=now)


# The callable sends by another channel: notifications.channels.deliver, passed in so that this
# module and channels.py do not import each other.
Deliver = Callable[..., str]


def push_deliver(*, notification: Notification, message: OutgoingMessage, fallback: Deliver) -> str:
    """Push one outbox row to each of the patient's phones; returns a reference.

    Runs on the dispatcher's own thread (``sending.py`` sends push rows one by one), since it
    reads the subscriptions and records those that are gone. A phone that cannot be reached
    for a reason that may pass raises, and the dispatcher retries the row.
    """
    subscriptions = list(PushSubscription.objects.filter(patient_id=notification.recipient_id))
    data = json.dumps(push_payload(message=message))
    delivered: list[PushSubscription] = []
    gone: list[tuple[PushSubscription, int]] = []
    for subscription in subscriptions:
        status = _push_one(subscription, data)
        if status is None:
            delivered.append(subscription)
        else:
            gone.append((subscription, status))
    if delivered:
        PushSubscription.objects.filter(pk__in=[row.pk for row in delivered]).update(
            last_sent_at=timezone.now()
        )
    channel = (
        NotificationChannel.PUSH
        if delivered
        else fallback_channel(patient_id=notification.recipient_id)
    )
    if gone:
        _gone_record(notification=notification, gone=gone, fallback=channel)
    if delivered:
        return f"push:{len(delivered)}"
    # No phone took it: the same message goes by the other channel, and the row says so, so a
    # retry (if that send fails) goes by that channel too.
    Notification.objects.filter(pk=notification.pk).update(channel=channel)
    notification.channel = channel
    return fallback(notification=notification, message=message)
