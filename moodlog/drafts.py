"""A mood note may be kept as a draft while the patient writes it, one per day they may rate
(accounts/drafts.py): ``mood-note.<YYYY-MM-DD>``."""

from __future__ import annotations

import datetime

from accounts.drafts import draft_kind_register
from accounts.models import Role, User
from moodlog.services import mood_days_changeable

DRAFT_KIND = "mood-note"


def mood_note_draft_key(day: datetime.date) -> str:
    return f"{DRAFT_KIND}.{day.isoformat()}"


def _allows(user: User, parts: list[str]) -> bool:
    if user.role != Role.PATIENT or len(parts) != 1:
        return False
    try:
        day = datetime.date.fromisoformat(parts[0])
    except ValueError:
        return False
    return day in mood_days_changeable(patient=user)


draft_kind_register(name=DRAFT_KIND, allows=_allows)
