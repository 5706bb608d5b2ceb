"""Compression of HTML pages only.

A page listing patients is the large response (a caseload page is about 55 KB, 5 KB gzipped).
API answers are small JSON, and compressing them costs a phone's request more CPU on the
server than it saves on the wire, so they, and everything that is not HTML, go as they are.

BREACH (guessing a secret in a page from the compressed size, while making the victim's
browser send chosen text) is answered by Django for the one secret our pages carry, the CSRF
token, which is masked afresh for every response; and GZipMiddleware pads every compressed
response with random bytes (Django 4.2+). Pages show no other secret that an attacker could
have reflected into them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class HtmlGZipMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
