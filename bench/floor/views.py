"""The floor: what any mood API must do at the least. Look the SHA-256 of the bearer token up
in PostgreSQL (one indexed query), then one ``INSERT ... ON CONFLICT`` into bcbt's mood table
(or one range read), and answer JSON. No middleware, no validation beyond parsing, no rate
limit. bcbt's own mood API is measured as a fraction of this (``bench/http.py``)."""

from __future__ import annotations

import datetime
import hashlib

from django.db import connection
from django.utils import timezone
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

_LOOKUP_SQL = (
    "SELECT user_id FROM accounts_devicetoken"
    " WHERE key_hash = %s AND revoked_at IS NULL AND expires_at > %s"
)
_UPSERT_SQL = (
    "INSERT INTO moodlog_moodrating (patient_id, day, score, note, recorded_at, updated_at)"
    " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (patient_id, day) DO UPDATE"
    " SET score = EXCLUDED.score, note = EXCLUDED.note, updated_at = EXCLUDED.updated_at"
    " RETURNING id, recorded_at, (xmax = 0)"
)
_RANGE_SQL = (
    "SELECT day, score, note, recorded_at, updated_at FROM moodlog_moodrating"
    " WHERE patient_id = %s AND day >= %s AND day <= %s ORDER BY day"
)


def _patient_id(request: Request) -> int | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Token "):
        return None
    key_hash = hashlib.sha256(header[6:].encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(_LOOKUP_SQL, [key_hash, timezone.now()])
        row = cursor.fetchone()
    return int(row[0]) if row else None


@api_view(["PUT"])
def mood_put(request: Request, date: str) -> Response:
    patient_id = _patient_id(request)
    if patient_id is None:
        return Response({"detail": "Sign in again."}, status=401)
    now = timezone.now()
    score = request.data["score"]  # type: ignore[call-overload]
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT_SQL, [patient_id, datetime.date.fromisoformat(date), score, "", now, now]
        )
        _, recorded_at, created = cursor.fetchone()
    body = {"date": date, "score": score, "note": "", "recorded_at": recorded_at, "updated_at": now}
    return Response(body, status=201 if created else 200)


@api_view(["GET"])
def mood_range(request: Request) -> Response:
    patient_id = _patient_id(request)
    if patient_id is None:
        return Response({"detail": "Sign in again."}, status=401)
    first = datetime.date.fromisoformat(request.GET["from"])
    last = datetime.date.fromisoformat(request.GET["to"])
    with connection.cursor() as cursor:
        cursor.execute(_RANGE_SQL, [patient_id, first, last])
        rows = cursor.fetchall()
    return Response(
        [
            {
                "date": day,
                "score": score,
                "note": note,
                "recorded_at": recorded,
                "updated_at": updated,
            }
            for day, score, note, recorded, updated in rows
        ]
    )
