"""The NHS.UK design system (npm ``nhsuk-frontend``) served whole, from bcbt's own origin.

The package's compiled stylesheet asks for two things bcbt must not serve as they are:

- icons at ``/assets/images/...``, an absolute path on the site root, where nothing is served;
- the Frutiger web font from ``assets.nhs.uk``, another origin, which would tell that origin
  which NHS service a patient uses (and fails offline). The package does not ship the font:
  Frutiger is licensed for the nhs.uk domain only, and the service manual tells services
  elsewhere to use Arial, which is what the stylesheet falls back to.

This finder serves the package's ``dist/nhsuk`` folder under ``static/nhsuk/`` as it is, except
the top-level stylesheets, which it rewrites once into a build folder: without the
``@font-face`` rules and with the icon paths made relative to the stylesheet. Because it is a
staticfiles finder, the same files reach ``runserver``, the test live server and
``collectstatic`` (where WhiteNoise's manifest storage then fingerprints the icons too).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import utils
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage
from django.core.files.storage import FileSystemStorage, Storage

PREFIX = "nhsuk"

_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
# The licensed font's name in a font-family list, with the comma after it when other fonts follow.
_FRUTIGER = re.compile(r"(?:\"Frutiger W01\"|'Frutiger W01'|Frutiger W01)\s*,?\s*")
_ROOT_ASSETS = re.compile(r"url\((['\"]?)/assets/")
_SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/")


def stylesheet_rewrite(*, css: str) -> str:
    """The package stylesheet with no request to another origin and icons found beside it."""
    css = _FONT_FACE.sub("", css)
    css = _FRUTIGER.sub("", css)
    # The stylesheet lives in static/nhsuk/ and the icons in static/nhsuk/assets/images/.
    css = _ROOT_ASSETS.sub(r"url(\1assets/", css)
    # The package's source map describes the original file, not this one.
    return _SOURCE_MAP.sub("", css)


def _is_rewritten(path: str) -> bool:
    """Only the compiled stylesheets at the top of the package refer to fonts and icons."""
    return path.endswith(".css") and "/" not in path


def _write_if_changed(target: Path, content: str) -> None:
    """Write atomically, and only when the content changed, so that parallel test processes
    never read half a file and collectstatic sees a stable modification time."""
    if target.exists() and target.read_text(encoding="utf-8") == content:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(content)
    os.replace(temporary, target)


class NhsukFrontendFinder(BaseFinder):
    """Finds ``nhsuk/<path>`` in the installed package, with its stylesheets rewritten."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.package_dir = Path(settings.BCBT_NHSUK_FRONTEND_DIR)
        self.build_dir = Path(settings.BCBT_FRONTEND_BUILD_DIR) / PREFIX
        self.package_storage = FileSystemStorage(location=self.package_dir)
        self.build_storage = FileSystemStorage(location=self.build_dir)
        # collectstatic copies each file to "<prefix>/<path>".
        self.package_storage.prefix = PREFIX  # type: ignore[attr-defined]
        self.build_storage.prefix = PREFIX  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        return []

    def _built(self, path: str) -> Path:
        target = self.build_dir / path
        source = (self.package_dir / path).read_text(encoding="utf-8")
        _write_if_changed(target, stylesheet_rewrite(css=source))
        return target

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        found: str | None = None
        if path.startswith(PREFIX + "/"):
            relative = path[len(PREFIX) + 1 :]
            source = self.package_dir / relative
            # Never outside the package, whatever the requested path says.
            if source.resolve().is_relative_to(self.package_dir.resolve()) and source.is_file():
                found = str(self._built(relative) if _is_rewritten(relative) else source)
        # Django's finders answer an empty list, not None, for "not here".
        if not found:
            return []
        return [found] if find_all else found

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[tuple[str, Storage]]:
        if not self.package_dir.is_dir():
            return
        for path in utils.get_files(self.package_storage, ignore_patterns):
            if _is_rewritten(path):
                self._built(path)
                yield path, self.build_storage
            else:
                yield path, self.package_storage
