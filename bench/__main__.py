"""``python -m bench`` (``make bench``): run every benchmark module's ``run()``."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def main() -> None:
    folder = Path(__file__).resolve().parent
    for module in sorted(info.name for info in pkgutil.iter_modules([str(folder)])):
        if module.startswith("_"):
            continue
        importlib.import_module(f"bench.{module}").run()


if __name__ == "__main__":
    main()
