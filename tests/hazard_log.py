"""The hazard log's status at the end of every test run (a pytest plugin).

``docs/clinical-safety.md`` lists each hazard with its controls and the tests that prove them
(`` `tests/<file>.py::test_name` ``). While the tests run, this plugin records each one's
outcome; at the end it prints one row per hazard (id, title, controls, and how many of its tests
passed, failed or did not run) and fails the run when a named test failed, does not exist, or a
hazard names no test at all. A run of only some tests reports the others as "not run" and does
not fail for them. ``tests/conftest.py`` imports the hooks, so ``make test`` prints the table.
"""

from __future__ import annotations

import ast
import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SAFETY_CASE = Path("docs") / "clinical-safety.md"
HAZARD = re.compile(r"^### (H\d+)\. (.+)$", re.MULTILINE)
# A control is a nested bullet, perhaps over several lines, ending with a colon before its tests.
CONTROL = re.compile(r"^  - ((?:(?!\n  - ).)+?):\s*\n\s+`", re.MULTILINE | re.DOTALL)
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")

PASSED, FAILED, SKIPPED, NOT_RUN, MISSING = "passed", "failed", "skipped", "not run", "missing"


@dataclass
class Hazard:
    id: str
    title: str
    controls: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)


def hazards_parse(text: str) -> list[Hazard]:
    """Each ``### H<n>. Title`` section, the controls it lists and the tests it names."""
    headings = list(HAZARD.finditer(text))
    hazards = []
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        # The section ends at the next hazard or the next chapter ("## 4. ...").
        body = text[heading.end() : end].split("\n## ", 1)[0]
        tests = [f"{path}::{name}" for path, name in REFERENCE.findall(body)]
        controls = [" ".join(control.split()) for control in CONTROL.findall(body)]
        if not controls and tests:
            controls = ["(listed with their tests)"]
        hazards.append(
            Hazard(heading.group(1), heading.group(2).strip(), controls, list(dict.fromkeys(tests)))
        )
    return hazards


@functools.cache
def _defined_tests(path: Path) -> frozenset[str]:
    if not path.is_file():
        return frozenset()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(node.name for node in tree.body if isinstance(node, ast.FunctionDef))


def named_test_status(test: str, outcomes: dict[str, str], root: Path) -> str:
    """What happened to one named test in this run: passed, failed, skipped, not run, missing."""
    if test in outcomes:
        return outcomes[test]
    path, name = test.split("::")
    return NOT_RUN if name in _defined_tests(root / path) else MISSING


def hazard_problems(hazard: Hazard, statuses: dict[str, str]) -> list[str]:
    """Why this hazard fails the run: a test failed or is missing, or it names none."""
    if not hazard.tests:
        return [f"{hazard.id} names no test: it has no proven control"]
    return [
        f"{hazard.id}: {test} {statuses[test]}"
        for test in hazard.tests
        if statuses[test] in (FAILED, MISSING)
    ]


class HazardLog:
    """Outcomes collected during the run, and the table at its end."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}

    def record(self, report: pytest.TestReport) -> None:
        # One row per test function: the parameters of a parametrised test are summed up, and
        # any failing parameter (or set-up or tear-down) fails it.
        test = report.nodeid.split("[", 1)[0]
        before = self.outcomes.get(test)
        if report.failed:
            self.outcomes[test] = FAILED
        elif report.skipped and before is None:
            self.outcomes[test] = SKIPPED
        elif report.when == "call" and report.passed and before in (None, SKIPPED):
            self.outcomes[test] = PASSED

    def rows(self, root: Path) -> tuple[list[list[str]], list[str]] | None:
        path = root / SAFETY_CASE
        if not path.is_file():
            return None
        rows, problems = [], []
        for hazard in hazards_parse(path.read_text(encoding="utf-8")):
            statuses = {test: named_test_status(test, self.outcomes, root) for test in hazard.tests}
            counts = Counter(statuses.values())
            found = hazard_problems(hazard, statuses)
            problems += found
            if found:
                state = "FAILING"
            elif counts[PASSED] == len(hazard.tests):
                state = "proven"
            else:
                state = "not all run"
            rows.append(
                [
                    hazard.id,
                    hazard.title[:60],
                    str(len(hazard.controls)),
                    str(counts[PASSED]),
                    str(counts[FAILED] + counts[MISSING]),
                    str(counts[NOT_RUN] + counts[SKIPPED]),
                    state,
                ]
            )
        return rows, problems


HEADER = ["hazard", "title", "controls", "passed", "failed", "not run", "status"]
_log = HazardLog()
_result: dict[str, tuple[list[list[str]], list[str]] | None] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _log.record(report)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if session.config.option.collectonly:
        return
    result = _log.rows(session.config.rootpath)
    _result["table"] = result
    if result is not None and result[1] and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    result = _result.get("table")
    if result is None:
        return
    rows, problems = result
    widths = [max(len(row[column]) for row in [HEADER, *rows]) for column in range(len(HEADER))]
    terminalreporter.write_sep("=", f"hazard log ({SAFETY_CASE})")
    for row in [HEADER, *rows]:
        terminalreporter.write_line(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    for problem in problems:
        terminalreporter.write_line(f"HAZARD LOG FAILS: {problem}", red=True, bold=True)
