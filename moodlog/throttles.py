"""Rate limits for the mood API, kept in the shared cache (Redis when REDIS_URL is set).

A rate limit protects the service; a mood rating is the patient's record. So when the cache
is down the limit is skipped with a warning in the log, and the rating is still saved.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import RedisError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class CacheTolerantUserRateThrottle(UserRateThrottle):
    """A per-user (per-IP when anonymous) rate limit that lets requests through, with a
    logged warning, when the cache cannot be reached."""

    def get_rate(self) -> str | None:
        # Read the rates when used rather than when DRF was imported, so that settings
        # changed at run time (tests, a deployment's REST_FRAMEWORK) take effect.
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        try:
            rate: str | None = rates[str(self.scope)]
        except KeyError as error:
            raise ImproperlyConfigured(
                f"Set REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'][{self.scope!r}]."
            ) from error
        return rate

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            logger.warning(
                "Rate limit %r not applied: the cache is not answering (%s).",
                self.scope,
                type(error).__name__,
            )
            return True


class MoodWriteThrottle(CacheTolerantUserRateThrottle):
    """Limits creating, changing and removing ratings; reading them is not limited."""

    scope = "mood_write"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
