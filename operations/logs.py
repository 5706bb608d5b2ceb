"""Structured logs: one JSON object a line, each with the request id of the work it belongs to.

Only the message and a few named fields are written. Django attaches the whole request to some
records (``django.request``); it is never serialised, so a query string, a form or a cookie
cannot reach the log through it.
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

from operations.request_context import request_id_get

# Extra fields a caller may pass with ``logger.info(..., extra={...})`` that are safe to write:
# they hold no personal data by construction (see operations/middleware.py).
SAFE_EXTRA_FIELDS = ("method", "path", "status", "duration_ms", "view", "task")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_get(),
        }
        for field in SAFE_EXTRA_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Adds the request id to plain-text records too (the development format shows it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_get() or "-"
        return True


def logging_config(*, structured: bool, level: str) -> dict[str, Any]:
    """Django's LOGGING: JSON lines in production, readable text with the request id in debug."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "operations.logs.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "operations.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if structured else "plain",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # runserver's request lines carry query strings; bcbt.request logs each request
            # without them.
            "django.server": {"level": "WARNING"},
            # django.request repeats each 4xx/5xx that bcbt.request already logs; its 5xx lines
            # (with the traceback) are kept.
            "django.request": {"level": "ERROR"},
        },
    }
