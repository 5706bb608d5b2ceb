"""A short middleware chain for API requests that carry a device token.

A request with ``Authorization: Token <key>`` is authenticated by DRF inside the view
(``accounts.authentication``), and nothing the browser middleware does applies to it: it has no
session cookie to load or save, no flash messages, no allauth state, no CSRF token to check
(DRF exempts API views and token authentication never asks for one) and it is not a password
sign-in that django-axes must watch. Running that stack anyway cost about as much as the mood
write itself (``make bench``), so such requests leave the full chain at its first step and go
through ``TOKEN_API_MIDDLEWARE`` instead (security headers, HTTPS redirect, common handling).

Everything else takes the full chain: pages, API calls with a session, and the API's sign-in
and sign-out endpoints (``/api/v1/auth/``), where axes counts failures and locks out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string

API_PREFIX = "/api/"
# Sign-in with a password (and signing out) keeps the whole chain, django-axes included.
FULL_CHAIN_PREFIXES = ("/api/v1/auth/",)
_TOKEN_PREFIX = b"token "


def is_token_api_request(request: HttpRequest) -> bool:
    """An API call authenticated by a device token, outside the sign-in endpoints."""
    path = request.path_info
    if not path.startswith(API_PREFIX) or path.startswith(FULL_CHAIN_PREFIXES):
        return False
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return header[:6].lower().encode() == _TOKEN_PREFIX


class _TokenApiHandler(BaseHandler):
    """Django's request handler with its own, shorter middleware list (sync only, as gunicorn's
    sync workers run it). The view is resolved and called exactly as in the full chain."""

    def __init__(self, middleware: list[str]) -> None:
        super().__init__()
        self._view_middleware: list[Callable[..., Any]] = []
        self._template_response_middleware: list[Callable[..., Any]] = []
        self._exception_middleware: list[Callable[..., Any]] = []
        # django-stubs do not declare BaseHandler._get_response, which load_middleware wraps
        # in just this way.
        handler: Callable[..., Any] = convert_exception_to_response(
            self._get_response  # type: ignore[attr-defined]
        )
        for path in reversed(middleware):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler


class TokenApiMiddleware:
    """First in ``MIDDLEWARE``: sends token API requests down the short chain."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.token_api = _TokenApiHandler(list(settings.TOKEN_API_MIDDLEWARE))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_token_api_request(request):
            response: HttpResponseBase = self.token_api._middleware_chain(request)
            return response
        return self.get_response(request)
