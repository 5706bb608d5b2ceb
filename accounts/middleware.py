from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.client_address import client_address
from accounts.models import User
from accounts.second_factor import (
    STAFF_ROLES,
    second_factor_required,
    second_factor_set_up,
    session_passed_second_factor,
)
from accounts.services import user_session_forget, user_session_record, user_session_touch
from accounts.useragent import device_summary


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a sign-in unless its view is marked ``login_not_required``.

    The API is left to Django REST framework, whose default permission is IsAuthenticated and
    which answers 401 instead of redirecting a phone to an HTML sign-in page.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


# Keys this middleware keeps in the session.
SESSION_USER = "bcbt_session_user"
SESSION_STARTED = "bcbt_session_started"
SESSION_SEEN = "bcbt_session_seen"
SESSION_RECORDED_KEY = "bcbt_session_recorded_key"
# How often "last seen" is written: once a minute is precise enough for a 30-minute limit and
# keeps a page view from being a database write every time.
SEEN_RESOLUTION_SECONDS = 60


def _sign_out(request: HttpRequest, message: str) -> None:
    user_session_forget(session_key=request.session.session_key)
    logout(request)
    messages.info(request, message)


class SessionLimitsMiddleware:
    """Ends idle staff sessions after 30 minutes and every session after 12 hours, and keeps the
    record of each browser session that the devices page shows.

    It runs after authentication and before the login-required check, so a session it ends is
    sent to the sign-in page by that check in the same request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key:
            self._check(request, user)
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: User) -> None:
        session = request.session
        now = timezone.now().timestamp()
        if session.get(SESSION_USER) != user.pk or SESSION_STARTED not in session:
            user_session_record(
                user=user,
                session_key=session.session_key or "",
                device=device_summary(request.headers.get("User-Agent", "")),
                ip_address=client_address(request),
            )
            session[SESSION_USER] = user.pk
            session[SESSION_STARTED] = now
            session[SESSION_SEEN] = now
            session[SESSION_RECORDED_KEY] = session.session_key
            return
        started = float(session[SESSION_STARTED])
        seen = float(session.get(SESSION_SEEN, started))
        if now - started > settings.BCBT_SESSION_MAX_HOURS * 3600:
            _sign_out(
                request,
                f"For your safety you were signed out after {settings.BCBT_SESSION_MAX_HOURS} "
                "hours. Please sign in again.",
            )
            return
        if user.role in STAFF_ROLES and now - seen > settings.BCBT_STAFF_IDLE_MINUTES * 60:
            _sign_out(
                request,
                f"You were signed out after {settings.BCBT_STAFF_IDLE_MINUTES} minutes without "
                "activity. Please sign in again.",
            )
            return
        if now - seen >= SEEN_RESOLUTION_SECONDS:
            still_there = user_session_touch(
                recorded_key=str(session.get(SESSION_RECORDED_KEY, "")),
                session_key=session.session_key or "",
            )
            if not still_there:
                _sign_out(request, "This browser was signed out. Please sign in again.")
                return
            session[SESSION_SEEN] = now
            session[SESSION_RECORDED_KEY] = session.session_key


# What a member of staff who has not finished two-step verification may open: sign-out, the
# pages that set it up or ask for it (and the password check allauth asks for before set-up),
# help, and static files. Nothing else under /accounts/: not the email or password pages,
# which would let a session without the second factor take the account over.
MFA_OPEN_PATHS = frozenset(
    {
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/reauthenticate/",
        "/accounts/2fa/authenticate/",
        "/accounts/2fa/reauthenticate/",
        "/accounts/2fa/totp/activate/",
    }
)
MFA_OPEN_PREFIXES = ("/help/", "/support/", "/static/", "/healthz")


class StaffMfaMiddleware:
    """With ``BCBT_REQUIRE_STAFF_MFA`` on, staff must set up an authenticator app (TOTP) and
    this browser session must have passed it before they can open any other page or call the
    API with their session. (API calls with a device token are checked where DRF
    authenticates them, in ``accounts.authentication``.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self._require_mfa(request)
        if response is not None:
            return response
        return self.get_response(request)

    def _require_mfa(self, request: HttpRequest) -> HttpResponseBase | None:
        user = getattr(request, "user", None)
        if user is None or not second_factor_required(user):
            return None
        path = request.path_info
        if path in MFA_OPEN_PATHS or path.startswith(MFA_OPEN_PREFIXES):
            return None
        set_up = second_factor_set_up(user)
        if set_up and session_passed_second_factor(request, user):
            return None
        if path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "Set up two-step verification before using staff features.",
                    "code": "mfa_required",
                },
                status=403,
            )
        if set_up:
            # Signed in some way that skipped the code: ask for it now, then carry on.
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': path})}")
        messages.info(
            request,
            "Before you can use staff pages, set up two-step verification with an "
            "authenticator app. It takes about two minutes.",
        )
        return redirect("mfa_activate_totp")
