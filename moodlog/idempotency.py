"""``Idempotency-Key`` support for API writes that are not idempotent by themselves (POST).

This is about HTTP requests rather than about moods, so it sits beside the services rather
than in them: the key, a hash of the request, and the first response, stored in the database
(unique per user and key) so that a retry after a lost connection is answered the same way.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from moodlog.models import IdempotencyRecord

if TYPE_CHECKING:
    from accounts.models import User

IDEMPOTENCY_HEADER = "Idempotency-Key"
# Visible ASCII only, up to 255 characters: a UUID fits comfortably.
_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
KEY_MESSAGE = (
    "Send the Idempotency-Key header as 1 to 255 visible ASCII characters, for example a UUID."
)


class IdempotencyMismatch(Exception):
    """The key was used before for a different request."""


def idempotency_key_check(value: str) -> str:
    if not _KEY_PATTERN.fullmatch(value):
        raise ValidationError({IDEMPOTENCY_HEADER: [KEY_MESSAGE]})
    return value


def idempotency_request_hash(*, method: str, path: str, data: Any) -> str:
    """A fingerprint of the request: the same JSON in any key order gives the same hash."""
    canonical = json.dumps(
        {"method": method, "path": path, "data": data},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_record_find(*, user: User, key: str, request_hash: str) -> IdempotencyRecord | None:
    """The stored first response for this key, or None when the key is new.

    Raises :class:`IdempotencyMismatch` when the key was used for a different request.
    """
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is not None and record.request_hash != request_hash:
        raise IdempotencyMismatch
    return record


def idempotency_record_store(
    *, user: User, key: str, request_hash: str, status_code: int, response_body: Any
) -> IdempotencyRecord:
    """Keep the first response. Call inside the transaction that did the work, so that the
    work and the record commit together; a concurrent request with the same key then fails
    here with ``IntegrityError`` and its work is rolled back."""
    return IdempotencyRecord.objects.create(
        user=user,
        key=key,
        request_hash=request_hash,
        status_code=status_code,
        response_body=response_body,
    )
