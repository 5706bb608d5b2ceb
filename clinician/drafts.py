"""The patient's messages to their therapist and topics for the next session may be kept as
drafts while they write them (accounts/drafts.py)."""

from __future__ import annotations

from accounts.drafts import draft_kind_register
from accounts.models import Role, User

MESSAGE_DRAFT_KEY = "message"
TOPICS_DRAFT_KEY = "next-session"


def _allows(user: User, parts: list[str]) -> bool:
    return user.role == Role.PATIENT and parts == []


draft_kind_register(name=MESSAGE_DRAFT_KEY, allows=_allows)
draft_kind_register(name=TOPICS_DRAFT_KEY, allows=_allows)
