"""Bar charts drawn on the server as inline SVG: no JavaScript, and each chart has a table
beside it that says the same (the chart's description points to it)."""

from __future__ import annotations

from dataclasses import dataclass

from console.reports.rows import rate

WIDTH = 640
LABEL_WIDTH = 250
VALUE_WIDTH = 130
BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 10
ROW_HEIGHT = 34
BAR_HEIGHT = 20


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int
    text_y: int
    width: float
    value_x: float


@dataclass(frozen=True)
class BarChart:
    """Percentages as horizontal bars, one per measure; ``height`` and the geometry are in the
    SVG's own units (it scales to the width of the page)."""

    title: str
    bars: tuple[Bar, ...]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_area: int = BAR_AREA
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.bars) + 10

    @property
    def bar_x(self) -> int:
        return LABEL_WIDTH


def percentage_chart(*, title: str, measures: list[tuple[str, int, int]]) -> BarChart:
    """A chart of ``(label, numerator, denominator)``: each bar is the numerator's share."""
    bars = []
    for index, (label, numerator, denominator) in enumerate(measures):
        share = numerator / denominator if denominator else 0.0
        width = round(BAR_AREA * share, 1)
        y = 5 + index * ROW_HEIGHT
        bars.append(
            Bar(
                label=label,
                text=f"{rate(numerator, denominator)} ({numerator} of {denominator})",
                y=y,
                text_y=y + BAR_HEIGHT - 5,
                width=width,
                value_x=LABEL_WIDTH + width + 6,
            )
        )
    return BarChart(title=title, bars=tuple(bars))
