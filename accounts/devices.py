"""Where a person is signed in: their browser sessions and app tokens, and signing them out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.selectors import device_token_get_for_user, sessions_for_user, user_session_get
from accounts.services import user_session_end
from accounts.tokens import device_token_revoke, device_tokens_active_for_user


def devices(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    sessions = sessions_for_user(user=user)
    return render(
        request,
        "accounts/devices.html",
        {
            "sessions": sessions,
            "current_session_key": request.session.session_key,
            "tokens": device_tokens_active_for_user(user=user),
        },
    )


@require_POST
def session_sign_out(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    user = request.user
    user_session = user_session_get(user=user, session_id=session_id)
    is_current = user_session.session_key == request.session.session_key
    user_session_end(by=user, user_session=user_session, request=request)
    if is_current:
        logout(request)
        return redirect("account_login")
    messages.success(request, f"You have signed out of {user_session.device or 'that browser'}.")
    return redirect("accounts:devices")


@require_POST
def token_sign_out(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    user = request.user
    token = device_token_get_for_user(user=user, token_id=token_id)
    device_token_revoke(by=user, token=token, request=request)
    messages.success(request, f"You have signed out of {token.name or 'that app'}.")
    return redirect("accounts:devices")


@require_POST
def sign_out_everywhere_else(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    current = request.session.session_key
    for user_session in sessions_for_user(user=user):
        if user_session.session_key != current:
            user_session_end(by=user, user_session=user_session, request=request)
    for token in device_tokens_active_for_user(user=user):
        device_token_revoke(by=user, token=token, request=request)
    messages.success(request, "You are now signed out everywhere except this browser.")
    return redirect("accounts:devices")
