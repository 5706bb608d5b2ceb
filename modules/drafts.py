"""The exercises a patient may keep a draft of (accounts/drafts.py): one per exercise of a
module in their own programme, under ``exercise.<module slug>.<exercise key>``."""

from __future__ import annotations

from django.http import Http404

from accounts.drafts import draft_kind_register
from accounts.models import Role, User
from modules.selectors import exercise_definition, programme_item_for_patient

DRAFT_KIND = "exercise"


def exercise_draft_key(*, slug: str, exercise_key: str) -> str:
    return f"{DRAFT_KIND}.{slug}.{exercise_key}"


def _allows(user: User, parts: list[str]) -> bool:
    if user.role != Role.PATIENT or len(parts) != 2:
        return False
    slug, exercise_key = parts
    try:
        _programme, item = programme_item_for_patient(patient=user, slug=slug)
    except Http404:
        return False
    version = item.assignment.version or item.version
    return exercise_definition(version=version, key=exercise_key) is not None


draft_kind_register(name=DRAFT_KIND, allows=_allows)
