"""Response headers every page and API answer carries (README, "Sign-in and security")."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class SecurityHeadersMiddleware:
    """Adds ``Permissions-Policy`` everywhere and ``Cache-Control: no-store`` where it matters.

    Patient data must never sit in a shared or browser cache (a family computer, a proxy), so
    every answer to a signed-in person, every request carrying an API token and every API path
    is marked ``no-store``. Static files and anonymous pages keep their normal caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.BCBT_PERMISSIONS_POLICY)
        if _is_private(request):
            add_never_cache_headers(response)
        return response


def _is_private(request: HttpRequest) -> bool:
    # WhiteNoise answers static files before authentication runs, so ``user`` may be missing.
    user = getattr(request, "user", None)
    return bool(
        (user is not None and user.is_authenticated)
        or "HTTP_AUTHORIZATION" in request.META
        or request.path_info.startswith("/api/")
    )
