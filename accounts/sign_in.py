"""Patient sign-in without a password: the code allauth emails, and the single-use link a
navigator sends. Each failure says what happened and what to do next."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from allauth.mfa.totp import views as totp_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.models import User
from accounts.second_factor import second_factor_set_up, session_record_second_factor
from accounts.services import SignInLinkInvalid, sign_in_link_check, sign_in_link_use
from accounts.sign_in_mail import SignInEmailNotSent, sign_in_email_failure_record

logger = logging.getLogger(__name__)

# Where allauth keeps a sign-in in progress, and the part of it for login by code.
_ALLAUTH_LOGIN_KEY = "account_login"
_CODE_STAGE = "login_by_code"


def _pending_code_started_at(request: HttpRequest) -> float | None:
    """When the code now waiting for this browser was sent, or None if none is waiting."""
    pending = request.session.get(_ALLAUTH_LOGIN_KEY)
    if not isinstance(pending, dict):
        return None
    stages = pending.get("state", {}).get("stages", {})
    if stages.get("current") != _CODE_STAGE:
        return None
    started = stages.get(_CODE_STAGE, {}).get("data", {}).get("at")
    return float(started) if isinstance(started, int | float) else None


def sign_in_email_failure_page(
    view: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Wrap a page that sends a sign-in email: when the provider refuses it, record the failure
    for the navigator and show what to do instead of a server error. Status 503: the page
    worked, the email provider did not."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponseBase:
        try:
            return view(request)
        except SignInEmailNotSent as failure:
            logger.warning("Sign-in email not sent (%s): %s", failure.what, failure.error_name)
            sign_in_email_failure_record(failure=failure)
            return render(
                request,
                "account/sign_in_email_failed.html",
                {"password_reset": failure.what == "account/email/password_reset_key"},
                status=503,
            )

    return wrapped


request_login_code = login_not_required(
    never_cache(sign_in_email_failure_page(allauth_views.request_login_code))
)
password_reset = login_not_required(
    never_cache(sign_in_email_failure_page(allauth_views.password_reset))
)


@login_not_required
@never_cache
def confirm_login_code(request: HttpRequest) -> HttpResponseBase:
    """allauth's "enter your code" page, with a clear message when the code cannot be used.

    allauth quietly sends an expired or spent code back to the "email me a code" page; a
    person who does not know why will try the same code again.
    """
    if not request.user.is_authenticated:
        started = _pending_code_started_at(request)
        minutes = settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT // 60
        if started is None:
            messages.error(
                request,
                "That sign-in code can no longer be used: it has expired or has been used "
                f"already. Codes work once, for {minutes} minutes. Ask for a new code below.",
            )
        elif time.time() - started > settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT:
            messages.error(
                request,
                f"That sign-in code has expired. Codes work for {minutes} minutes. "
                "Ask for a new code below.",
            )
    return allauth_views.confirm_login_code(request)


@login_not_required
@never_cache
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """A link from the digital navigator. Opening it shows a button; only pressing the button
    spends the link, so an email scanner that opens links cannot use it up."""
    try:
        link = sign_in_link_check(token=token)
    except SignInLinkInvalid as invalid:
        return _link_invalid(request, invalid.reason)
    if request.method == "POST":
        try:
            user = sign_in_link_use(token=token, request=request)
        except SignInLinkInvalid as invalid:
            return _link_invalid(request, invalid.reason)
        get_adapter(request).login(request, user)
        messages.success(
            request,
            "You are signed in. To sign in next time, set a password from your account page, "
            "or ask for a sign-in code by email."
            if link.welcome
            else "You are signed in. If you have forgotten your password, you can set a new one "
            "from your account page.",
        )
        return redirect("home")
    return render(
        request,
        "accounts/sign_in_link.html",
        {"first_name": link.user.first_name, "expires_at": link.expires_at, "link": link},
    )


def _link_invalid(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "accounts/sign_in_link_invalid.html",
        {"reason": reason, "minutes": settings.BCBT_SIGN_IN_LINK_MINUTES},
        status=404 if reason == "unknown" else 410,
    )


@never_cache
def activate_totp(request: HttpRequest) -> HttpResponseBase:
    """allauth's "set up an authenticator app" page. Setting it up means typing a code the new
    app shows, so this session has now given the second factor: say so, or the person would be
    asked for another code straight after setting up."""
    user = request.user
    had_app = isinstance(user, User) and second_factor_set_up(user)
    response = totp_views.activate_totp(request)
    now_set_up = isinstance(user, User) and not had_app and second_factor_set_up(user)
    if request.method == "POST" and now_set_up:
        session_record_second_factor(request, user)  # type: ignore[arg-type]
    return response
