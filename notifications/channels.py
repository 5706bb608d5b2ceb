"""Delivery: email through Django's backend or GOV.UK Notify, text messages through Notify, Web
Push to the patient's phones (``push.py``), and the in-app list (which needs no delivery: a sent
row is shown there)."""

from __future__ import annotations

import hashlib
import re
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import HTTPError

from notifications.messages import OutgoingMessage
from notifications.models import Notification, NotificationChannel
from notifications.smtp import BeforeAccept, is_smtp, smtp_send_recorded


class PermanentDeliveryError(Exception):
    """Trying again cannot help (no address, a refused address, a rejected request)."""


_EMAIL = re.compile(r"[^\s@<>]+@[^\s@<>]+")
_PHONE = re.compile(r"\+?\d[\d ]{6,}\d")


def describe_error(error: BaseException) -> str:
    """A short technical description for the navigator, with addresses and numbers removed."""
    text = f"{type(error).__name__}: {error}"
    text = _PHONE.sub("[number]", _EMAIL.sub("[address]", text))
    return text[:300]


def notify_client() -> NotificationsAPIClient:
    """A Notify client that gives up after GOVUK_NOTIFY_TIMEOUT seconds: a provider that never
    answers must not hold a dispatcher (and its claimed rows) for ever."""
    return NotificationsAPIClient(
        settings.GOVUK_NOTIFY_API_KEY,
        base_url=settings.GOVUK_NOTIFY_BASE_URL,
        timeout=settings.GOVUK_NOTIFY_TIMEOUT,
    )


def uses_notify(channel: str) -> bool:
    """Whether sends on ``channel`` go through GOV.UK Notify, which can be asked afterwards
    whether it already has a message with our reference."""
    if not settings.GOVUK_NOTIFY_API_KEY:
        return False
    if channel == NotificationChannel.SMS:
        return True
    return channel == NotificationChannel.EMAIL and bool(settings.GOVUK_NOTIFY_EMAIL_TEMPLATE_ID)


def provider_reference_for(*, notification: Notification) -> str | None:
    """Ask the provider whether it already accepted this notification (by our unique key).

    Returns its id when it did, None when it did not. Only Notify can answer; for SMTP the
    caller must decide without knowing (see the README's duplicate window).
    """
    if not uses_notify(notification.channel):
        raise LookupError("Only GOV.UK Notify can be asked about a sent message.")
    found = notify_client().get_all_notifications(reference=notification.key)
    for item in (found or {}).get("notifications", []):
        if item.get("reference") == notification.key:
            return str(item.get("id", "")) or "notify"
    return None


def message_id_for(key: str) -> str:
    """A Message-ID that is the same for every attempt at one notification, so a resent copy
    is recognisably the same message (mail stores that deduplicate by Message-ID show one)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].partition("@")[2] or "bcbt.invalid"
    return f"<{digest}@{domain}>"


def _notify_call(send: object, **kwargs: object) -> str:
    try:
        response = send(**kwargs)  # type: ignore[operator]
    except HTTPError as error:
        # 400 (a bad number or address) and 403 (a bad key) will fail again; 429 and 5xx may not.
        if error.status_code in (400, 403):
            raise PermanentDeliveryError(describe_error(error)) from error
        raise
    return str((response or {}).get("id", ""))


def _send_email(
    notification: Notification,
    message: OutgoingMessage,
    connection: BaseEmailBackend | None,
    before_accept: BeforeAccept | None,
) -> str:
    address = notification.recipient.email
    if not address:
        raise PermanentDeliveryError("The recipient has no email address.")
    first_stop = message.stop_links[0].url if message.stop_links else ""
    if settings.GOVUK_NOTIFY_API_KEY and settings.GOVUK_NOTIFY_EMAIL_TEMPLATE_ID:
        client = notify_client()
        return _notify_call(
            client.send_email_notification,
            email_address=address,
            template_id=settings.GOVUK_NOTIFY_EMAIL_TEMPLATE_ID,
            personalisation={"subject": message.subject, "body": message.text},
            reference=notification.key,
            one_click_unsubscribe_url=first_stop or None,
        )
    headers = {
        "X-Bcbt-Notification": str(notification.pk),
        "Message-ID": message_id_for(notification.key),
    }
    if first_stop:
        # RFC 8058: mail programs offer their own "unsubscribe" button, which POSTs to the link.
        headers["List-Unsubscribe"] = f"<{first_stop}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMessage(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers=headers,
        connection=connection,
    )
    try:
        if before_accept is not None and is_smtp(connection):
            assert isinstance(connection, SMTPBackend)
            smtp_send_recorded(connection, email, before_accept)
        else:
            # Other backends (the file, console and in-memory ones of development and tests, or
            # a provider's API) hand a message over in one step that cannot be split: sent, then
            # recorded.
            email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentDeliveryError(describe_error(error)) from error
    return ""


def _send_sms(notification: Notification, message: OutgoingMessage) -> str:
    number = notification.recipient.phone_number
    if not number:
        raise PermanentDeliveryError("The recipient has no phone number.")
    if not (settings.GOVUK_NOTIFY_API_KEY and settings.GOVUK_NOTIFY_SMS_TEMPLATE_ID):
        raise PermanentDeliveryError("Text messages need GOV.UK Notify, which is not set up.")
    client = notify_client()
    return _notify_call(
        client.send_sms_notification,
        phone_number=number,
        template_id=settings.GOVUK_NOTIFY_SMS_TEMPLATE_ID,
        personalisation={"body": message.sms_text},
        reference=notification.key,
    )


def deliver(
    *,
    notification: Notification,
    message: OutgoingMessage,
    connection: BaseEmailBackend | None = None,
    before_accept: BeforeAccept | None = None,
) -> str:
    """Send one message by its channel; returns the provider's reference, if any.

    With an open email ``connection`` the message goes over it and the connection stays open.
    With ``before_accept`` too, an email over SMTP is recorded as sent just before the server
    can accept it (``smtp.py``), so a worker killed at any point never sends it twice (GOV.UK
    Notify is asked afterwards instead).
    """
    if notification.channel == NotificationChannel.IN_APP:
        return ""
    if notification.channel == NotificationChannel.PUSH:
        # Imported here: push falls back to this function, so the two modules would otherwise
        # import each other.
        from notifications.push import PushRefused, push_deliver

        try:
            return push_deliver(notification=notification, message=message, fallback=deliver)
        except PushRefused as error:
            raise PermanentDeliveryError(str(error)) from error
    if notification.channel == NotificationChannel.SMS:
        return _send_sms(notification, message)
    return _send_email(notification, message, connection, before_accept)
