"""Charts drawn on the server as SVG, so they need no JavaScript and no CDN.

Every chart here comes with a text or table alternative in its template; the SVG itself is
marked up with a title and description for screen readers.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Sparkline:
    """A small mood trend for a caseload row: the polyline and the points that were missed."""

    points: str
    width: int
    height: int
    description: str


def sparkline(
    *,
    values_by_day: dict[datetime.date, int],
    end: datetime.date,
    days: int = 14,
    low: int = 1,
    high: int = 10,
    width: int = 112,
    height: int = 28,
) -> Sparkline:
    """A polyline of the last ``days`` days ending on ``end``; missed days break the line."""
    step = width / max(days - 1, 1)
    segments: list[list[str]] = [[]]
    rated = []
    for index in range(days):
        day = end - datetime.timedelta(days=days - 1 - index)
        value = values_by_day.get(day)
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        rated.append(value)
        y = height - 2 - (value - low) / (high - low) * (height - 4)
        segments[-1].append(f"{index * step:.1f},{y:.1f}")
    points = " M ".join(" L ".join(segment) for segment in segments if segment)
    if rated:
        description = (
            f"Mood over the last {days} days: rated on {len(rated)} days, "
            f"lowest {min(rated)}, highest {max(rated)}, latest {rated[-1]}."
        )
    else:
        description = f"No mood ratings in the last {days} days."
    return Sparkline(
        points=f"M {points}" if points else "", width=width, height=height, description=description
    )


@dataclass(frozen=True)
class SeriesChart:
    """A line chart with one or more series over dated points, with bands (e.g. caseness)."""

    width: int
    height: int
    paths: list[tuple[str, str, list[Point]]]  # (label, css class, points)
    y_ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, str, str]]  # (x, text, text-anchor)
    threshold_lines: list[tuple[float, str]]


def series_chart(
    *,
    series: Sequence[tuple[str, str, Sequence[tuple[datetime.date, int]]]],
    y_max: int,
    thresholds: Sequence[tuple[int, str]] = (),
    width: int = 320,
    height: int = 160,
) -> SeriesChart | None:
    """Plot dated scores (for example PHQ-9 and GAD-7 totals) on one shared axis."""
    days = sorted({day for _, _, points in series for day, _ in points})
    if not days:
        return None
    left, right, top, bottom = 28, 8, 8, 22
    first, last = days[0], days[-1]
    span = max((last - first).days, 1)

    def x_of(day: datetime.date) -> float:
        if first == last:
            return left + (width - left - right) / 2
        return left + (day - first).days / span * (width - left - right)

    def y_of(value: float) -> float:
        return top + (1 - value / y_max) * (height - top - bottom)

    paths = [
        (label, css, [Point(x_of(day), y_of(value)) for day, value in points])
        for label, css, points in series
    ]
    ticks = [(y_of(value), value) for value in range(0, y_max + 1, 5 if y_max > 10 else 1)]
    # The first and last dates sit inside the chart, anchored at their outer ends.
    labels = [(x_of(first), first.strftime("%-d %b"), "start" if last != first else "middle")]
    if last != first:
        labels.append((x_of(last), last.strftime("%-d %b"), "end"))
    lines = [(y_of(value), label) for value, label in thresholds]
    return SeriesChart(width, height, paths, ticks, labels, lines)
