"""The request id of the work in progress, readable by the log formatter from any thread."""

from __future__ import annotations

import contextvars
import re
import uuid

_current: contextvars.ContextVar[str] = contextvars.ContextVar("bcbt_request_id", default="")

# An id a proxy or client sent is kept only if it is short and plain, so nobody can write
# arbitrary text (or personal data) into every log line through a header.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_get() -> str:
    return _current.get()


def request_id_set(value: str) -> contextvars.Token[str]:
    return _current.set(value)


def request_id_reset(token: contextvars.Token[str]) -> None:
    _current.reset(token)


def request_id_choose(incoming: str | None) -> str:
    """The incoming ``X-Request-ID`` when it is sane, otherwise a new random id."""
    if incoming and SANE_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex
