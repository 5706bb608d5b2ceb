"""Pages every NHS service must have, open to everyone: the accessibility statement, the privacy
notice and the cookie page; and the web app manifest and service worker that make bcbt an app
a phone can install (docs/app.md).

They hold no patient data and decide nothing: what differs between deployments (who the data
controller is, how to reach them) comes from settings, and the cookie list is read from the
same settings that name and time the cookies, so the page cannot drift from what bcbt sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    expires: str


def _duration(seconds: int) -> str:
    """Seconds as a patient would say them: "12 hours", "52 weeks"."""
    hours = seconds // 3600
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    weeks, days = divmod(hours // 24, 7)
    if days == 0:
        return f"{weeks} weeks"
    return f"{hours // 24} days"


def _session_seconds() -> int:
    # The session ends at whichever comes first: the cookie's age or bcbt's own session limit.
    return min(settings.SESSION_COOKIE_AGE, settings.BCBT_SESSION_MAX_HOURS * 3600)


def cookies_set() -> list[Cookie]:
    """Every cookie bcbt sets. All are strictly necessary, so none needs consent."""
    return [
        Cookie(
            name=settings.SESSION_COOKIE_NAME,
            purpose="Keeps you signed in as you move from page to page.",
            expires=f"When you sign out, or {_duration(_session_seconds())} after you signed in",
        ),
        Cookie(
            name=settings.CSRF_COOKIE_NAME,
            purpose=(
                "Makes sure that a form you send, such as your mood rating, really came from "
                "this website and not from another one pretending to be you."
            ),
            expires=(
                _duration(settings.CSRF_COOKIE_AGE)
                if settings.CSRF_COOKIE_AGE
                else "When you close your browser"
            ),
        ),
        Cookie(
            name="messages",
            purpose=(
                "Carries a short note to the next page you open, such as "
                '"Saved: 7 out of 10 for today".'
            ),
            expires="As soon as the note is shown, or when you close your browser",
        ),
    ]


def _contacts() -> dict[str, str]:
    return {
        "service_name": settings.BCBT_SERVICE_NAME,
        "data_controller": settings.BCBT_DATA_CONTROLLER,
        "dpo_email": settings.BCBT_DPO_EMAIL,
        "service_contact": settings.BCBT_SERVICE_CONTACT,
    }


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "about/accessibility.html", _contacts())


@login_not_required
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "about/privacy.html", _contacts())


@login_not_required
def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "about/cookies.html", {**_contacts(), "cookies": cookies_set()})


# NHS.UK colours: the header's NHS blue for the phone's status bar, and the page background of
# the design system for the splash screen while the app opens.
THEME_COLOUR = "#005eb8"
BACKGROUND_COLOUR = "#f0f4f5"
SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "bcbt" / "sw.js"


@login_not_required
def web_manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: a phone can add bcbt to its home screen as an app of its own.

    It opens on the patient's home page (staff who add it reach their own home from there, as
    ``/`` would take them); the icons are drawn by scripts/make_app_icons.py.
    """
    icons = "bcbt/icons/"
    manifest = {
        "id": "/me/",
        "name": settings.BCBT_SERVICE_NAME,
        "short_name": "bcbt",
        "description": "Online CBT, your mood and messages with your therapist.",
        "lang": "en-GB",
        "start_url": "/me/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static(icons + "app-192.png"), "type": "image/png", "sizes": "192x192"},
            {"src": static(icons + "app-512.png"), "type": "image/png", "sizes": "512x512"},
            {
                "src": static(icons + "app-maskable-512.png"),
                "type": "image/png",
                "sizes": "512x512",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


@cache
def _service_worker_source() -> bytes:
    return SERVICE_WORKER.read_bytes()


@login_not_required
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker (static/bcbt/sw.js), served from the site root so that it may look
    after every page (a worker controls only the paths below its own URL).

    ``no-cache`` makes the browser ask for it again on every visit, so a new version reaches
    phones at once. It holds no patient data, so anyone may fetch it.
    """
    response = HttpResponse(_service_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


app_name = "about"
urlpatterns = [
    path("accessibility/", accessibility, name="accessibility"),
    path("privacy/", privacy, name="privacy"),
    path("cookies/", cookies, name="cookies"),
]
