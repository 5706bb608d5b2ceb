"""Request ids, a log line per request, latency by view, and /healthz before host checks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import resolve

from operations.latency import latency_record
from operations.request_context import request_id_choose, request_id_reset, request_id_set

logger = logging.getLogger("bcbt.request")

HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """First in the chain: every log line of the request carries its id, and so does the response.

    The request line names the view and its route pattern, never the path a client sent: paths
    can carry secrets (the token of a stop link or a sign-in link), and query strings and form
    fields are never logged at all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_choose(request.META.get("HTTP_X_REQUEST_ID"))
        token = request_id_set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            match = request.resolver_match
            view = match.view_name if match and match.view_name else "unmatched"
            route = match.route if match else ""
            latency_record(view=view, seconds=seconds)
            logger.info(
                "%s %s %s",
                request.method,
                route or view,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": route,
                    "view": view,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            response[HEADER] = request_id
            return response
        finally:
            request_id_reset(token)


class HealthzMiddleware:
    """Answers ``/healthz`` before anything checks the Host header or redirects to https.

    The container's health probe asks ``http://127.0.0.1:8000/healthz``; with
    ``DJANGO_ALLOWED_HOSTS=bcbt.example.org`` Django would refuse that host with 400 (and a
    traceback in the log every interval). Serving the probe here, before ``SecurityMiddleware``
    and ``CommonMiddleware``, makes it pass with any allowed hosts (wildcards included) without
    the probe having to know them. The answer builds no absolute URL, so the Host header cannot
    poison anything.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            from bcbt.health import healthz

            # Named like any other view in the request log and the latency metrics.
            request.resolver_match = resolve(request.path_info)
            return healthz(request)
        return self.get_response(request)
