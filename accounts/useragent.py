"""A short, harmless description of a browser from its user agent string."""

from __future__ import annotations

import re

_BROWSERS = (
    ("Edg/", "Edge"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("CrOS", "Chromebook"),
    ("Linux", "Linux"),
)


def device_summary(user_agent: str) -> str:
    """'Chrome on Android' from a user agent string; we keep only this, not the full string."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system
    # Something else (a script, an unusual browser): a short, harmless label.
    cleaned = re.sub(r"[^A-Za-z0-9 ./-]", "", user_agent.split(" ")[0])[:40]
    return cleaned or "Unknown browser"
