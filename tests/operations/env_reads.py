"""Which environment variables the code reads, found by parsing the source (not by running it)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ENV_HELPERS = {"str", "int", "bool", "float", "list", "path", "db", "url", "json", "dict"}
# Not the product: the test suite and the benchmark have knobs of their own.
SKIPPED_FOLDERS = {"tests", "bench", ".venv", "node_modules", "migrations", "var", "staticfiles"}


def _name_of(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _reads(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            owner = func.value
            # env.str("NAME"), env.int("NAME", ...) and friends (django-environ).
            helper = isinstance(owner, ast.Name) and owner.id == "env" and func.attr in ENV_HELPERS
            # os.environ.get("NAME") and os.getenv("NAME").
            environ_get = (
                isinstance(owner, ast.Attribute) and owner.attr == "environ" and func.attr == "get"
            )
            getenv = isinstance(owner, ast.Name) and owner.id == "os" and func.attr == "getenv"
            name = _name_of(node) if helper or environ_get or getenv else None
            if name:
                names.add(name)
        # os.environ["NAME"] read as a value.
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(str(node.slice.value))
    return names


def environment_reads(root: Path) -> dict[str, set[str]]:
    """{variable name: the files that read it}, over the project's own Python code."""
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if SKIPPED_FOLDERS & set(relative.parts):
            continue
        for name in _reads(ast.parse(path.read_text(), filename=str(path))):
            found.setdefault(name, set()).add(str(relative))
    return found


ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")


def env_example_names(text: str) -> set[str]:
    """Names in ``.env.example``, set (``NAME=value``) or shown commented out (``# NAME=``)."""
    return {match.group(1) for line in text.splitlines() if (match := ASSIGNMENT.match(line))}


def env_example_values(text: str) -> dict[str, str]:
    """The values ``.env.example`` sets (commented-out lines excluded)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip()
    return values
