"""The fault campaign: run every scenario in scripts/faults/, print one row each, and fail on
any duplicate, any loss, any send in quiet hours, or any request of 5 s or more.

    .venv/bin/python -m scripts.faults                 # every scenario (make faults)
    .venv/bin/python -m scripts.faults redis_freeze    # only the ones named

A scenario is a module ``scripts/faults/<name>.py`` with ``run() -> dict`` (see
``RESULT_KEYS``); modules whose names start with "_" are shared helpers. A scenario may add
``"failures": [str, ...]`` for a check of its own that failed (a health probe that did not
answer as it should); any entry fails the campaign too. A scenario that raises counts as a
failed row, and the others still run.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable, Sequence

LIMIT_SECONDS = 5.0
RESULT_KEYS = (
    "scenario",
    "expected",
    "sent",
    "duplicated",
    "lost",
    "sent_in_quiet_hours",
    "longest_request_s",
    "notes",
)
_COLUMNS = (
    ("scenario", 22),
    ("expected", 8),
    ("sent", 6),
    ("duplicated", 10),
    ("lost", 5),
    ("sent_in_quiet_hours", 19),
    ("longest_request_s", 17),
    ("result", 6),
)

Scenario = Callable[[], dict[str, object]]


def discover(names: Sequence[str] = ()) -> dict[str, Scenario]:
    """Every scenario module in this package, or only ``names``, in alphabetical order."""
    package = importlib.import_module(__package__ or "scripts.faults")
    found = sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    )
    unknown = sorted(set(names) - set(found))
    if unknown:
        raise SystemExit(f"No such scenario: {', '.join(unknown)} (have: {', '.join(found)})")
    scenarios: dict[str, Scenario] = {}
    for name in names or found:
        module = importlib.import_module(f"{package.__name__}.{name}")
        run = getattr(module, "run", None)
        if callable(run):
            scenarios[name] = run
    return scenarios


def failures(result: dict[str, object]) -> list[str]:
    """Why a scenario's result fails the campaign (empty when it passes)."""
    extra = result.get("failures") or []
    reasons = [str(reason) for reason in extra] if isinstance(extra, list | tuple) else []
    missing = [key for key in RESULT_KEYS if key not in result]
    if missing:
        return [*reasons, f"result lacks {', '.join(missing)}"]
    for key, label in (
        ("duplicated", "duplicates"),
        ("lost", "lost"),
        ("sent_in_quiet_hours", "sent in quiet hours"),
    ):
        count = int(str(result[key]))
        if count > 0:
            reasons.append(f"{count} {label}")
    longest = float(str(result["longest_request_s"]))
    if longest >= LIMIT_SECONDS:
        reasons.append(f"a request took {longest:.2f} s (limit {LIMIT_SECONDS:.0f} s)")
    return reasons


def run_one(name: str, scenario: Scenario) -> dict[str, object]:
    started = time.monotonic()
    try:
        result = dict(scenario())
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        result = {"scenario": name, "failures": [f"raised {type(error).__name__}: {error}"]}
    result.setdefault("scenario", name)
    result["duration_s"] = round(time.monotonic() - started, 1)
    return result


def table(results: Sequence[dict[str, object]]) -> str:
    """One row per scenario, then each one's notes and any reasons it failed."""
    lines = ["  ".join(title.ljust(width) for title, width in _COLUMNS)]
    details: list[str] = []
    for result in results:
        reasons = failures(result)
        cells = [str(result.get(key, "-")) for key, _ in _COLUMNS[:-1]]
        cells.append("FAIL" if reasons else "ok")
        lines.append(
            "  ".join(cell.ljust(width) for cell, (_, width) in zip(cells, _COLUMNS, strict=True))
        )
        details.append(f"- {result.get('scenario')}: {result.get('notes', '')}")
        details.extend(f"  FAIL: {reason}" for reason in reasons)
    return "\n".join([*lines, "", *details])


def exit_code(results: Sequence[dict[str, object]]) -> int:
    return 1 if not results or any(failures(result) for result in results) else 0


def main(argv: Sequence[str]) -> int:
    scenarios = discover(argv)
    results = []
    for name, scenario in scenarios.items():
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append(run_one(name, scenario))
    print(table(results))
    return exit_code(results)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
