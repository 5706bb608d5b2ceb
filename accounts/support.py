"""'Having trouble signing in?': a form anyone can use, without signing in, to ask the digital
navigator for help. Its answer never says whether an account exists."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.client_address import client_address
from accounts.forms import SupportRequestForm
from accounts.ratelimit import rate_limit_exceeded
from accounts.services import support_request_submit

RATE_WINDOW_SECONDS = 60 * 60


@login_not_required
@never_cache
def support_request(request: HttpRequest) -> HttpResponse:
    form = SupportRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # Both limits are counted every time, so a limited contact costs the same as any other.
        over_ip = rate_limit_exceeded(
            scope="support-ip",
            key=client_address(request) or "unknown",
            limit=settings.BCBT_SUPPORT_LIMIT_PER_IP,
            window_seconds=RATE_WINDOW_SECONDS,
        )
        over_contact = rate_limit_exceeded(
            scope="support-contact",
            key=form.cleaned_data["contact"],
            limit=settings.BCBT_SUPPORT_LIMIT_PER_CONTACT,
            window_seconds=RATE_WINDOW_SECONDS,
        )
        if over_ip or over_contact:
            return render(request, "accounts/support_limited.html", status=429)
        support_request_submit(
            contact_name=form.cleaned_data["contact_name"],
            contact=form.cleaned_data["contact"],
            phone_number=form.cleaned_data["phone_number"],
            problem=form.cleaned_data["problem"],
            message=form.cleaned_data["message"],
            request=request,
        )
        return redirect("accounts:support-request-sent")
    return render(request, "accounts/support_request.html", {"form": form})


@login_not_required
def support_request_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/support_request_sent.html")
