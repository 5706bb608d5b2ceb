"""The API's answers to bodies it cannot take: always JSON, never an HTML page or a 500.

- JSON that is malformed or nested so deeply that Python's parser recurses out: 400.
- A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413, whether DRF's parser or Django itself
  (which raises ``RequestDataTooBig`` before any view runs) notices it first.
"""

from __future__ import annotations

import io
import traceback
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import bad_request
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def _too_large_detail() -> str:
    return f"The request body is too large (at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes)."


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with a size limit and a clean 400 for JSON nested too deeply.

    Django checks the size only when ``request.body`` is read; DRF reads the stream directly,
    so the limit is applied here too.
    """

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise PayloadTooLarge(_too_large_detail())
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - the body is nested too deeply.") from error


def bad_request_view(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 handler: JSON under /api/ (413 for a body over the limit), the usual page
    elsewhere."""
    if not request.path_info.startswith("/api/"):
        return bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": _too_large_detail()}, status=413)
    return JsonResponse({"detail": "Bad request."}, status=400)


def _raised_while_parsing(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return any(
        frame.filename.endswith(("rest_framework/parsers.py", "json/decoder.py"))
        for frame in frames
    )


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: JSON nested too deeply for Python's parser is the client's error
    (400), even in views that name DRF's own JSON parser. A recursion anywhere else stays a 500."""
    if isinstance(exc, RecursionError) and _raised_while_parsing(exc):
        exc = ParseError("JSON parse error - the body is nested too deeply.")
    return exception_handler(exc, context)
