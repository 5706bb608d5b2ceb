from __future__ import annotations

import datetime
from decimal import Decimal

from measures.alliance import AllianceRating, alliance_compare

T0 = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)


def rating(session: int | None, days: int, **subscales: float) -> AllianceRating:
    return AllianceRating(
        session_number=session,
        submitted_at=T0 + datetime.timedelta(days=days),
        instrument_code="alliance-check",
        subscales=subscales,
    )


def compare(patient, pwp, gap=1, fall=1):
    return alliance_compare(
        patient_ratings=patient,
        pwp_ratings=pwp,
        gap_threshold=Decimal(gap),
        fall_threshold=Decimal(fall),
    )


def test_ratings_pair_by_session_and_gaps_are_flagged_at_the_threshold() -> None:
    [administration] = compare(
        [rating(3, 0, goal=4, task=2, bond=5, online=3)],
        [rating(3, 1, goal=4, task=4, bond=4, online=3)],
    )
    rows = {row.subscale: row for row in administration.subscales}
    assert [row.subscale for row in administration.subscales] == ["goal", "task", "bond", "online"]
    assert (rows["task"].patient, rows["task"].pwp, rows["task"].gap) == (2, 4, -2)
    assert rows["task"].gap_flagged is True
    assert rows["bond"].gap == 1
    assert rows["bond"].gap_flagged is True
    assert rows["goal"].gap_flagged is False
    assert administration.flagged


def test_a_larger_threshold_flags_less() -> None:
    [administration] = compare(
        [rating(3, 0, goal=4, task=3)], [rating(3, 1, goal=5, task=5)], gap=Decimal("1.5")
    )
    rows = {row.subscale: row.gap_flagged for row in administration.subscales}
    assert rows == {"goal": False, "task": True}


def test_a_fall_in_the_patients_rating_between_administrations_is_flagged() -> None:
    first, second = compare(
        [rating(3, 0, goal=4, bond=5), rating(11, 56, goal=4, bond=4)],
        [],
    )
    assert not first.flagged
    rows = {row.subscale: row for row in second.subscales}
    assert rows["bond"].patient_change == -1
    assert rows["bond"].fall_flagged
    assert rows["goal"].patient_change == 0
    assert not rows["goal"].fall_flagged
    assert rows["bond"].pwp is None
    assert rows["bond"].gap is None


def test_a_rise_is_not_flagged() -> None:
    _, second = compare([rating(3, 0, goal=2), rating(11, 56, goal=5)], [])
    assert not second.flagged


def test_the_latest_rating_in_a_session_counts() -> None:
    [administration] = compare([rating(3, 0, goal=1), rating(3, 1, goal=4)], [rating(3, 1, goal=4)])
    assert administration.subscales[0].patient == 4
    assert not administration.flagged
