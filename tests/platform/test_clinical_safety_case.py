"""The clinical safety case names only tests that exist: a control without its proof fails CI."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.hazard_log import hazards_parse

ROOT = Path(__file__).resolve().parents[2]
SAFETY_CASE = ROOT / "docs" / "clinical-safety.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_the_safety_case_names_tests() -> None:
    assert len(REFERENCE.findall(SAFETY_CASE.read_text(encoding="utf-8"))) >= 30


def test_every_test_the_safety_case_names_exists() -> None:
    missing = [
        f"{file}::{name}"
        for file, name in REFERENCE.findall(SAFETY_CASE.read_text(encoding="utf-8"))
        if not (ROOT / file).is_file() or name not in _test_names(ROOT / file)
    ]
    assert not missing, f"docs/clinical-safety.md names tests that do not exist: {missing}"


def test_every_hazard_names_a_test_for_its_controls() -> None:
    hazards = hazards_parse(SAFETY_CASE.read_text(encoding="utf-8"))
    assert [hazard.id for hazard in hazards] == [f"H{number}" for number in range(1, 13)]
    assert [hazard.id for hazard in hazards if not hazard.tests] == []


FAKE_CASE = """# A safety case

### H1. Something passes

- **Controls**:
  - It works:
    `tests/test_fake.py::test_passes`.

### H2. Something fails

- **Controls**:
  - It breaks:
    `tests/test_fake.py::test_fails`, `tests/test_fake.py::test_passes`.

### H3. A test that is gone

- **Controls**: `tests/test_fake.py::test_was_deleted`.

## 4. After the log
"""

FAKE_TESTS = """
import pytest

def test_passes():
    pass

@pytest.mark.parametrize("value", [1, 2])
def test_fails(value):
    assert value == 1
"""


def _run_fake_suite(
    tmp_path: Path, *args: str, case: str = FAKE_CASE
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "clinical-safety.md").write_text(case, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_fake.py").write_text(FAKE_TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "conftest.py").write_text(
        "from tests.hazard_log import (  # noqa: F401\n"
        "    pytest_runtest_logreport, pytest_sessionfinish, pytest_terminal_summary,\n"
        ")\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:django", *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _table(output: str) -> dict[str, list[str]]:
    """The hazard rows of the printed table, by hazard id, split into their columns."""
    rows = [re.split(r"\s{2,}", line.strip()) for line in output.splitlines()]
    return {row[0]: row for row in rows if re.fullmatch(r"H\d+", row[0])}


def test_the_run_prints_each_hazards_status_and_fails_for_a_failing_or_missing_test(
    tmp_path: Path,
) -> None:
    result = _run_fake_suite(tmp_path)
    table = _table(result.stdout)
    # hazard, title, controls, passed, failed, not run, status
    assert table["H1"] == ["H1", "Something passes", "1", "1", "0", "0", "proven"]
    assert table["H2"] == ["H2", "Something fails", "1", "1", "1", "0", "FAILING"]
    assert table["H3"] == ["H3", "A test that is gone", "1", "0", "1", "0", "FAILING"]
    assert "HAZARD LOG FAILS: H2: tests/test_fake.py::test_fails failed" in result.stdout
    assert "HAZARD LOG FAILS: H3: tests/test_fake.py::test_was_deleted missing" in result.stdout
    assert result.returncode == 1


def test_a_missing_test_fails_the_run_even_when_every_test_run_passes(tmp_path: Path) -> None:
    result = _run_fake_suite(tmp_path, "tests/test_fake.py::test_passes")
    assert "1 passed" in result.stdout
    assert "HAZARD LOG FAILS: H3: tests/test_fake.py::test_was_deleted missing" in result.stdout
    assert result.returncode == 1


def test_a_subset_run_reports_not_run_without_failing(tmp_path: Path) -> None:
    two_hazards = FAKE_CASE.split("### H3.")[0]
    result = _run_fake_suite(tmp_path, "tests/test_fake.py::test_passes", case=two_hazards)
    table = _table(result.stdout)
    assert table["H1"][-1] == "proven"
    assert table["H2"] == ["H2", "Something fails", "1", "1", "0", "1", "not all run"]
    assert "HAZARD LOG FAILS" not in result.stdout
    assert result.returncode == 0
