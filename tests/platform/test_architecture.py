"""The import rule of docs/architecture.md, enforced: an app imports only the apps below it."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def _config() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return dict(tomllib.load(handle)["tool"]["importlinter"])


def test_no_app_imports_an_app_above_it() -> None:
    # lint-imports sits beside the interpreter running the tests (the project's virtualenv).
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_app_of_ours_has_a_place_in_the_layers() -> None:
    """A new app that is in no layer would escape the rule without anyone noticing."""
    config = _config()
    layers = " ".join(config["contracts"][0]["layers"])
    placed = {name.strip() for name in layers.replace("|", " ").replace(":", " ").split()}
    ours = {
        config_.name
        for config_ in apps.get_app_configs()
        if (ROOT / config_.name).is_dir() and "." not in config_.name
    }
    assert ours - placed == set()
    assert set(config["root_packages"]) == ours
