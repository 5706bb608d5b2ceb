"""Typed requests: a view that only signed-in people reach says so in its signature.

The login-required middleware (and ``role_required``) guarantee ``request.user`` is a ``User``
before such a view runs, so views declare ``request: AuthenticatedHttpRequest`` instead of each
module narrowing the type with a helper of its own (as healthchecks' ``hc/accounts/http.py``).
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def api_user(request: Request) -> User:
    """The signed-in user of a REST framework view behind ``IsAuthenticated``.

    ``@api_view`` is typed to take a plain ``Request``, so API views cannot declare a narrower
    request class as the HTML views do; this one function narrows it instead.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("api_user() is for views behind IsAuthenticated.")
    return user
