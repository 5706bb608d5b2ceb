"""Add-on modules suggested from the measures, by the rules in ``measures/suggestions.yaml``.

The rules are data, versioned with their file. This module only says which rules hold for an
episode's answers and why, in plain words ("GAD-7 was 15 and 10"); it names a module by its
slug, since measures does not know the modules app. The clinician app, above both, shows the
suggestion, and adds the module only when the PWP accepts it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from measures.definitions import DefinitionError, Instrument, shipped_instruments
from measures.models import QuestionnaireResponse

RULES_FILE = Path(__file__).resolve().parent / "suggestions.yaml"
CASENESS = "caseness"


@dataclass(frozen=True)
class SuggestionRule:
    code: str
    instrument: Instrument
    module_slug: str
    # The total at or above which the rule holds (None: the rule looks at items).
    total_at_least: int | None
    item_at_least: int | None
    items: tuple[int, ...]


@dataclass(frozen=True)
class SuggestionRules:
    version: str
    rules: tuple[SuggestionRule, ...]


@dataclass(frozen=True)
class Evidence:
    """A rule that holds for an episode: the module it suggests and why, in words.

    ``basis`` names the answers it rests on (the latest response's id): a dismissal is kept
    against it, so the suggestion returns when the questionnaire is answered again."""

    rule_code: str
    rules_version: str
    module_slug: str
    because: str
    basis: str
    instrument_code: str


def _rule_from_data(data: Mapping[str, Any]) -> SuggestionRule:
    code = str(data["code"])
    instrument = shipped_instruments().get(str(data["instrument"]))
    if instrument is None:
        raise DefinitionError(f"Suggestion {code} names an unknown questionnaire.")
    total = data.get("total_at_least")
    if total == CASENESS:
        if instrument.caseness_at_least is None:
            raise DefinitionError(f"Suggestion {code}: {instrument.short_name} has no caseness.")
        total = instrument.caseness_at_least
    item_at_least = data.get("item_at_least")
    if (total is None) == (item_at_least is None):
        raise DefinitionError(f"Suggestion {code} needs total_at_least or item_at_least.")
    items = tuple(
        int(number) for number in data.get("items") or range(1, instrument.item_count + 1)
    )
    if any(not 1 <= number <= instrument.item_count for number in items):
        raise DefinitionError(f"Suggestion {code} names a missing item.")
    return SuggestionRule(
        code=code,
        instrument=instrument,
        module_slug=str(data["module"]),
        total_at_least=None if total is None else int(total),
        item_at_least=None if item_at_least is None else int(item_at_least),
        items=items,
    )


@functools.cache
def suggestion_rules() -> SuggestionRules:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    rules = tuple(_rule_from_data(rule) for rule in data["rules"])
    if len({rule.code for rule in rules}) != len(rules):
        raise DefinitionError("Two suggestion rules share a code.")
    return SuggestionRules(version=str(data["version"]), rules=rules)


def _because(rule: SuggestionRule, responses: list[QuestionnaireResponse]) -> str | None:
    """Why the rule holds for these answers (oldest first), or None when it does not."""
    latest = responses[-1]
    name = rule.instrument.short_name
    if rule.total_at_least is not None:
        if latest.total < rule.total_at_least:
            return None
        first = responses[0]
        totals = [str(first.total)] if first is latest else [str(first.total), str(latest.total)]
        return f"{name} was {' and '.join(totals)}"
    assert rule.item_at_least is not None
    high = [
        (number, value)
        for number in rule.items
        if (value := latest.answers[number - 1]) is not None and value >= rule.item_at_least
    ]
    if not high:
        return None
    top = max(rule.instrument.option_values)
    parts = ", ".join(
        f"{rule.instrument.item_name(number)} {value} of {top}" for number, value in high
    )
    return f"{name}: {parts}"


def suggestions_from_responses(
    responses: Iterable[QuestionnaireResponse],
) -> list[Evidence]:
    """The rules that hold for one episode's answers (any order), in the rules' order."""
    by_code: dict[str, list[QuestionnaireResponse]] = {}
    for response in sorted(responses, key=lambda response: (response.submitted_at, response.pk)):
        by_code.setdefault(response.instrument_code, []).append(response)
    rules = suggestion_rules()
    found = []
    for rule in rules.rules:
        answered = by_code.get(rule.instrument.code)
        if not answered:
            continue
        because = _because(rule, answered)
        if because is not None:
            found.append(
                Evidence(
                    rule_code=rule.code,
                    rules_version=rules.version,
                    module_slug=rule.module_slug,
                    because=because,
                    basis=str(answered[-1].pk),
                    instrument_code=rule.instrument.code,
                )
            )
    return found
