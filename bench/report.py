"""One way to print a benchmark's figures: name, median, range over the rounds, and a ratio with
what it is a ratio to (issue 17).

A benchmark's ``run()`` returns its :class:`Figure` records and prints each with
:func:`figure_print`; ``python -m bench`` prints them all again at the end in one table
(:func:`summary_print`). A ratio of 1 or more meets its goal, whichever way the goal points: a
time's ratio is goal / measured, a speed's is measured / goal.
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def quick() -> bool:
    """``BENCH_QUICK=1``: a smoke run of the plumbing, with small sizes and one round."""
    return os.environ.get("BENCH_QUICK") == "1"


def rounds(default: int) -> int:
    """How many rounds to measure each figure: ``BCBT_BENCH_ROUNDS`` or the benchmark's own
    default, and one in a quick run."""
    if quick():
        return 1
    return max(1, int(os.environ.get("BCBT_BENCH_ROUNDS", str(default))))


@dataclass(frozen=True)
class Figure:
    """One measured figure: its samples (one per round) and what they are compared with.

    ``goal`` is in ``unit``; ``goal_text`` names it for the reader ("the 300 ms goal"). A figure
    whose goal is only a reference point (linear scaling, say) has ``binding`` off: its ratio is
    printed, with no verdict. ``failed`` says what went wrong in a run whose figure cannot count.
    """

    name: str
    samples: tuple[float, ...]
    unit: str
    goal: float | None = None
    goal_text: str = ""
    larger_is_better: bool = False
    binding: bool = True
    note: str = ""
    failed: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    @property
    def ratio(self) -> float | None:
        if self.goal is None or self.median <= 0:
            return None
        if self.larger_is_better:
            return self.median / self.goal
        return self.goal / self.median

    @property
    def verdict(self) -> str:
        if self.failed:
            return "FAILED"
        ratio = self.ratio
        if ratio is None or not self.binding:
            return "-"
        if ratio >= 1:
            return "meets"
        return "short" if self.larger_is_better else "over"


def number(value: float) -> str:
    """Three significant figures or so, without a thousands separator lost."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def value_text(figure: Figure) -> str:
    return f"{number(figure.median)} {figure.unit}"


def range_text(figure: Figure) -> str:
    count = len(figure.samples)
    if count == 1:
        return "1 round"
    return f"{number(figure.low)}-{number(figure.high)}, {count} rounds"


def ratio_number(ratio: float) -> str:
    """Two decimals, rounded down: a ratio shown as 1.00 has met its goal."""
    return f"{math.floor(ratio * 100) / 100:.2f}"


def ratio_text(figure: Figure) -> str:
    ratio = figure.ratio
    if ratio is None:
        return "no goal"
    return f"{ratio_number(ratio)} of {figure.goal_text}"


def figure_line(figure: Figure) -> str:
    line = (
        f"  {figure.name:46} {value_text(figure):>11} ({range_text(figure)})"
        f"  ratio {ratio_text(figure)}  [{figure.verdict}]"
    )
    if figure.failed:
        line += f" {figure.failed}"
    if figure.note:
        line += f"; {figure.note}"
    return line


def figure_print(figure: Figure) -> None:
    print(figure_line(figure))


def summary_lines(figures: Sequence[Figure]) -> list[str]:
    """The closing table: every figure with its median, range, ratio and verdict."""
    header = f"{'figure':46} {'median':>11} {'range (rounds)':>26} {'ratio':>6}  {'to':32} verdict"
    lines = [f"Summary ({len(figures)} figures; ratio >= 1 meets its goal)", header]
    for figure in figures:
        ratio = figure.ratio
        lines.append(
            f"{figure.name:46} {value_text(figure):>11} {range_text(figure):>26} "
            f"{'-' if ratio is None else ratio_number(ratio):>6}  {figure.goal_text or '-':32} "
            f"{figure.verdict}"
        )
    return lines


def summary_print(figures: Iterable[Figure]) -> None:
    print()
    for line in summary_lines(list(figures)):
        print(line)
