"""The mood chart, drawn on the server as SVG so that it needs no JavaScript.

This module does the arithmetic; the template only writes out the shapes. A missed day leaves
a gap in the line rather than joining the days either side, so that the chart does not suggest
a mood the person never recorded.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from moodlog.models import MOOD_SCORE_MAX, MOOD_SCORE_MIN

WIDTH = 340
HEIGHT = 200
LEFT = 30
RIGHT = 12
TOP = 12
BOTTOM = 30
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
GRID_SCORES = (1, 5, 10)


@dataclass(frozen=True)
class ChartPoint:
    day: datetime.date
    score: int
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class ChartGridLine:
    y: float
    label: str


@dataclass(frozen=True)
class ChartDayLabel:
    x: float
    label: str
    anchor: str


@dataclass(frozen=True)
class MoodChart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    grid_label_x: int
    day_label_y: int
    points: list[ChartPoint]
    # Each line joins a run of consecutive rated days, as an SVG "points" attribute.
    lines: list[str]
    grid: list[ChartGridLine]
    day_labels: list[ChartDayLabel]
    summary: str


def short_day(day: datetime.date) -> str:
    return f"{day.day} {day:%b}"


def long_day(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _x(index: int, days: int) -> float:
    return round(LEFT + index * PLOT_WIDTH / max(days - 1, 1), 1)


def _y(score: int) -> float:
    span = MOOD_SCORE_MAX - MOOD_SCORE_MIN
    return round(TOP + (MOOD_SCORE_MAX - score) * PLOT_HEIGHT / span, 1)


def mood_chart(*, scores: Mapping[datetime.date, int], end: datetime.date, days: int) -> MoodChart:
    """Geometry for ``days`` days up to and including ``end`` (the patient's today)."""
    start = end - datetime.timedelta(days=days - 1)
    points: list[ChartPoint] = []
    lines: list[str] = []
    run: list[str] = []
    for index in range(days):
        day = start + datetime.timedelta(days=index)
        score = scores.get(day)
        if score is None:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
            continue
        point = ChartPoint(
            day=day,
            score=score,
            x=_x(index, days),
            y=_y(score),
            label=f"{long_day(day)}: {score} out of 10",
        )
        points.append(point)
        run.append(f"{point.x},{point.y}")
    if len(run) > 1:
        lines.append(" ".join(run))

    grid = [ChartGridLine(y=_y(score), label=str(score)) for score in GRID_SCORES]
    day_labels = []
    # A label every week, counted back from today so that today is always labelled.
    for back in range(0, days, 7):
        index = days - 1 - back
        day_labels.append(
            ChartDayLabel(
                x=_x(index, days),
                label=short_day(start + datetime.timedelta(days=index)),
                anchor="end" if back == 0 else "middle",
            )
        )
    return MoodChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        grid_label_x=LEFT - 6,
        day_label_y=HEIGHT - 10,
        points=points,
        lines=lines,
        grid=grid,
        day_labels=day_labels,
        summary=_summary(points, start=start, end=end, days=days),
    )


def _summary(
    points: list[ChartPoint], *, start: datetime.date, end: datetime.date, days: int
) -> str:
    period = f"the {days} days from {long_day(start)} to {long_day(end)}"
    if not points:
        return f"No mood ratings in {period}."
    lowest = min(point.score for point in points)
    highest = max(point.score for point in points)
    latest = points[-1]
    rated = f"{len(points)} of {days} days rated" if len(points) != 1 else "1 day rated"
    return (
        f"Mood ratings in {period}: {rated}, lowest {lowest}, highest {highest}. "
        f"Most recent: {latest.score} out of 10 on {long_day(latest.day)}."
    )
