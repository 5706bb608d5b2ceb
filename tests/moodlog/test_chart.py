from __future__ import annotations

import datetime

from moodlog.chart import HEIGHT, WIDTH, mood_chart

END = datetime.date(2026, 3, 30)


def day(back: int) -> datetime.date:
    return END - datetime.timedelta(days=back)


def test_a_missed_day_breaks_the_line() -> None:
    chart = mood_chart(scores={day(3): 4, day(2): 5, day(0): 7}, end=END, days=30)
    assert [point.score for point in chart.points] == [4, 5, 7]
    # 3 and 2 days back are joined; today stands alone after the missed day.
    assert len(chart.lines) == 1
    assert len(chart.lines[0].split()) == 2


def test_higher_moods_are_drawn_higher_and_everything_fits() -> None:
    chart = mood_chart(scores={day(1): 1, day(0): 10}, end=END, days=30)
    low, high = chart.points
    assert high.y < low.y
    assert all(0 <= point.x <= WIDTH and 0 <= point.y <= HEIGHT for point in chart.points)
    assert chart.points[-1].x > chart.points[0].x


def test_days_outside_the_period_are_left_out() -> None:
    chart = mood_chart(scores={day(30): 5, END + datetime.timedelta(days=1): 5}, end=END, days=30)
    assert chart.points == []
    assert chart.summary.startswith("No mood ratings")


def test_the_summary_says_what_the_chart_shows() -> None:
    chart = mood_chart(scores={day(5): 3, day(1): 8, day(0): 6}, end=END, days=30)
    assert "3 of 30 days rated" in chart.summary
    assert "lowest 3, highest 8" in chart.summary
    assert "Most recent: 6 out of 10 on Monday 30 March" in chart.summary


def test_today_is_always_labelled() -> None:
    chart = mood_chart(scores={}, end=END, days=30)
    assert chart.day_labels[0].label == "30 Mar"
    assert chart.day_labels[0].anchor == "end"
