"""make bench prints every figure the same way: median, range over the rounds, and a ratio to a
named goal that is 1 or more when the goal is met, whichever way the goal points."""

from __future__ import annotations

import pytest

from bench.report import Figure, figure_line, rounds, summary_lines


def test_a_time_under_its_goal_meets_it_with_goal_over_measured() -> None:
    figure = Figure(
        name="Caseload", samples=(150.0, 100.0, 200.0), unit="ms", goal=300.0, goal_text="300 ms"
    )
    assert figure.median == 150.0
    assert figure.ratio == 2.0
    assert figure.verdict == "meets"


def test_a_time_over_its_goal_is_over() -> None:
    figure = Figure(name="Sweep", samples=(20.0,), unit="s", goal=10.0, goal_text="10 s")
    assert figure.ratio == 0.5
    assert figure.verdict == "over"


def test_a_speed_up_is_measured_over_its_reference_with_no_verdict() -> None:
    figure = Figure(
        name="speed-up",
        samples=(1.5, 1.6, 1.7),
        unit="x",
        goal=2.0,
        goal_text="linear",
        larger_is_better=True,
        binding=False,
    )
    assert figure.ratio == pytest.approx(0.8)
    assert figure.verdict == "-"


def test_a_failed_figure_says_so_whatever_its_time() -> None:
    figure = Figure(
        name="Report", samples=(10.0,), unit="ms", goal=1000.0, goal_text="1 s", failed="1 of 5"
    )
    assert figure.verdict == "FAILED"
    assert "[FAILED] 1 of 5" in figure_line(figure)


def test_a_line_shows_median_range_rounds_and_what_the_ratio_is_to() -> None:
    figure = Figure(
        name="Brief",
        samples=(146.0, 141.0, 175.0),
        unit="ms",
        goal=300.0,
        goal_text="the 300 ms goal",
        note="14 KB",
    )
    line = figure_line(figure)
    assert "146 ms (141-175, 3 rounds)" in line
    assert "ratio 2.05 of the 300 ms goal  [meets]; 14 KB" in line


def test_a_figure_with_no_goal_says_so() -> None:
    figure = Figure(name="export", samples=(60.0, 63.0), unit="s")
    assert figure.ratio is None
    assert "ratio no goal  [-]" in figure_line(figure)


def test_the_summary_has_a_row_per_figure_with_its_ratio_and_verdict() -> None:
    figures = [
        Figure(name="Caseload", samples=(150.0,), unit="ms", goal=300.0, goal_text="300 ms"),
        Figure(name="Sweep", samples=(20.0, 21.0), unit="s", goal=10.0, goal_text="10 s"),
    ]
    lines = summary_lines(figures)
    assert lines[0].startswith("Summary (2 figures")
    assert lines[2].startswith("Caseload")
    assert " 2.00 " in lines[2]
    assert lines[2].endswith("meets")
    assert lines[3].startswith("Sweep")
    assert "20.0-21.0, 2 rounds" in lines[3]
    assert lines[3].endswith("over")


def test_rounds_come_from_the_environment_and_are_one_in_a_quick_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BENCH_QUICK", raising=False)
    monkeypatch.delenv("BCBT_BENCH_ROUNDS", raising=False)
    assert rounds(5) == 5
    monkeypatch.setenv("BCBT_BENCH_ROUNDS", "3")
    assert rounds(5) == 3
    monkeypatch.setenv("BENCH_QUICK", "1")
    assert rounds(5) == 1


def test_a_ratio_just_short_of_its_goal_never_shows_as_one() -> None:
    figure = Figure(name="Outcomes", samples=(1004.0,), unit="ms", goal=1000.0, goal_text="1 s")
    assert figure.verdict == "over"
    assert "ratio 0.99 of 1 s  [over]" in figure_line(figure)
    assert " 0.99 " in summary_lines([figure])[2]
