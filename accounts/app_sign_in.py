"""Signing in to the app with a code emailed to the person (``/api/v1/auth/code/``).

The code is made by allauth's own generator and sent in the same email, through the same
adapter, as the code the web sign-in page sends: so it goes only to an account's own address,
within the same hourly caps, in the same words. The web keeps its code in the browser session;
an app has none, so the code lives here, hashed, in :class:`AppSignInCode`.
"""

from __future__ import annotations

import datetime

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import AppSignInCode, User
from accounts.sign_in_mail import sign_in_mail_allowed
from care.services import audit_event_record

_HASH_SALT = "accounts.app_sign_in.code"
LOGIN_CODE_TEMPLATE = "account/email/login_code"


def _code_hash(code: str) -> str:
    # Codes are short, so a plain hash would be easy to reverse from a copy of the database;
    # a keyed one is not without the secret key.
    normalised = code.strip().upper().replace(" ", "").replace("-", "")
    return salted_hmac(_HASH_SALT, normalised, algorithm="sha256").hexdigest()


def account_for_email(email: str) -> User | None:
    """The active account whose own address this is, or None."""
    return User.objects.filter(email__iexact=email.strip(), is_active=True).order_by("pk").first()


def app_sign_in_code_send(*, email: str, request: HttpRequest) -> None:
    """Email a new sign-in code to ``email`` if it is an account's address; do nothing
    otherwise (the caller answers the same either way). A new code replaces any earlier one.

    Raises ``accounts.sign_in_mail.SignInEmailNotSent`` when the email provider refuses it."""
    user = account_for_email(email)
    if user is None:
        return
    # Within the hourly caps of every sign-in email, checked before a code is stored: a request
    # held back must not replace the code the person was last sent.
    if not sign_in_mail_allowed(
        template_prefix=LOGIN_CODE_TEMPLATE, email=user.email, request=request
    ):
        return
    adapter = get_adapter(request)
    code = adapter.generate_login_code()
    now = timezone.now()
    with transaction.atomic():
        AppSignInCode.objects.filter(user=user, used_at__isnull=True).delete()
        AppSignInCode.objects.create(
            user=user,
            code_hash=_code_hash(code),
            created_at=now,
            expires_at=now + datetime.timedelta(seconds=settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT),
        )
        audit_event_record(
            actor=None,
            action="app_sign_in_code.send",
            patient=user if user.is_patient else None,
            target=user,
            request=request,
        )
    # The same message as the web page's code.
    adapter.send_mail_allowed(LOGIN_CODE_TEMPLATE, user.email, {"code": code, "user": user})


def app_sign_in_code_check(*, email: str, code: str) -> User | None:
    """The account when ``code`` is the newest unexpired code sent to ``email``, spending it;
    None otherwise. A wrong code counts a try; after the last allowed try the code stops
    working, as on the web."""
    user = account_for_email(email)
    if user is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        pending = (
            AppSignInCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if pending is None:
            return None
        if constant_time_compare(pending.code_hash, _code_hash(code)):
            pending.used_at = now
            pending.save(update_fields=["used_at"])
            return user
        pending.attempts += 1
        if pending.attempts >= settings.ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS:
            pending.delete()
        else:
            pending.save(update_fields=["attempts"])
    return None
