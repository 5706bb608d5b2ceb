"""The first emails a new account gets: a patient's welcome with a single-use sign-in link, and a
member of staff's invitation with a single-use link to set their password.

Both go straight to the mail server, like the navigator's sign-in links (see
``accounts.services.sign_in_link_send``): a working link must never sit in the notification
outbox. Each is sent before its link is recorded and outside any transaction, so a provider that
refuses leaves no usable link behind, and the account it belongs to stays registered: the
caller says so and offers to send again.
"""

from __future__ import annotations

import datetime
import secrets

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import SignInLink, User
from accounts.services import SupportActionError, sign_in_link_issue
from accounts.sign_in_mail import (
    SignInEmailNotSent,
    sign_in_email_failure_record,
    sign_in_mail_over_limit,
)
from care.services import audit_event_record


class WelcomeEmailNotSent(Exception):
    """The email provider refused a welcome or invitation email; the account is unchanged."""


def absolute_url(path: str) -> str:
    """A link for an email: the address people use (``BCBT_BASE_URL``), never the Host header
    of whoever happened to make the request."""
    return f"{settings.BCBT_BASE_URL.rstrip('/')}{path}"


def _send(
    *, what: str, user: User, subject: str, template: str, context: dict[str, object]
) -> None:
    try:
        send_mail(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
            message=render_to_string(template, context),
            from_email=None,
            recipient_list=[user.email],
        )
    except Exception as error:
        failure = SignInEmailNotSent(what=what, email=user.email, error_name=type(error).__name__)
        sign_in_email_failure_record(failure=failure)
        raise WelcomeEmailNotSent(str(failure)) from error


def welcome_link_send(
    *, by: User, patient: User, service_name: str, request: HttpRequest | None = None
) -> SignInLink:
    """Email a newly registered patient a welcome with a single-use sign-in link; sending it
    again (a lost or expired email) makes a new link and leaves the older ones to expire."""
    if not patient.is_patient or not patient.is_active or not patient.email:
        raise SupportActionError("A welcome link goes to a patient with an active account.")
    if sign_in_mail_over_limit(email=patient.email, request=None):
        raise SupportActionError(
            "This patient has been sent several sign-in emails in the last hour. Please wait "
            "before sending another, or phone them."
        )
    token = secrets.token_urlsafe(32)
    expires_at = timezone.localtime(
        timezone.now() + datetime.timedelta(days=settings.BCBT_WELCOME_LINK_DAYS),
        timezone=patient.zone,
    )
    _send(
        what="welcome_link",
        user=patient,
        subject="welcome: your link to sign in",
        template="accounts/email/welcome.txt",
        context={
            "patient": patient,
            "service_name": service_name,
            "url": absolute_url(reverse("accounts:sign-in-link", args=[token])),
            "expires_at": expires_at,
            "days": settings.BCBT_WELCOME_LINK_DAYS,
        },
    )
    with transaction.atomic():
        link = sign_in_link_issue(by=by, patient=patient, token=token, welcome=True)
        audit_event_record(
            actor=by, action="welcome_link.send", patient=patient, target=link, request=request
        )
    return link


def staff_invite_url(staff: User) -> str:
    """allauth's "set a new password" link for ``staff``. It works once (the token is made
    from the password, which setting one changes) until ``PASSWORD_RESET_TIMEOUT`` passes."""
    key = default_token_generator.make_token(staff)
    return absolute_url(
        reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(staff), "key": key},
        )
    )


def staff_invite_send(
    *, by: User, staff: User, service_name: str, request: HttpRequest | None = None
) -> None:
    """Email a member of staff their invitation: a link to set a password, then two-step
    verification at first sign-in, as every member of staff must."""
    if not staff.is_active or staff.is_patient:
        raise SupportActionError("An invitation goes to an active member of staff.")
    if staff.has_usable_password():
        raise SupportActionError(
            "This person has already set a password. They can reset it from the sign-in page."
        )
    _send(
        what="staff_invite",
        user=staff,
        subject="you are invited to bcbt",
        template="accounts/email/staff_invite.txt",
        context={
            "staff": staff,
            "service_name": service_name,
            "role": staff.get_role_display(),
            "url": staff_invite_url(staff),
            "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
            "sign_in_url": absolute_url(reverse("account_login")),
        },
    )
    audit_event_record(actor=by, action="staff.invite_send", target=staff, request=request)
