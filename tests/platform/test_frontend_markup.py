"""Our templates use the markup of the installed nhsuk-frontend version, not an older one's."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import Client

PACKAGE = Path(settings.BCBT_NHSUK_FRONTEND_DIR)
_CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
_NHSUK_CLASS = re.compile(r"\.?(nhsuk-[a-z0-9_-]+)")


def _template_classes() -> dict[str, set[str]]:
    """Every nhsuk-* class our templates write, with the templates that write it."""
    used: dict[str, set[str]] = {}
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for attribute in _CLASS_ATTRIBUTE.findall(template.read_text(encoding="utf-8")):
            for name in _NHSUK_CLASS.findall(attribute):
                used.setdefault(name, set()).add(str(template.relative_to(settings.BASE_DIR)))
    return used


def _deprecated_classes() -> set[str]:
    """Classes the package's Sass keeps only for compatibility: the selectors that follow a
    "Deprecated, to be removed ..." comment, up to the opening brace."""
    deprecated: set[str] = set()
    for sass in (PACKAGE / "components").rglob("_index.scss"):
        collecting = False
        for line in sass.read_text(encoding="utf-8").splitlines():
            if re.search(r"//.*deprecated", line, re.IGNORECASE):
                collecting = True
                continue
            if collecting:
                # The subject of each selector (its last class) is what is deprecated:
                # in ".nhsuk-list--tick .nhsuk-icon__tick" only the icon's old class is.
                for selector in line.split("{")[0].split(","):
                    classes = _NHSUK_CLASS.findall(selector)
                    deprecated.update(classes[-1:])
                collecting = "{" not in line and line.strip().endswith(",")
    return deprecated


def test_templates_use_no_class_the_installed_nhsuk_frontend_lacks_or_deprecates() -> None:
    stylesheet = (PACKAGE / "nhsuk-frontend.css").read_text(encoding="utf-8")
    component_templates = "".join(
        path.read_text(encoding="utf-8") for path in PACKAGE.rglob("template.njk")
    )
    deprecated = _deprecated_classes()
    assert "nhsuk-warning-callout" in deprecated  # the parser still reads the package's notes
    problems = {
        name: sorted(templates)
        for name, templates in _template_classes().items()
        if name in deprecated or (f".{name}" not in stylesheet and name not in component_templates)
    }
    assert problems == {}, f"v9 or deprecated nhsuk-frontend classes in templates: {problems}"


def test_rate_your_mood_today_is_a_v10_action_link_with_its_arrow(patient_client: Client) -> None:
    html = patient_client.get("/me/").content.decode()
    link = re.search(r'<a class="nhsuk-action-link" href="/mood/">(.*?)</a>', html, re.DOTALL)
    assert link, "the action link to /mood/ is not the v10 markup"
    assert '<svg class="nhsuk-icon nhsuk-icon--arrow-right-circle"' in link.group(1)
    assert '<span class="nhsuk-action-link__text">Rate your mood today</span>' in link.group(1)
