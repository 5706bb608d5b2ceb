"""Earlier versions of clinical free text that staff wrote (session notes and agenda, flag
closing notes, exercise feedback), read from django-simple-history's tables.

Shown only to the staff who may read the text itself: the caller has already decided that.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class EarlierVersion:
    saved_at: datetime.datetime
    saved_by: str
    texts: dict[str, str]


def earlier_versions(*, instance: Model, fields: tuple[str, ...]) -> list[EarlierVersion]:
    """Versions of ``fields`` that were replaced by a later wording, newest first.

    Saves that did not change the wording (a status change, a re-save) are left out, so an empty
    list means the text was never edited. One query.
    """
    history: Any = instance.history  # type: ignore[attr-defined]
    rows = list(history.select_related("history_user").order_by("-history_id"))
    current = tuple(getattr(instance, field) for field in fields)
    versions: list[EarlierVersion] = []
    seen = current
    for row in rows:
        wording = tuple(getattr(row, field) for field in fields)
        if wording == seen:
            continue
        seen = wording
        # Before a flag is closed its note is empty: that is not an earlier wording.
        if not any(wording):
            continue
        user = row.history_user
        versions.append(
            EarlierVersion(
                saved_at=row.history_date,
                saved_by=user.display_name if user is not None else "someone no longer on staff",
                texts=dict(zip(fields, wording, strict=True)),
            )
        )
    return versions
