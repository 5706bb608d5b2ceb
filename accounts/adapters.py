from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.client_address import client_address
from accounts.credentials import user_password_set
from accounts.models import User
from accounts.services import user_session_forget
from accounts.sign_in_mail import SIGN_IN_TEMPLATES, SignInEmailNotSent, sign_in_mail_allowed
from care.services import audit_event_record


@dataclass(frozen=True)
class EmailSite:
    """What allauth's emails call ``current_site``: bcbt at the address patients use, never
    the host a request happened to come in on (``Hello from 127.0.0.1:8000!``)."""

    name: str
    domain: str


def email_site_context() -> dict[str, Any]:
    base_url = str(settings.BCBT_BASE_URL)
    domain = urlsplit(base_url).netloc or base_url
    return {"current_site": EmailSite(name="bcbt", domain=domain), "site_url": base_url}


def on_our_site(url: str) -> str:
    """``url`` (built by allauth from the request's host) at ``BCBT_BASE_URL`` instead."""
    parts = urlsplit(url)
    return f"{str(settings.BCBT_BASE_URL).rstrip('/')}{parts.path}" + (
        f"?{parts.query}" if parts.query else ""
    )


def _lockout_hint() -> str:
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
    return (
        f"After {settings.AXES_FAILURE_LIMIT} wrong tries, sign-in pauses for {minutes} minutes. "
        "If you cannot remember your password, use 'Email me a sign-in code instead'."
    )


class AccountAdapter(DefaultAccountAdapter):
    # Plain words for every way sign-in can fail, each with what to do next.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": (
            "The username or password is not right. Check them and try again. "
        ),
        "email_password_mismatch": (
            "The email address or password is not right. Check them and try again. "
        ),
        "incorrect_code": (
            "That code is not right. Check the code in the newest email from us and try again."
        ),
        "too_many_login_attempts": (
            "There were too many wrong tries, so that sign-in code has stopped working. "
            "Ask for a new code below."
        ),
        "rate_limited": "You have asked for this too many times. Please wait a few minutes.",
    }

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.error_messages = dict(self.error_messages)
        for key in ("username_password_mismatch", "email_password_mismatch"):
            self.error_messages[key] = self.error_messages[key] + _lockout_hint()

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's own rate limits (codes, password resets) count the same client address as
        # lockout and our rate limits, behind BCBT_TRUSTED_PROXY_HOPS proxies.
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Patients are referred and registered by their service; nobody signs themselves up.
        return False

    def logout(self, request: HttpRequest) -> None:
        # The browser no longer appears on the devices page once it has signed out.
        user_session_forget(session_key=request.session.session_key)
        super().logout(request)

    def set_password(self, user: AbstractBaseUser, password: str) -> None:
        # allauth sets every new password here: a change, a first password and a reset from
        # the emailed link (also the one a navigator sends). The service signs every app out.
        assert isinstance(user, User)
        request = self.request
        signed_in = request is not None and request.user.is_authenticated
        user_password_set(
            user=user,
            password=password,
            by=user,
            request=request,
            reason="password_change" if signed_in else "password_reset",
        )

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_our_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return on_our_site(super().get_email_confirmation_url(request, emailconfirmation))

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Every email allauth sends passes here: sign-in codes and reset links go only to an
        # account's own verified address, and within the hourly caps (accounts.sign_in_mail).
        if not sign_in_mail_allowed(
            template_prefix=template_prefix, email=email, request=self.request
        ):
            return
        self.send_mail_allowed(template_prefix, email, context)

    def send_mail_allowed(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Send an email whose sending was already allowed (``sign_in_mail_allowed``, which
        also counts it against the caps): the app's sign-in code checks first, so that no code
        is stored that was never sent."""
        # Our own words (templates/account/email/) at the site's own address.
        context = {**context, **email_site_context()}
        try:
            super().send_mail(template_prefix, email, context)
        except Exception as error:
            if template_prefix not in SIGN_IN_TEMPLATES:
                raise
            # Any provider failure (refused, timed out, rejected): the page that asked says so
            # (accounts.sign_in.sign_in_email_failure_page) instead of failing.
            raise SignInEmailNotSent(
                what=template_prefix, email=email, error_name=type(error).__name__
            ) from error

    def send_notification_mail(
        self,
        template_prefix: str,
        user: AbstractBaseUser,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        # allauth tells the old address here when an account's email changes (after the new
        # address is verified); it is also the one place that learns of the change, so the
        # audit event is written here too.
        if template_prefix == "account/email/email_changed" and isinstance(user, User):
            audit_event_record(
                actor=user if self.request is not None and self.request.user == user else None,
                action="account.email_change",
                patient=user if user.is_patient else None,
                target=user,
                request=self.request,
            )
        super().send_notification_mail(template_prefix, user, context, email)
