from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import Role

# The links in the header for each role: (label, URL name).
NAVIGATION: dict[str, list[tuple[str, str]]] = {
    Role.PATIENT: [
        ("Home", "home"),
        ("My mood", "moodlog:page"),
        ("My programme", "modules:programme"),
        ("Questionnaires", "measures:list"),
        ("Messages", "patients:messages"),
        ("Notifications", "notifications:inbox"),
        ("Account", "accounts:account"),
    ],
    Role.PWP: [
        ("Caseload", "clinician:caseload"),
        ("Risk flags", "safety:flags"),
        ("Module library", "modules:library"),
        ("Session guides", "clinician:session-guides"),
        ("Alerts", "notifications:inbox"),
        ("Account", "accounts:account"),
    ],
    Role.NAVIGATOR: [
        ("Support queue", "accounts:navigator-queue"),
        ("Account", "accounts:account"),
    ],
    Role.SERVICE_ADMIN: [
        ("Service console", "console:home"),
        ("Django admin", "admin:index"),
        ("Caseload", "clinician:caseload"),
        ("Account", "accounts:account"),
    ],
}


def navigation(request: HttpRequest) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        for label, url_name in NAVIGATION.get(user.role, []):
            # Django admin stays for superusers and support; service admins use the console.
            if url_name == "admin:index" and not user.is_staff:
                continue
            href = reverse(url_name)
            items.append({"label": label, "href": href, "current": request.path == href})
    return {"nav_items": items, "service_name": settings.BCBT_SERVICE_NAME}
