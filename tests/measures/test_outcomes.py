from __future__ import annotations

import datetime

import pytest

from measures.outcomes import episode_outcomes, outcome_compute
from measures.services import questionnaire_response_record
from tests import factories

PAIRED = {"phq9": 2, "gad7": 2}


def outcome(phq: tuple[int, int], gad: tuple[int, int]):
    return outcome_compute(
        episode_id=1,
        first={"phq9": phq[0], "gad7": gad[0]},
        last={"phq9": phq[1], "gad7": gad[1]},
        counts=PAIRED,
    )


def test_recovery_without_reliable_change() -> None:
    result = outcome((11, 8), (9, 6))
    assert result.case_at_start is True
    assert result.recovery is True
    assert result.reliable_improvement is False
    assert result.reliable_recovery is False
    assert result.summary == "Recovery"


def test_reliable_recovery_needs_both() -> None:
    result = outcome((17, 6), (13, 5))
    assert (result.recovery, result.reliable_improvement, result.reliable_recovery) == (
        True,
        True,
        True,
    )
    assert result.summary == "Reliable recovery"


def test_reliable_improvement_still_a_case() -> None:
    result = outcome((20, 12), (15, 10))
    assert result.recovery is False
    assert result.reliable_improvement is True
    assert result.reliable_recovery is False
    assert result.summary == "Reliable improvement"


@pytest.mark.parametrize(
    ("phq", "gad", "improved"),
    [
        ((16, 10), (10, 10), True),  # PHQ-9 falls exactly 6
        ((16, 11), (10, 10), False),  # PHQ-9 falls 5
        ((10, 10), (12, 8), True),  # GAD-7 falls exactly 4
        ((10, 10), (12, 9), False),  # GAD-7 falls 3
    ],
)
def test_reliable_improvement_boundaries(
    phq: tuple[int, int], gad: tuple[int, int], improved: bool
) -> None:
    assert outcome(phq, gad).reliable_improvement is improved


def test_improvement_on_one_measure_with_deterioration_on_the_other_is_not_improvement() -> None:
    result = outcome((18, 10), (4, 8))
    assert result.reliable_deterioration is True
    assert result.reliable_improvement is False
    assert result.summary == "Reliable deterioration"


@pytest.mark.parametrize(
    ("phq", "gad", "deteriorated"),
    [
        ((8, 14), (5, 5), True),
        ((8, 13), (5, 5), False),
        ((5, 5), (3, 7), True),
        ((5, 5), (3, 6), False),
    ],
)
def test_reliable_deterioration_boundaries(
    phq: tuple[int, int], gad: tuple[int, int], deteriorated: bool
) -> None:
    assert outcome(phq, gad).reliable_deterioration is deteriorated


@pytest.mark.parametrize(
    ("phq", "gad", "case"),
    [((10, 0), (0, 0), True), ((9, 0), (7, 0), False), ((9, 0), (8, 0), True)],
)
def test_caseness_at_start_is_either_measure_at_threshold(
    phq: tuple[int, int], gad: tuple[int, int], case: bool
) -> None:
    result = outcome(phq, gad)
    assert result.case_at_start is case
    assert result.recovery is case


def test_ending_on_the_threshold_is_not_recovery() -> None:
    assert outcome((15, 10), (5, 2)).recovery is False
    assert outcome((15, 9), (12, 8)).recovery is False
    assert outcome((15, 9), (12, 7)).recovery is True


def test_no_change_is_no_change() -> None:
    result = outcome((14, 13), (10, 11))
    assert result.summary == "No reliable change"
    assert not (result.recovery)
    assert not (result.reliable_improvement)
    assert not (result.reliable_deterioration)


def test_one_score_is_not_an_outcome() -> None:
    result = outcome_compute(
        episode_id=1,
        first={"phq9": 20, "gad7": 15},
        last={"phq9": 20, "gad7": 15},
        counts={"phq9": 1, "gad7": 1},
    )
    assert result.paired is False
    assert result.recovery is None
    assert result.reliable_improvement is None
    assert result.summary == "Not enough scores yet"


def _answer(patient, code, total, at):
    items = 9 if code == "phq9" else 7
    answers = [0] * items
    for index in range(total):
        answers[index % (items - 1)] += 1
    questionnaire_response_record(patient=patient, instrument_code=code, answers=answers, now=at)


def test_outcomes_for_many_episodes_in_one_query(
    service, pwp, django_assert_max_num_queries
) -> None:
    start = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    episodes = []
    for number in range(6):
        patient = factories.PatientFactory.create(service=service)
        episode = factories.make_episode(patient=patient, pwp=pwp, service=service)
        episodes.append(episode)
        for week, (phq, gad) in enumerate([(17, 13), (12, 9), (6, 5)][: 1 + number % 3]):
            at = start + datetime.timedelta(days=7 * week)
            _answer(patient, "phq9", phq, at)
            _answer(patient, "gad7", gad, at)
    ids = [episode.pk for episode in episodes]
    with django_assert_max_num_queries(1):
        results = episode_outcomes(episode_ids=ids)
    assert [results[episode_id].summary for episode_id in ids] == [
        "Not enough scores yet",
        "Reliable improvement",
        "Reliable recovery",
        "Not enough scores yet",
        "Reliable improvement",
        "Reliable recovery",
    ]
    assert results[ids[2]].first == {"phq9": 17, "gad7": 13}
    assert results[ids[2]].last == {"phq9": 6, "gad7": 5}
