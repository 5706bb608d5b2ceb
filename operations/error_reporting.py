"""Optional error reporting to Sentry, on only when ``SENTRY_DSN`` is set.

bcbt holds health data, so an error report carries what an engineer needs to find the fault and
nothing about the person it happened to: the exception's type and where it was raised, the
request's method and path with ids and tokens masked, the request id, and the user's numeric id
and role. No exception message (a database error can quote a row), no local variables, no
breadcrumbs (they hold log lines and SQL), no headers, cookies, query strings or form data.
"""

from __future__ import annotations

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

# A path segment that is a number or looks like a token (stop links, sign-in links) is masked.
_ID_SEGMENT = re.compile(r"(?<=/)\d+(?=/|$)")
_TOKEN_SEGMENT = re.compile(r"(?<=/)[^/]{20,}(?=/|$)")


def path_masked(url: str) -> str:
    """The path of ``url`` with ids and tokens replaced, and no query string or host."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url).split("?", 1)[0].split("#", 1)[0]
    return _ID_SEGMENT.sub(":id", _TOKEN_SEGMENT.sub(":token", path))


def event_scrub(event: dict[str, Any], hint: dict[str, Any] | None) -> dict[str, Any]:
    """Keep what locates the fault; drop everything that could describe a patient."""
    request = event.get("request") or {}
    event["request"] = {
        key: value
        for key, value in {
            "method": request.get("method"),
            "url": path_masked(str(request.get("url", ""))) if request.get("url") else None,
        }.items()
        if value
    }
    user = event.get("user") or {}
    event["user"] = {key: user[key] for key in ("id",) if key in user}
    event.pop("breadcrumbs", None)
    event.pop("extra", None)
    event.pop("server_name", None)
    for exception in (event.get("exception") or {}).get("values", []):
        exception["value"] = ""
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    if "logentry" in event:
        event["logentry"] = {"message": "[message removed]"}
    return event


def error_reporting_start(*, dsn: str, environment: str, release: str) -> None:
    """Start Sentry for the web process and the Celery worker, scrubbing every event."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_breadcrumbs=0,
        traces_sample_rate=0.0,
        before_send=event_scrub,  # type: ignore[arg-type]
    )
