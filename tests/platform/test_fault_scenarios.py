"""The real freeze scenarios, through pytest: about a minute each (30 s frozen, plus a database
to migrate and gunicorn to start), so they run only when asked, with
``BCBT_RUN_FAULTS=1 pytest -m faults`` (``make faults`` runs them without pytest)."""

from __future__ import annotations

import pytest

from scripts.faults.__main__ import discover, failures

# Each freezes a server for 30 s: left out of an ordinary run (deselected, never skipped, by
# tests/conftest.py) unless BCBT_RUN_FAULTS=1; make faults runs them without pytest.
pytestmark = [pytest.mark.faults, pytest.mark.opt_in_fault]


@pytest.mark.parametrize("scenario", ["redis_freeze", "postgres_freeze"])
def test_a_frozen_dependency_loses_nothing_and_no_request_takes_five_seconds(
    scenario: str,
) -> None:
    result = discover([scenario])[scenario]()
    assert failures(result) == [], result["notes"]
