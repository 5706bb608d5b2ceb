"""Which sign-in emails may be sent: never to an address that is not an account's own (an
unknown address, or one added but not yet verified), and not too many to one address or from
one client address. The sign-in pages answer the same whether or not a message went, so
holding one back tells nobody anything.

When the provider refuses one, the page says so and what to do, and the failure goes to the
digital navigator's queue (``sign_in_email_failure_record``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import SupportKind, SupportProblem, SupportRequest, SupportStatus, User
from accounts.ratelimit import rate_limit_exceeded
from care.services import audit_event_record, request_ip

logger = logging.getLogger(__name__)

# allauth's messages that let someone into an account, or that anyone can make us send.
SIGN_IN_TEMPLATES = frozenset(
    {
        "account/email/login_code",
        "account/email/password_reset_key",
        "account/email/unknown_account",
        "account/email/email_confirmation",
        "account/email/email_confirmation_signup",
    }
)
# Those that go only to an account's own, verified address.
OWN_ADDRESS_TEMPLATES = frozenset({"account/email/login_code", "account/email/password_reset_key"})
_HOUR = 3600


def is_account_address(email: str) -> bool:
    """The address is an active account's email. An address added on the email page is not,
    until the link sent to it has been followed (allauth then makes it the account's email)."""
    return User.objects.filter(email__iexact=email.strip(), is_active=True).exists()


def sign_in_mail_over_limit(*, email: str, request: HttpRequest | None) -> bool:
    """Count one sign-in email to ``email`` from this client; True when either cap is passed.
    Fails open when Redis is down, like every rate limit here."""
    over_address = rate_limit_exceeded(
        scope="sign-in-mail-address",
        key=email,
        limit=settings.BCBT_SIGN_IN_MAIL_LIMIT_PER_ADDRESS,
        window_seconds=_HOUR,
    )
    over_ip = request is not None and rate_limit_exceeded(
        scope="sign-in-mail-ip",
        key=request_ip(request) or "unknown",
        limit=settings.BCBT_SIGN_IN_MAIL_LIMIT_PER_IP,
        window_seconds=_HOUR,
    )
    return over_address or over_ip


def sign_in_mail_allowed(*, template_prefix: str, email: str, request: HttpRequest | None) -> bool:
    if template_prefix not in SIGN_IN_TEMPLATES:
        return True
    if template_prefix in OWN_ADDRESS_TEMPLATES and not is_account_address(email):
        return False
    if sign_in_mail_over_limit(email=email, request=request):
        logger.info("Sign-in email held back: over the hourly limit (%s)", template_prefix)
        return False
    return True


# --- When the email provider refuses ------------------------------------------------------

# What each sign-in email is called in the navigator's queue.
SIGN_IN_EMAIL_NAMES = {
    "account/email/login_code": "sign-in code",
    "account/email/password_reset_key": "password reset link",
    "sign_in_link": "sign-in link from a navigator",
    "welcome_link": "welcome email with a sign-in link",
    "staff_invite": "staff invitation",
}


class SignInEmailNotSent(Exception):
    """The email provider refused a sign-in email (down, timed out, rejected the message).

    Raised in place of the provider's own error so that every sign-in page can say what
    happened and what to do, instead of failing with a server error."""

    def __init__(self, *, what: str, email: str, error_name: str) -> None:
        super().__init__(f"{what} not sent: {error_name}")
        self.what = what
        self.email = email
        self.error_name = error_name


def sign_in_email_failure_record(*, failure: SignInEmailNotSent) -> SupportRequest | None:
    """Put a failed sign-in email in the navigator's queue: one open item per person, with the
    technical facts only (which email, the provider's error type, when), never the address or
    the code. Runs outside any transaction of the page, so the page's own rollback cannot take
    the record with it. Nothing is queued for an address that is not an account's."""
    user = (
        User.objects.filter(email__iexact=failure.email.strip(), is_active=True)
        .order_by("pk")
        .first()
    )
    if user is None:
        return None
    name = SIGN_IN_EMAIL_NAMES.get(failure.what, "sign-in email")
    line = (
        f"The {name} could not be sent at {timezone.localtime():%d %b %H:%M} "
        f"({failure.error_name}). Check the email provider; phone the person if they need "
        "to sign in now."
    )
    open_items = SupportRequest.objects.filter(
        patient=user,
        kind=SupportKind.SIGN_IN_EMAIL_FAILED,
        status__in=[SupportStatus.OPEN, SupportStatus.PICKED_UP],
    )
    try:
        with transaction.atomic():
            support_request = open_items.select_for_update().first()
            if support_request is None:
                support_request = SupportRequest.objects.create(
                    kind=SupportKind.SIGN_IN_EMAIL_FAILED,
                    patient=user,
                    service_id=user.service_id,
                    problem=SupportProblem.NO_EMAIL,
                    message=line,
                )
            else:
                # The newest failure first, within the field's limit.
                support_request.message = f"{line}\n{support_request.message}"[:1000]
                support_request.save(update_fields=["message"])
            audit_event_record(
                actor=None,
                action="sign_in_email.failed",
                patient=user if user.is_patient else None,
                target=support_request,
                detail={"email": failure.what, "error": failure.error_name},
            )
    except IntegrityError:
        # Two failures at the same moment: the constraint kept one open item; that is enough.
        return open_items.first()
    return support_request
