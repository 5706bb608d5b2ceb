"""The clinical safety case names only tests that exist: a control without its proof fails CI."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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
