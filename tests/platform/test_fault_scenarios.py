"""The real freeze scenarios, through pytest: about a minute each (30 s frozen, plus a database
to migrate and gunicorn to start), so they run only when asked, with
``BCBT_RUN_FAULTS=1 pytest -m faults`` (``make faults`` runs them without pytest)."""

from __future__ import annotations

import os

import pytest

from scripts.faults.__main__ import discover, failures

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(
        os.environ.get("BCBT_RUN_FAULTS") != "1",
        reason="a 30-second fault scenario: set BCBT_RUN_FAULTS=1 (or run make faults)",
    ),
]


@pytest.mark.parametrize("scenario", ["redis_freeze", "postgres_freeze"])
def test_a_frozen_dependency_loses_nothing_and_no_request_takes_five_seconds(
    scenario: str,
) -> None:
    result = discover([scenario])[scenario]()
    assert failures(result) == [], result["notes"]
