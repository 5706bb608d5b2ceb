"""Scoring from the definitions, checked against an independent computation written here."""

from __future__ import annotations

import itertools

import pytest

from measures.definitions import (
    DefinitionError,
    instrument_definition,
    outcome_rules,
    shipped_instruments,
)
from measures.scoring import AnswerError, score


def phq9_expected(answers: tuple[int, ...]) -> tuple[int, str, list[str]]:
    """PHQ-9 by hand: PRODUCT.md's bands, and question 9 above 0 flags for review."""
    total = sum(answers)
    if total <= 4:
        band = "Minimal"
    elif total <= 9:
        band = "Mild"
    elif total <= 14:
        band = "Moderate"
    elif total <= 19:
        band = "Moderately severe"
    else:
        band = "Severe"
    return total, band, ["needs_clinician_review"] if answers[8] > 0 else []


def gad7_expected(answers: tuple[int, ...]) -> tuple[int, str]:
    total = sum(answers)
    if total <= 4:
        return total, "Minimal"
    if total <= 9:
        return total, "Mild"
    if total <= 14:
        return total, "Moderate"
    return total, "Severe"


def test_every_phq9_answer_vector_scores_as_computed_by_hand() -> None:
    phq9 = instrument_definition("phq9")
    checked = 0
    for answers in itertools.product(range(4), repeat=9):
        result = score(phq9, answers)
        total, band, flags = phq9_expected(answers)
        assert (result.total, result.severity, list(result.flags)) == (total, band, flags), answers
        assert list(result.risk_flag_codes) == flags
        checked += 1
    assert checked == 4**9 == 262144


def test_every_gad7_answer_vector_scores_as_computed_by_hand() -> None:
    gad7 = instrument_definition("gad7")
    checked = 0
    for answers in itertools.product(range(4), repeat=7):
        result = score(gad7, answers)
        assert (result.total, result.severity) == gad7_expected(answers), answers
        assert result.flags == ()
        assert result.risk_flag_codes == ()
        checked += 1
    assert checked == 4**7


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0, 0, 0, 0, 0], 0, "Subclinical"),
        ([2, 2, 2, 2, 1], 9, "Subclinical"),
        ([2, 2, 2, 2, 2], 10, "Significant functional impairment"),
        ([4, 4, 4, 4, 4], 20, "Significant functional impairment"),
        ([5, 4, 4, 4, 4], 21, "Moderately severe impairment or worse"),
        ([8, 8, 8, 8, 8], 40, "Moderately severe impairment or worse"),
    ],
)
def test_wsas_totals_and_bands(answers: list[int], total: int, band: str) -> None:
    result = score(instrument_definition("wsas"), answers)
    assert (result.total, result.severity) == (total, band)


def test_clinical_thresholds_match_product_md() -> None:
    phq9, gad7 = instrument_definition("phq9"), instrument_definition("gad7")
    assert (phq9.item_count, phq9.minimum_total, phq9.maximum_total) == (9, 0, 27)
    assert (gad7.item_count, gad7.minimum_total, gad7.maximum_total) == (7, 0, 21)
    assert (phq9.caseness_at_least, phq9.reliable_change) == (10, 6)
    assert (gad7.caseness_at_least, gad7.reliable_change) == (8, 4)
    wsas = instrument_definition("wsas")
    assert (wsas.item_count, wsas.maximum_total) == (5, 40)
    assert [option.label for option in phq9.options] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    assert phq9.stem == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert "Pfizer" in phq9.licence
    assert "No permission" in phq9.licence
    assert [instrument.code for instrument in outcome_rules().instruments] == ["phq9", "gad7"]


def test_copyrighted_wording_is_not_shipped() -> None:
    assert instrument_definition("wai-sr").items == ()
    assert instrument_definition("wsas").items == ()
    wai = instrument_definition("wai-sr")
    assert wai.item_count == 12
    assert sorted(number for numbers in wai.subscales.values() for number in numbers) == list(
        range(1, 13)
    )


def test_no_alliance_instrument_has_bands() -> None:
    for instrument in shipped_instruments().values():
        if instrument.purpose == "alliance":
            assert instrument.bands == ()
            assert score(instrument, [3] * instrument.item_count).severity is None


def test_our_alliance_check_says_it_is_not_validated() -> None:
    for code in ("alliance-check", "alliance-check-pwp"):
        instrument = instrument_definition(code)
        assert instrument.validated is False
        assert "Not a validated instrument" in instrument.licence
        assert set(instrument.subscales) == {"goal", "task", "bond", "online"}


def test_wai_sr_subscales_are_item_means() -> None:
    answers = [1, 1, 5, 2, 5, 2, 5, 2, 5, 1, 2, 1]
    result = score(instrument_definition("wai-sr"), answers)
    assert result.subscales == {"goal": 2.0, "task": 1.0, "bond": 5.0}
    assert result.total == sum(answers)


@pytest.mark.parametrize(
    "answers",
    [
        [0] * 8,
        [0] * 10,
        [0] * 8 + [4],
        [0] * 8 + [-1],
        [0] * 8 + ["1"],
        [0] * 8 + [1.0],
        [0] * 8 + [True],
        [0] * 8 + [None],
        "000000000",
        None,
        {"1": 0},
    ],
)
def test_unscorable_answers_are_refused(answers: object) -> None:
    with pytest.raises(AnswerError):
        score(instrument_definition("phq9"), answers)


def test_a_definition_with_a_gap_in_its_bands_fails_loudly() -> None:
    from measures.definitions import _instrument_from_data

    data = {
        "code": "broken",
        "version": "1",
        "name": "Broken",
        "short_name": "B",
        "purpose": "test",
        "respondent": "patient",
        "validated": True,
        "text_source": "shipped",
        "licence": "test",
        "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}],
        "items": ["a", "b"],
        "bands": [{"min": 0, "max": 0, "label": "Low"}, {"min": 2, "max": 2, "label": "High"}],
        "codes": {
            "panel": {"system": "urn:test", "code": "broken", "display": "Broken"},
            "total": [{"system": "urn:test", "code": "broken-total", "display": "Total"}],
        },
    }
    with pytest.raises(DefinitionError, match="bands"):
        _instrument_from_data(data)
