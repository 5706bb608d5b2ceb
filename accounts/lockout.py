"""django-axes hooks: which username an attempt was for, and what a locked-out person sees."""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.client_address import client_address
from accounts.models import User


def username_from_request(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The name typed at sign-in, from allauth's ``login`` field, a plain ``username`` field,
    the credentials passed to ``authenticate`` or a JSON API body."""
    candidates: list[Any] = []
    if credentials:
        candidates += [credentials.get("username"), credentials.get("email")]
    post = getattr(request, "POST", None)
    if post is not None:
        candidates += [post.get("login"), post.get("username")]
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            body = {}
        if isinstance(body, dict):
            candidates.append(body.get("username"))
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return _account_username(candidate.strip().lower())
    return ""


def _account_username(typed: str) -> str:
    """One lockout counter per account: an email address counts against the username of the
    account it belongs to, so typing the email and the username does not double the guesses.
    A name that matches no account is counted as typed."""
    match = (
        User.objects.filter(Q(username__iexact=typed) | Q(email__iexact=typed))
        .order_by("pk")
        .values_list("username", flat=True)
        .first()
    )
    return match.lower() if match else typed


def cool_off_minutes() -> int:
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))


def lockout_ends_at(request: HttpRequest, credentials: Any = None) -> datetime.datetime:
    """When this pause ends: the cool-off after the last failed attempt for this name from this
    address (the pair axes locks), or a full cool-off from now if axes has no record yet."""
    cool_off = datetime.timedelta(minutes=cool_off_minutes())
    username = username_from_request(request, credentials)
    ip_address = getattr(request, "axes_ip_address", None) or client_address(request)
    last_attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (last_attempt or timezone.now()) + cool_off


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    minutes = cool_off_minutes()
    until = timezone.localtime(lockout_ends_at(request, credentials))
    remaining = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    message = (
        f"Too many sign-in attempts. For your safety this account is paused for {minutes} "
        f"minutes on this device, until {until:%H:%M}. You can try again after that, or use "
        "'Having trouble signing in?' to ask for help."
    )
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {
                "detail": message,
                "code": "locked_out",
                "retry_after_minutes": remaining,
                "locked_until": until.isoformat(),
            },
            status=429,
            headers={"Retry-After": str(remaining * 60)},
        )
    return render(
        request,
        "account/lockout.html",
        {"minutes": minutes, "until": until, "remaining": remaining, "message": message},
        status=429,
    )
