"""A database that cannot be reached answers "try again" (503), never a server error (500).

When PostgreSQL is stopped, frozen past libpq's connect timeout or refuses connections, the
first query of a request raises ``OperationalError`` or ``InterfaceError``, wherever it runs: in
the view, or in a middleware that loads the session or the user. Django turns the exception into
its 500 page inside the layer that raised it, so no outer middleware sees the exception itself;
it does send ``got_request_exception`` with the request while the exception is being handled.
We mark the request there, and this middleware, high in the stack, answers the marked request
with the 503 page (or, for the API, a JSON body) and ``Retry-After``. Nothing was half-written: the
transaction, if any, rolled back with the failed query.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

_MARK = "_bcbt_database_unavailable"
RETRY_AFTER_SECONDS = "30"
API_MESSAGE = "The service cannot reach its database. Nothing was changed: try again in a minute."


def _mark_database_errors(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OperationalError | InterfaceError):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark_database_errors, dispatch_uid="bcbt.database_errors")


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": API_MESSAGE, "code": "database_unavailable"}, status=503
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if response.status_code >= 500 and getattr(request, _MARK, False):
            logger.warning("Database unavailable: answered 503 instead of %s", response.status_code)
            return database_unavailable_response(request)
        return response

    return middleware
