"""django-axes hooks: which username an attempt was for, and what a locked-out person sees."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone


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
            return candidate.strip().lower()
    return ""


def cool_off_minutes() -> int:
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    minutes = cool_off_minutes()
    message = (
        f"Too many sign-in attempts. For your safety this account is paused for {minutes} "
        "minutes on this device. You can try again after that, or use 'Having trouble signing "
        "in?' to ask for help."
    )
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"detail": message, "code": "locked_out", "retry_after_minutes": minutes},
            status=429,
            headers={"Retry-After": str(minutes * 60)},
        )
    until = timezone.localtime() + datetime.timedelta(minutes=minutes)
    return render(
        request,
        "account/lockout.html",
        {"minutes": minutes, "until": until, "message": message},
        status=429,
    )
