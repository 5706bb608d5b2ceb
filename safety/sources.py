"""How a flag's detail page says what raised it, without safety importing the app that did.

A flag points at the answers that raised it (a ``measures.QuestionnaireResponse``). The app
that owns those answers registers a describer in its ``AppConfig.ready``; the flag page shows
its words and links to its scores. With none registered the page simply leaves them out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class FlagSource:
    # In words, for the reviewing clinician: 'PHQ-9 question 9, "...": answered "...".'
    why: str
    scores_url: str


Describer = Callable[[models.Model], FlagSource | None]
_describers: list[Describer] = []


def flag_source_describer_register(describer: Describer) -> None:
    """One describer; registering again replaces it (a reload in development)."""
    _describers[:] = [describer]


def flag_source_describe(source: models.Model | None) -> FlagSource | None:
    if source is None or not _describers:
        return None
    return _describers[0](source)
