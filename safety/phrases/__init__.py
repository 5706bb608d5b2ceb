"""Free-text safety phrases: a versioned list in a data file and a tolerant matcher (no model).

The text is normalised (lower case, letters and digits only, single spaces), then each phrase
is looked for as a run of whole words. A word of five letters or more may differ by one edit
(a missing, extra, changed or swapped letter), which catches common misspellings such as
"sucide" without matching short everyday words ("die" never matches "did").
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml
from django.conf import settings

PHRASES_FILE = Path(__file__).with_name("v1.yaml")
# Short words are left exact: one edit away from "die" or "end" is too much ordinary language.
FUZZY_MIN_LENGTH = 5
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> list[str]:
    # Apostrophes join their word ("don't" -> "dont") instead of splitting it.
    return _NOT_WORD.sub(" ", text.lower().replace("'", "").replace("\u2019", "")).split()


def _phrases_from(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [" ".join(normalise(str(phrase))) for phrase in data.get("phrases", [])]


@functools.cache
def _phrases(extra_file: str) -> tuple[tuple[str, ...], ...]:
    phrases = _phrases_from(PHRASES_FILE)
    if extra_file:
        phrases += _phrases_from(Path(extra_file))
    return tuple(tuple(phrase.split()) for phrase in dict.fromkeys(phrases) if phrase)


def safety_phrases() -> tuple[tuple[str, ...], ...]:
    """The phrases in force: version 1 plus the service's own file, each as its words."""
    return _phrases(settings.BCBT_SAFETY_PHRASES_FILE)


def _within_one_edit(word: str, target: str) -> bool:
    """Optimal string alignment distance at most 1 (a swap of neighbours counts as one)."""
    if word == target:
        return True
    if len(target) < FUZZY_MIN_LENGTH or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        differences = [
            index for index, (a, b) in enumerate(zip(word, target, strict=True)) if a != b
        ]
        if len(differences) == 1:
            return True
        first = differences[0]
        return (
            len(differences) == 2
            and differences[1] == first + 1
            and word[first] == target[first + 1]
            and word[first + 1] == target[first]
        )
    shorter, longer = sorted((word, target), key=len)
    return any(longer[:index] + longer[index + 1 :] == shorter for index in range(len(longer)))


def phrase_match(text: str) -> str | None:
    """The first safety phrase found in ``text`` (as the list spells it), or None."""
    words = normalise(text)
    for phrase in safety_phrases():
        size = len(phrase)
        for start in range(len(words) - size + 1):
            window = words[start : start + size]
            if all(
                _within_one_edit(word, target) for word, target in zip(window, phrase, strict=True)
            ):
                return " ".join(phrase)
    return None
