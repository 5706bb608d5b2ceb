"""Which sign-in emails may be sent: never to an address that is not an account's own (an
unknown address, or one added but not yet verified), and not too many to one address or from
one client address. The sign-in pages answer the same whether or not a message went, so
holding one back tells nobody anything."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest

from accounts.models import User
from accounts.ratelimit import rate_limit_exceeded
from care.services import request_ip

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
