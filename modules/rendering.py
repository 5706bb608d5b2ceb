"""Module Markdown to safe HTML, and the words that describe programme changes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

from modules.models import AssignmentChange, ChangeKind

_ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "br",
    "hr",
}


@lru_cache(maxsize=512)
def markdown_render(text: str) -> SafeString:
    """Markdown to HTML with only plain text markup allowed through, so content can never carry
    scripts or styles. Cached: module versions never change once loaded."""
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 (nh3 has just sanitised it)


@dataclass
class ChangeView:
    change: AssignmentChange
    summary: str
    reason: str


def change_views(changes: list[AssignmentChange], *, for_patient: bool) -> list[ChangeView]:
    """Each change in a sentence. Patients see only changes still in force."""
    views = []
    for change in changes:
        if for_patient and change.undone_at is not None:
            continue
        version = change.assignment.module.latest_version
        title = f"“{version.title}”" if version is not None else "a module"
        if change.kind == ChangeKind.ADDED:
            summary = f"Added {title} to your programme" if for_patient else f"Added {title}"
        elif change.kind == ChangeKind.MOVED:
            summary = f"Moved {title} to place {change.after.get('position', '?')}"
        elif change.kind == ChangeKind.AIM_SET:
            session = change.after.get("aim_session")
            summary = (
                f"Aim to finish {title} by session {session}"
                if session
                else f"No longer a set session to finish {title} by"
            )
        elif change.kind == ChangeKind.WAIVED:
            summary = f"{title} is not needed for you" if for_patient else f"Waived {title}"
        else:
            summary = change.get_kind_display()
        views.append(ChangeView(change=change, summary=summary, reason=change.reason))
    return views
