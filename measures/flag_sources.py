"""Tells the risk-flag page (safety/sources.py) what a flagged answer was, and its scores."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from measures.definitions import instrument_definition
from measures.models import QuestionnaireResponse
from safety.sources import FlagSource, flag_source_describer_register


def flag_source_describe(source: models.Model) -> FlagSource | None:
    if not isinstance(source, QuestionnaireResponse):
        return None
    scores_url = reverse("measures:patient-outcomes", kwargs={"patient_id": source.patient_id})
    if source.instrument_code != "phq9":
        return FlagSource(why="", scores_url=scores_url)
    phq9 = instrument_definition("phq9")
    labels = {option.value: option.label for option in phq9.options}
    answer = labels.get(source.answers[8])
    return FlagSource(
        why=f'PHQ-9 question 9, "{phq9.items[8]}": answered "{answer}". '
        f"PHQ-9 total {source.total}.",
        scores_url=scores_url,
    )


def flag_reason(response: QuestionnaireResponse) -> str:
    """What a flagged answer was, briefly: 'PHQ-9 question 9: "Several days"'."""
    instrument = instrument_definition(response.instrument_code)
    labels = {option.value: option.label for option in instrument.options}
    raised = [
        f'{instrument.short_name} question {rule.item}: "{labels.get(answer, answer)}"'
        for rule in instrument.flags
        if rule.creates_risk_flag
        and (answer := response.answers[rule.item - 1]) is not None
        and answer > rule.above
    ]
    return "; ".join(raised) or f"{instrument.short_name} answers"


def register() -> None:
    flag_source_describer_register(flag_source_describe)
