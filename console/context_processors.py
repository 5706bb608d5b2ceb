from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from console.navigation import SECTIONS


def console_sections(request: HttpRequest) -> dict[str, Any]:
    """The console's menu, with the section the page belongs to marked as current."""
    if not request.path.startswith("/service/"):
        return {}
    sections = []
    for label, url_name in SECTIONS:
        href = reverse(url_name)
        current = request.path == href or (href != "/service/" and request.path.startswith(href))
        sections.append({"label": label, "href": href, "current": current})
    return {"console_sections": sections}
