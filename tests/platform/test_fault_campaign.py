"""The fault campaign's verdict (scripts/faults/__main__.py), on made-up results, so CI checks
the table and the exit code without 30-second freezes. The real scenarios run with
``make faults``; ``test_the_campaign_finds_every_scenario`` makes sure they are found."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.faults.__main__ import discover, exit_code, failures, run_one, table


def _result(**changes: Any) -> dict[str, object]:
    return {
        "scenario": "made_up",
        "expected": 200,
        "sent": 200,
        "duplicated": 0,
        "lost": 0,
        "sent_in_quiet_hours": 0,
        "longest_request_s": 1.2,
        "notes": "all well",
        **changes,
    }


def test_a_clean_result_passes() -> None:
    assert failures(_result()) == []
    assert exit_code([_result()]) == 0


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"duplicated": 1}, "1 duplicates"),
        ({"lost": 2}, "2 lost"),
        ({"sent_in_quiet_hours": 3}, "3 sent in quiet hours"),
        ({"longest_request_s": 5.0}, "a request took 5.00 s"),
        ({"longest_request_s": 41.3}, "a request took 41.30 s"),
        ({"failures": ["/healthz was not 200"]}, "/healthz was not 200"),
    ],
)
def test_each_kind_of_harm_fails_the_campaign(changes: dict[str, Any], reason: str) -> None:
    result = _result(**changes)
    assert any(reason in found for found in failures(result))
    assert exit_code([_result(), result]) == 1


def test_a_result_missing_a_figure_fails() -> None:
    result = _result()
    del result["lost"]
    assert failures(result) == ["result lacks lost"]
    assert exit_code([result]) == 1


def test_a_scenario_that_raises_is_a_failed_row_and_the_others_still_count() -> None:
    def broken() -> dict[str, object]:
        raise RuntimeError("redis-server is not installed")

    crashed = run_one("broken", broken)
    assert crashed["scenario"] == "broken"
    assert any("redis-server is not installed" in reason for reason in failures(crashed))
    assert exit_code([_result(), crashed]) == 1


def test_no_scenario_at_all_is_a_failure() -> None:
    assert exit_code([]) == 1


def test_the_table_has_one_row_per_scenario_with_its_verdict() -> None:
    output = table([_result(scenario="redis_freeze"), _result(scenario="smtp", lost=1)])
    lines = output.splitlines()
    assert lines[0].split()[:3] == ["scenario", "expected", "sent"]
    assert lines[1].split()[0] == "redis_freeze"
    assert lines[1].split()[-1] == "ok"
    assert lines[2].split()[0] == "smtp"
    assert lines[2].split()[-1] == "FAIL"
    assert "FAIL: 1 lost" in output


def test_the_campaign_finds_every_scenario() -> None:
    scenarios = discover()
    assert {"redis_freeze", "postgres_freeze"} <= set(scenarios)
    assert not any(name.startswith("_") for name in scenarios)
