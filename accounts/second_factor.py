"""The second factor: when someone must give it, checking a code, and whether a browser session
has passed it. One place for the rule, used by the web pages, the token request and DRF.

Codes are checked by allauth.mfa's own authenticators (TOTP with replay protection, single-use
recovery codes), so the API and the web form accept exactly the same codes.
"""

from __future__ import annotations

import logging
import time

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest

from accounts.models import Role, User

logger = logging.getLogger(__name__)

STAFF_ROLES = (Role.PWP, Role.NAVIGATOR, Role.SERVICE_ADMIN)

# allauth's name for a step of sign-in done with an authenticator (TOTP or recovery code).
_MFA_METHOD = "mfa"


def second_factor_required(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff must pass a second factor when ``BCBT_REQUIRE_STAFF_MFA`` is on."""
    return (
        bool(settings.BCBT_REQUIRE_STAFF_MFA)
        and isinstance(user, User)
        and user.role in STAFF_ROLES
    )


def second_factor_set_up(user: User) -> bool:
    """An authenticator app is set up. Recovery codes alone are not a second factor: allauth
    only makes them once an app is set up, and only asks for a code when there is one."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def second_factor_verify(*, user: User, code: str) -> bool:
    """Whether ``code`` is a current TOTP code or an unused recovery code of ``user``. A good
    code is spent: the same TOTP code or recovery code does not work twice."""
    code = code.strip()
    if not code:
        return False
    authenticators = sorted(
        Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
        ),
        # The app first, as allauth's own form does.
        key=lambda authenticator: authenticator.type != Authenticator.Type.TOTP,
    )
    for authenticator in authenticators:
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return True
    return False


def session_passed_second_factor(request: HttpRequest, user: User) -> bool:
    """This browser session gave a second factor (at sign-in, when asked again, or by setting
    up the app), according to allauth's record of the session's sign-in steps."""
    records = get_authentication_records(request, user)
    return any(record.get("method") == _MFA_METHOD for record in records)


def session_record_second_factor(request: HttpRequest, user: User) -> None:
    """Note that this session proved the second factor by setting up the app with a code."""
    record_authentication(request, user, _MFA_METHOD, type=Authenticator.Type.TOTP, activated=True)


def _failures_key(user: User) -> str:
    return f"second-factor-failures:{user.pk}"


def second_factor_paused(user: User) -> bool:
    """Too many wrong codes for this account lately: no code is accepted until the pause ends.

    The count is per account, shared by the web form and the token request, so a known
    password does not buy unlimited guesses at a six-digit code. The pause lasts as long as
    the sign-in lockout (``AXES_COOLOFF_TIME``) from the first wrong code, and always ends.
    When the cache is down the pause is not applied (django-axes still counts each wrong code
    as a failed sign-in in the database).
    """
    try:
        record = cache.get(_failures_key(user))
    except Exception:
        logger.warning("Second-factor failure count unavailable; not pausing")
        return False
    if not record:
        return False
    since, count = record
    window = float(settings.AXES_COOLOFF_TIME) * 3600
    return time.time() - since < window and count >= settings.BCBT_SECOND_FACTOR_FAILURE_LIMIT


def second_factor_failure_record(user: User) -> None:
    """Count one wrong code for ``user``. A read-then-write: two guesses at the same instant may
    both count as one, which costs one extra guess at most."""
    window = float(settings.AXES_COOLOFF_TIME) * 3600
    now = time.time()
    try:
        record = cache.get(_failures_key(user))
        since, count = record if record and now - record[0] < window else (now, 0)
        cache.set(_failures_key(user), (since, count + 1), timeout=int(window) + 60)
    except Exception:
        logger.warning("Second-factor failure count unavailable; wrong code not counted")
